// grammars/ holds the facts as data: every table validates against its schema, the compiled module
// matches the table, and a broken table is rejected by the same validator the build uses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { SYSCALLS } from '../src/generated/syscalls.js';
import { SYSCALL_DEFS } from '../src/parse/grammar.js';
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
