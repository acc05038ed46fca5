import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/index.js';
import type { Report } from '../../src/index.js';

const text = (lines: string[]): Promise<Report> => analyze({ text: lines.join('\n') + '\n' });
const file = (r: Report, path: string) => {
  const f = r.files.find((x) => x.path === path);
  assert.ok(f, `no entry for ${path}; files: ${r.files.map((x) => x.path).join(', ')}`);
  return f;
};

test('the registry.xml spike: SPEC §2 worked example', async () => {
  const r = await text([
    'open("/home/wingo/f/flumotion/cache/registry/registry.xml", O_RDONLY) = 3',
    'fstat(3, {st_mode=S_IFREG|0644, st_size=116402, ...}) = 0',
    'mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x2ae8fac27000',
    'read(3, "\\n\\n  \\n\\n    "..., 16384) = 16384',
    'brk(0x1137000)                          = 0x1137000',
    'brk(0x1a2e000)                          = 0x1a2e000',
    'brk(0x1ac6000)                          = 0x1ac6000',
  ]);
  const f = file(r, '/home/wingo/f/flumotion/cache/registry/registry.xml');
  assert.deepEqual(f.heap, { peak: 10_027_008, net: 10_027_008, growth: 10_027_008 });
  assert.equal(f.bytesRead, 16384);
  assert.equal(f.amplification, 612);
});

test('closing a file does not end its charge; the next read moves it', async () => {
  const r = await text([
    '100 openat(AT_FDCWD, "/data/a.xml", O_RDONLY) = 3',
    '100 read(3, "x", 100) = 100',
    '100 close(3) = 0',
    '100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000',
    '100 openat(AT_FDCWD, "/data/b.xml", O_RDONLY) = 3',
    '100 read(3, "y", 50) = 50',
    '100 munmap(0x7f0000000000, 8192) = 0',
    '100 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000100000',
  ]);
  assert.deepEqual(file(r, '/data/a.xml').heap, { peak: 8192, net: 8192, growth: 8192 });
  // b.xml: -8192 then +4096: net -4096, peak stays 0 (peak is never below 0), growth 4096.
  assert.deepEqual(file(r, '/data/b.xml').heap, { peak: 0, net: -4096, growth: 4096 });
});

test('each thread has its own current file; threads share the address space', async () => {
  const r = await text([
    '200 openat(AT_FDCWD, "/a", O_RDONLY) = 3',
    '200 read(3, "x", 10) = 10',
    '200 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, exit_signal=0} => {parent_tid=[201]}, 88) = 201',
    '201 openat(AT_FDCWD, "/b", O_RDONLY) = 4',
    '201 read(4, "y", 10) = 10',
    '201 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000',
    '200 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000100000',
  ]);
  assert.equal(file(r, '/a').heap.growth, 4096);
  assert.equal(file(r, '/b').heap.growth, 65536);
  assert.equal(r.processes.length, 1);
  assert.deepEqual(r.processes[0]?.threads, [200, 201]);
  assert.equal(r.processes[0]?.heap.peak, 65536 + 4096);
});

test('a forked child starts with its parent thread\'s current file and a copy of its memory', async () => {
  const r = await text([
    '300 openat(AT_FDCWD, "/cfg", O_RDONLY) = 3',
    '300 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000',
    '300 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 301',
    '301 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000200000',
    '301 munmap(0x7f0000000000, 8192) = 0',
  ]);
  const child = r.processes.find((p) => p.pid === 301);
  const parent = r.processes.find((p) => p.pid === 300);
  assert.equal(child?.parentPid, 300);
  assert.equal(child?.heap.peak, 8192 + 4096);
  assert.equal(child?.heap.end, 4096);
  assert.equal(parent?.heap.end, 8192, 'the child unmapping its copy leaves the parent untouched');
  assert.deepEqual(file(r, '/cfg').heap, { peak: 12288, net: 4096, growth: 12288 });
});

test('execve clears the current file and starts an empty address space', async () => {
  const r = await text([
    '400 openat(AT_FDCWD, "/cfg", O_RDONLY) = 3',
    '400 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000',
    '400 execve("/bin/true", ["true"], 0x7ffc /* 3 vars */) = 0',
    '400 brk(NULL) = 0x555555554000',
    '400 brk(0x555555575000) = 0x555555575000',
  ]);
  assert.equal(file(r, '/cfg').heap.growth, 8192);
  assert.equal(r.unattributed.growth, 0x21000);
  const p = r.processes[0];
  assert.equal(p?.command, '/bin/true');
  assert.deepEqual(p?.argv, ['true']);
  assert.equal(p?.heap.end, 0x21000);
  // The peak is the larger of the old program's 8 KiB and the new one's brk heap.
  assert.equal(p?.heap.peak, 0x21000);
});

test('descriptor names come from -y decorations first, else from the table kept from open/dup/pipe', async () => {
  const r = await text([
    '500 openat(AT_FDCWD, "rel/x.xml", O_RDONLY) = 3',
    '500 dup2(3, 7) = 7',
    '500 close(3) = 0',
    '500 read(7, "x", 10) = 10',
    '500 pipe2([5, 6], O_CLOEXEC) = 0',
    '500 read(5, "abc", 3) = 3',
    '500 read(9</var/lib/app/state.db>, "q", 4096) = 4096',
  ]);
  assert.equal(file(r, 'rel/x.xml').bytesRead, 10);
  assert.equal(file(r, 'pipe').bytesRead, 3);
  assert.equal(file(r, '/var/lib/app/state.db').bytesRead, 4096);
});

test('failed calls change nothing', async () => {
  const r = await text([
    '600 openat(AT_FDCWD, "/missing", O_RDONLY) = -1 ENOENT (No such file or directory)',
    '600 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM (Cannot allocate memory) (INJECTED)',
    '600 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000',
    '600 munmap(0x7f0000000000, 4096) = -1 EINVAL (Invalid argument)',
  ]);
  assert.equal(r.files.length, 0);
  assert.equal(r.processes[0]?.heap.end, 4096);
});

test('mremap moves a region with its attributes; an unknown one counts as anonymous', async () => {
  const r = await text([
    '700 mmap(NULL, 1052672, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000',
    '700 mremap(0x7f0000000000, 1052672, 2101248, MREMAP_MAYMOVE) = 0x7f1000000000',
    '700 mremap(0x7e0000000000, 4096, 8192, MREMAP_MAYMOVE) = 0x7e1000000000',
  ]);
  assert.equal(r.processes[0]?.heap.end, 2101248 + 8192);
});

test('PROT_NONE reservations count once mprotect makes them writable (malloc arenas)', async () => {
  const r = await text([
    '800 mmap(NULL, 134217728, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0) = 0x7f5000000000',
    '800 munmap(0x7f5000000000, 67108864) = 0',
    '800 mprotect(0x7f5004000000, 135168, PROT_READ|PROT_WRITE) = 0',
  ]);
  assert.equal(r.processes[0]?.heap.end, 135168);
});

test('a new thread starts with its parent thread\'s current file', async () => {
  const r = await text([
    '900 openat(AT_FDCWD, "/models/big.bin", O_RDONLY) = 3',
    '900 read(3, "x", 10) = 10',
    '900 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, exit_signal=0} => {parent_tid=[901]}, 88) = 901',
    '901 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000',
  ]);
  assert.equal(file(r, '/models/big.bin').heap.growth, 65536);
  assert.equal(r.unattributed.growth, 0);
});
