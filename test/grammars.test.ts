// grammars/ holds the facts as data (syscalls.json, libcalls.json): every table validates against its schema, the compiled module
// matches the table, and a broken table is rejected by the same validator the build uses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { LIBCALLS } from '../src/generated/libcalls.js';
import { SYSCALLS } from '../src/generated/syscalls.js';
import { LIBCALL_DEFS, SYSCALL_DEFS } from '../src/parse/grammar.js';
import { ROOT } from './helpers/paths.js';

const table = JSON.parse(readFileSync(ROOT + 'grammars/syscalls.json', 'utf8')) as Record<string, unknown>;
const schema = JSON.parse(readFileSync(ROOT + 'grammars/syscalls.schema.json', 'utf8')) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

test('the syscall table validates against its schema', () => {
  assert.equal(validate(table), true, JSON.stringify(validate.errors));
});

test('the compiled module is the table (the build regenerates it)', () => {
  const { $comment: _comment, ...data } = table;
  assert.deepEqual(JSON.parse(JSON.stringify(SYSCALLS)), data);
});

test('a broken entry is rejected, naming the field', () => {
  const bad = structuredClone(table) as { syscalls: Record<string, Record<string, unknown>> };
  (bad.syscalls.mmap as Record<string, unknown>).effect = 'mapp';
  assert.equal(validate(bad), false);
  assert.ok(validate.errors?.some((e) => e.instancePath === '/syscalls/mmap/effect'));
});

test('every call the issue names is in the table with the effect the model needs', () => {
  const expect: Record<string, string> = {
    brk: 'brk', mmap: 'map', mmap2: 'map', munmap: 'unmap', mremap: 'remap', mprotect: 'protect', pkey_mprotect: 'protect',
    madvise: 'advise', clone: 'clone', clone3: 'clone', fork: 'fork', vfork: 'vfork', execve: 'exec', execveat: 'exec',
    exit: 'exit', exit_group: 'exitGroup', open: 'open', openat: 'open', openat2: 'open', creat: 'open', close: 'close',
    dup: 'dup', dup2: 'dup', dup3: 'dup', fcntl: 'fcntl', pipe: 'pipe', pipe2: 'pipe', socket: 'socket', accept: 'accept',
    accept4: 'accept', read: 'read', pread64: 'read', readv: 'read', preadv: 'read', preadv2: 'read',
  };
  for (const [name, effect] of Object.entries(expect)) assert.equal(SYSCALL_DEFS.get(name)?.effect, effect, name);
});

const libTable = JSON.parse(readFileSync(ROOT + 'grammars/libcalls.json', 'utf8')) as Record<string, unknown>;
const libSchema = JSON.parse(readFileSync(ROOT + 'grammars/libcalls.schema.json', 'utf8')) as Record<string, unknown>;
const validateLib = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(libSchema);

test('the library call table validates against its schema and is what the build compiled', () => {
  assert.equal(validateLib(libTable), true, JSON.stringify(validateLib.errors));
  const { $comment: _comment, ...data } = libTable;
  assert.deepEqual(JSON.parse(JSON.stringify(LIBCALLS)), data);
  const bad = structuredClone(libTable) as { libcalls: Record<string, Record<string, unknown>> };
  (bad.libcalls.malloc as Record<string, unknown>).args = { sise: 0 };
  assert.equal(validateLib(bad), false);
  assert.ok(validateLib.errors?.some((e) => e.instancePath === '/libcalls/malloc/args'));
});

test('every library call the issue names is in the table with the effect the model needs', () => {
  const expect: Record<string, string> = {
    malloc: 'alloc', calloc: 'alloc', realloc: 'realloc', reallocarray: 'realloc', free: 'free', posix_memalign: 'alloc',
    aligned_alloc: 'alloc', memalign: 'alloc', valloc: 'alloc', pvalloc: 'alloc',
    _Znwm: 'alloc', _Znam: 'alloc', _ZdlPv: 'free', _ZdaPv: 'free',
    'operator new(unsigned long)': 'alloc', 'operator new[](unsigned long)': 'alloc',
    'operator delete(void*)': 'free', 'operator delete[](void*)': 'free',
    fopen: 'fopen', fopen64: 'fopen', freopen: 'fopen', fdopen: 'fdopen', open: 'open', open64: 'open', openat: 'open',
    fread: 'fread', fgets: 'fread', getline: 'fread', getdelim: 'fread', read: 'read', pread: 'read',
  };
  for (const [name, effect] of Object.entries(expect)) assert.equal(LIBCALL_DEFS.get(name)?.effect, effect, name);
  assert.equal(LIBCALL_DEFS.get('pvalloc')?.roundToPage, true);
  assert.equal(LIBCALL_DEFS.get('posix_memalign')?.returnsStatus, true);
  assert.equal(LIBCALL_DEFS.get('fread')?.bytes, 'retTimesSize');
});
