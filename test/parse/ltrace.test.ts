// ltrace lines, one shape at a time, through the whole pipeline (analyze({ text })): what each
// library call in grammars/libcalls.json does to the live heap and to attribution.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, validateReport, type Report } from '../../src/index.js';

const run = async (lines: string[]): Promise<Report> => {
  const r = await analyze({ text: lines.join('\n') + '\n', name: 'l.txt' });
  assert.equal(validateReport(r), null);
  assert.equal(r.input.format, 'ltrace');
  assert.equal(r.input.unparsed, 0, `unparsed: ${r.input.unparsedLines.join(', ')}`);
  return r;
};
const heap = (r: Report, pid = r.processes[0]?.pid): { peak: number; end: number } => {
  const p = r.processes.find((x) => x.pid === pid);
  assert.ok(p, `no process ${String(pid)}`);
  return { peak: p.heap.peak, end: p.heap.end };
};
const warned = (r: Report, code: string): number => r.warnings.find((w) => w.code === code)?.count ?? 0;

test('malloc, calloc (n × size), free', async () => {
  const r = await run(['1 malloc(100) = 0x1000', '1 calloc(4, 256) = 0x2000', '1 free(0x1000) = <void>']);
  assert.deepEqual(heap(r), { peak: 1124, end: 1024 });
  assert.equal(r.processes[0]?.mapped, undefined, 'no -S lines: no mapped side');
  assert.equal(r.timeline.series[0]?.mapped, undefined);
});

test('realloc: NULL is malloc, size 0 is free, moved or in place, a failure changes nothing', async () => {
  const r = await run([
    '1 realloc(0, 100) = 0x1000', // malloc
    '1 realloc(0x1000, 300) = 0x1000', // in place
    '1 realloc(0x1000, 50) = 0x5000', // moved and shrunk
    '1 realloc(0x5000, 999999999999) = 0', // failed: the block stays
    '1 realloc(0x5000, 0) = 0', // free
  ]);
  assert.deepEqual(heap(r), { peak: 300, end: 0 });
  assert.equal(warned(r, 'HT_UNKNOWN_FREE'), 0);
});

test('reallocarray, aligned_alloc, memalign, valloc, pvalloc (whole pages), posix_memalign', async () => {
  const r = await run([
    '1 reallocarray(0, 10, 8) = 0x1000',
    '1 aligned_alloc(64, 640) = 0x2000',
    '1 memalign(64, 100) = 0x3000',
    '1 valloc(10) = 0x4000',
    '1 pvalloc(10) = 0x5000',
    '1 posix_memalign([0x6000], 64, 3000) = 0',
    '1 posix_memalign(0x7ffe0, 64, 5000) = 12', // ENOMEM: nothing allocated
    '1 free(0x6000) = <void>',
  ]);
  assert.deepEqual(heap(r), { peak: 80 + 640 + 100 + 10 + 4096 + 3000, end: 80 + 640 + 100 + 10 + 4096 });
  assert.equal(warned(r, 'HT_UNKNOWN_FREE'), 0);
});

test('posix_memalign without its out-parameter shown: bytes live, the gap said', async () => {
  const r = await run(['1 posix_memalign(0x7ffe35fb9998, 64, 3000, 0x7f656785bc47) = 0']);
  assert.deepEqual(heap(r), { peak: 3000, end: 3000 });
  assert.equal(warned(r, 'HT_LTRACE_NO_POINTER'), 1);
});

test('strdup and strndup: the string\'s bytes and its NUL; a string ltrace cut is a counted lower bound', async () => {
  const r = await run([
    '1 strdup("hello") = 0x1000',
    '1 strndup("hello world", 5) = 0x2000',
    '1 strdup("caf\\303\\251") = 0x3000',
    '1 strdup("0123456789012345678901234567890"...) = 0x4000',
  ]);
  assert.deepEqual(heap(r).end, 6 + 6 + 6 + 32);
  assert.equal(warned(r, 'HT_LTRACE_CUT_STRING'), 1);
});

test('C++ operator new and delete, mangled and demangled (ltrace -C)', async () => {
  const r = await run([
    '1 _Znam(40, 0x7ffd, 0x7ffd, 0x403df0) = 0x1000',
    '1 _Znwm(4, 40, 0, 0x1000) = 0x2000',
    '1 _ZnwmSt11align_val_t(100, 64, 0x1af97, 1) = 0x3000',
    '1 operator new[](unsigned long)(1000, 0x7fff, 0x7fff, 0x403df0) = 0x4000',
    '1 operator new(unsigned long, std::align_val_t)(100, 64, 0x20d8d, 1) = 0x5000',
    '1 _ZdlPvm(0x2000, 4, 0, 0x2000) = 0',
    '1 _ZdaPv(0x1000, 1, 0x1af97, 0) = 0',
    '1 _ZdlPvSt11align_val_t(0x3000, 64, 0, 5) = 0',
    '1 operator delete[](void*)(0x4000, 1, 0x20d8d, 0) = 0',
  ]);
  assert.deepEqual(heap(r), { peak: 1244, end: 100 });
  assert.equal(warned(r, 'HT_UNKNOWN_FREE'), 0);
});

test('a free of an unknown block and a double free are counted, never subtracted', async () => {
  const r = await run([
    '1 malloc(10) = 0x1000',
    '1 free(0x9999) = <void>',
    '1 free(0x1000) = <void>',
    '1 free(0x1000) = <void>',
    '1 realloc(0x8888, 20) = 0x2000',
    '1 free(0) = <void>',
  ]);
  assert.deepEqual(heap(r), { peak: 20, end: 20 });
  assert.equal(warned(r, 'HT_UNKNOWN_FREE'), 2);
  assert.equal(warned(r, 'HT_DOUBLE_FREE'), 1);
  assert.equal(r.timeline.series[0]?.heap.every((x) => x >= 0), true);
});

test('the program\'s PLT call and the libc symbol it enters (-e with -x) count once', async () => {
  const r = await run([
    'p->malloc(100000 <unfinished ...>',
    'malloc@libc.so.6(100000) = 0x382f480',
    '<... malloc resumed> ) = 0x382f480',
    'malloc@libc.so.6(472) = 0x382f2a0', // made inside fopen, untraced: a block of its own
  ]);
  assert.deepEqual(heap(r), { peak: 100472, end: 100472 });
});

test('unfinished and resumed per pid, nested per thread; <no return ...> applies nothing', async () => {
  const r = await run([
    '[pid 7] malloc(64 <unfinished ...>',
    '[pid 8] fopen("/data/n.txt", "r" <unfinished ...>',
    '[pid 8] malloc(32 <unfinished ...>', // nested inside pid 8's fopen
    '[pid 7] <... malloc resumed> ) = 0x1000',
    '[pid 8] <... malloc resumed> ) = 0x2000',
    '[pid 8] <... fopen resumed> ) = 0x3000',
    '[pid 8] fread(0x7ff, 1, 10, 0x3000) = 10', // the stream the outer call returned
    '[pid 7] free(0x1000 <no return ...>',
    '[pid 7] +++ killed by SIGSEGV +++',
  ]);
  // Nothing announced pid 8: a thread of 7, so one process holds both blocks.
  assert.equal(r.processes.length, 1);
  assert.deepEqual(r.processes[0]?.threads, [7, 8]);
  const total = r.processes.reduce((s, p) => s + p.heap.end, 0);
  assert.equal(total, 96);
  assert.equal(heap(r, 7).end, 96);
  assert.equal(warned(r, 'HT_ORPHAN_RESUMED'), 0);
  assert.equal(warned(r, 'HT_UNFINISHED_AT_END'), 0);
  assert.equal(r.files.find((f) => f.path === '/data/n.txt')?.bytesRead, 10, 'the resumed fopen named its stream');
});

test('stdio and descriptors: fopen/fread, fgets, getline, getdelim, open/read/pread, openat, fdopen, freopen', async () => {
  const r = await run([
    '1 00:00:01.000000 fopen("/data/a.xml", "r") = 0x100',
    '1 00:00:01.000001 fread(0x7ff, 4, 100, 0x100) = 25', // 25 elements of 4 bytes
    '1 00:00:01.000002 fgets("line\\n", 100, 0x100) = 0x7ff',
    '1 00:00:01.000003 fgets(0x7ff, 100, 0x100) = 0', // end of file
    '1 00:00:01.000004 getline(0x7ffe, 0x7ffd, 0x100, 0x7ffd) = 12',
    '1 00:00:01.000005 malloc(1000) = 0x1000',
    '1 00:00:01.000006 fclose(0x100) = 0',
    '1 00:00:01.000007 open("/data/b.bin", 0, 0) = 3',
    '1 00:00:01.000008 read(3, "abc", 100) = 3',
    '1 00:00:01.000009 pread(3, 0x7ff, 100, 0) = 7',
    '1 00:00:01.000010 malloc(2000) = 0x2000',
    '1 00:00:01.000011 openat(0xffffff9c, "/data/c.txt", 0) = 4',
    '1 00:00:01.000012 fdopen(4, "r") = 0x200',
    '1 00:00:01.000013 getdelim(0x7ffe, 0x7ffd, 44, 0x200) = 9',
    '1 00:00:01.000014 free(0x1000) = <void>',
    '1 00:00:01.000015 freopen("/data/d.txt", "r", 0x200) = 0x200',
    '1 00:00:01.000016 fread(0x7ff, 1, 10, 0x200) = 10',
    '1 00:00:01.000017 fgets("x", 10, 0x999) = 0x7ff', // a stream opened before the trace (stdin)
  ]);
  const f = (p: string) => r.files.find((x) => x.path === p);
  assert.equal(f('/data/a.xml')?.bytesRead, 100 + 5 + 12);
  assert.equal(f('/data/a.xml')?.reads, 3, 'the fgets at the end of the file read nothing and is not a read');
  assert.deepEqual(f('/data/a.xml')?.heap, { peak: 1000, net: 1000, growth: 1000 });
  assert.equal(f('/data/b.bin')?.bytesRead, 10);
  assert.deepEqual(f('/data/b.bin')?.heap, { peak: 2000, net: 2000, growth: 2000 });
  assert.equal(f('/data/c.txt')?.bytesRead, 9, 'fdopen names the stream after its descriptor');
  assert.deepEqual(f('/data/c.txt')?.heap, { peak: 0, net: -1000, growth: 0 }, 'the free happened while c.txt was current');
  assert.equal(f('/data/d.txt')?.bytesRead, 10);
  assert.equal(f('stream:0x999')?.bytesRead, 1);
  assert.equal(r.input.timestamps, 'time-of-day');
});

test('paths from the trace stay data: markup, __proto__, and a path ltrace cut short', async () => {
  const r = await run([
    '1 fopen("</script><img onerror=alert(1)>", "r") = 0x100',
    '1 fread(0x7ff, 1, 10, 0x100) = 10',
    '1 malloc(5) = 0x1000',
    '1 fopen("__proto__", "r") = 0x200',
    '1 fread(0x7ff, 1, 10, 0x200) = 3',
    '1 malloc(7) = 0x2000',
  ]);
  assert.deepEqual(r.files.find((x) => x.path === '</script><img onerror=alert(1)>')?.heap.peak, 5);
  assert.deepEqual(r.files.find((x) => x.path === '__proto__')?.heap.peak, 7);
  assert.equal(Object.getPrototypeOf(r.files.find((x) => x.path === '__proto__')), Object.prototype);
});

test('a cut path keeps "..." and is counted', async () => {
  const r = await run(['1 fopen("/tmp/heaptrace-ltrace-files-eQPO"..., "r") = 0x100', '1 fread(0x7ff, 1, 10, 0x100) = 10']);
  assert.ok(r.files.some((f) => f.path === '/tmp/heaptrace-ltrace-files-eQPO...'), r.files.map((f) => f.path).join(','));
  assert.equal(warned(r, 'HT_LTRACE_CUT_STRING'), 1);
});

test('-S: raw system calls feed the address-space model; raw -errno returns fail', async () => {
  const r = await run([
    '5 SYS_brk(0) = 0x1000000',
    '5 SYS_brk(0x1021000) = 0x1021000', // +0x21000
    '5 SYS_mmap(0, 8192, 3, 34) = 0x7f0000000000', // anonymous private read-write
    '5 SYS_mmap(0, 0x1e1f50, 1, 2050) = 0x7f1000000000', // a file, read-only
    '5 SYS_mmap(0, 0x4000, 3, 2) = 0x7f2000000000', // a file, private writable: writable, not heap
    '5 SYS_mmap(0, 4096, 3, 34) = -12', // failed
    '5 SYS_mprotect(0x7f0000000000, 4096, 1) = 0',
    '5 SYS_access("/etc/ld.so.preload", 04) = -2',
    '5 malloc(100) = 0x1000010',
    '5 SYS_munmap(0x7f2000000000, 16384) = 0',
    '5 SYS_restart_syscall(0, 0, 0x7f74f0149e80, 0 <unfinished ...>',
    '5 <... SYS_restart_syscall resumed> )        = ',
  ]);
  const p = r.processes[0];
  assert.equal(p?.heap.end, 100, 'heap is what was requested');
  assert.equal(p?.mapped?.end, 0x21000 + 4096);
  assert.equal(p?.mapped?.peak, 0x21000 + 8192);
  assert.equal(p?.writable.peak, 0x21000 + 8192 + 0x4000);
  assert.equal(p?.overhead?.end, 0x21000 + 4096 - 100);
  const series = r.timeline.series[0];
  assert.equal(series?.mapped?.length, series?.heap.length, 'the timeline carries the mapped side');
  assert.equal(series?.mapped?.at(-1), p?.mapped?.end);
  assert.equal(Math.max(...(series?.mapped ?? [])), p?.mapped?.peak);
  assert.equal(r.input.ignored, 1, 'the resumed line without a value');
  assert.deepEqual(r.files, [], 'system calls do not set the current file: library calls do');
});

test('exits, signals and exec: a new program starts with an empty heap', async () => {
  const r = await run([
    '9 malloc(500) = 0x1000',
    '9 --- SIGCHLD (Child exited) ---',
    '9 --- Called exec() ---',
    '9 malloc(30) = 0x1000',
    '9 +++ exited (status 3) +++',
  ]);
  assert.deepEqual(heap(r), { peak: 500, end: 30 });
  assert.equal(r.processes[0]?.exit?.code, 3);
});

test('-ttt and -r timestamps, -i addresses', async () => {
  const epoch = await run(['1 1795235010.885448 malloc(1) = 0x10', '1 1795235010.985448 free(0x10) = <void>']);
  assert.equal(epoch.input.timestamps, 'epoch');
  assert.equal(epoch.input.duration, 0.1);
  const rel = await run(['  0.000000 malloc(1) = 0x10', '  0.250000 free(0x10) = <void>', '  0.250000 malloc(1) = 0x10']);
  assert.equal(rel.input.timestamps, 'relative');
  assert.equal(rel.input.duration, 0.5);
  const ip = await run(['[0x40120e] hs->malloc(100) = 0x80', '[0xffffffffffffffff] +++ exited (status 0) +++']);
  assert.deepEqual(heap(ip), { peak: 100, end: 100 });
});

test('pthread_create announces a thread; a pid nobody announced is taken for a thread and said so', async () => {
  const r = await run([
    '1 pthread_create(0x7ffe, 0, 0x401196, 0) = 0',
    '2 malloc(64) = 0x1000',
    '3 free(0x1000) = <void>',
  ]);
  assert.equal(r.processes.length, 1);
  assert.deepEqual(r.processes[0]?.threads, [1, 2, 3]);
  assert.equal(warned(r, 'HT_UNKNOWN_FREE'), 0, 'threads share the heap');
  assert.equal(warned(r, 'HT_LTRACE_GUESSED_THREAD'), 1, 'pid 3 only');
});

test('-S: pthread_create\'s own SYS_clone makes the thread; its return leaves nothing for an unrelated pid to take', async () => {
  for (const early of [false, true]) {
    const r = await run([
      '1 pthread_create(0x7ffe, 0, 0x401196, 0 <unfinished ...>',
      ...(early ? ['2 malloc(8) = 0x2000'] : []), // the thread runs before the clone returns
      '1 SYS_clone(0x3d0f00, 0x7f00, 0x7f10, 0x7f20) = 2', // CLONE_VM|…|CLONE_THREAD|…
      '1 <... pthread_create resumed> ) = 0',
      '2 free(0x2000) = <void>',
      '3 malloc(16) = 0x3000', // nothing announced pid 3
    ]);
    assert.deepEqual(r.processes.map((p) => p.threads), [[1, 2, 3]], `early: ${early}`);
    assert.equal(warned(r, 'HT_LTRACE_GUESSED_THREAD'), 1, `pid 3 is a guess and said so (early: ${early})`);
  }
});

test('fork returns the child: a copy of the heap, its frees its own', async () => {
  const r = await run([
    '1 malloc(100) = 0x1000',
    '1 fork() = 2',
    '2 free(0x1000) = <void>',
    '2 +++ exited (status 0) +++',
  ]);
  assert.equal(r.processes.length, 2);
  assert.deepEqual(heap(r, 1), { peak: 100, end: 100 });
  assert.deepEqual(heap(r, 2), { peak: 100, end: 0 });
  assert.equal(warned(r, 'HT_UNKNOWN_FREE'), 0);
});

test('-S: a child that runs before its SYS_clone returns is the process the clone flags say', async () => {
  const r = await run([
    '1 malloc(100) = 0x1000',
    '1 SYS_clone(0x1200011, 0, 0, 0 <unfinished ...>', // SIGCHLD | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID: a fork
    '2 free(0x1000) = <void>',
    '1 <... SYS_clone resumed> ) = 2',
    '1 free(0x1000) = <void>',
  ]);
  assert.deepEqual(r.processes.map((p) => [p.pid, p.parentPid, p.threads]), [[1, null, [1]], [2, 1, [2]]]);
  assert.equal(warned(r, 'HT_DOUBLE_FREE'), 0, 'each process frees its own copy');
  assert.equal(warned(r, 'HT_LTRACE_GUESSED_THREAD'), 0);
});

test('-S: a pid taken for a thread, then returned by a SYS_clone without CLONE_THREAD, becomes a process', async () => {
  const r = await run([
    '1 malloc(100) = 0x1000',
    '2 malloc(5) = 0x2000', // nothing announced pid 2 yet: taken for a thread of 1
    '1 SYS_clone(0x1200011, 0, 0, 0) = 2',
    '1 free(0x1000) = <void>',
    '2 free(0x1000) = <void>',
  ]);
  assert.deepEqual(r.processes.map((p) => [p.pid, p.parentPid, p.threads]), [[1, null, [1]], [2, 1, [2]]]);
  assert.equal(warned(r, 'HT_DOUBLE_FREE'), 0, 'the child frees its own copy');
  assert.equal(heap(r, 2).end, 5);
});

test('a log cut mid-line says so; a whole last line without its newline does not', async () => {
  const cut = await analyze({ text: '1 malloc(100) = 0x1000\n1 free(0x10', name: 'l.txt' });
  assert.equal(cut.input.format, 'ltrace');
  assert.equal(cut.input.truncated, true);
  assert.equal(cut.input.unparsed, 1);
  assert.equal(warned(cut, 'HT_TRUNCATED'), 1);
  assert.deepEqual(heap(cut), { peak: 100, end: 100 });
  const whole = await analyze({ text: '1 malloc(100) = 0x1000\n1 free(0x1000) = <void>', name: 'l.txt' });
  assert.equal(whole.input.unparsed, 0);
  assert.equal(warned(whole, 'HT_TRUNCATED'), 0);
});

test('-S lines decode as strace\'s (one shared decoder): the same calls, raw or named, give the same memory', async () => {
  const strace = await analyze({ text: [
    'mmap(NULL, 8392704, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x7f0000000000',
    'mprotect(0x7f0000001000, 8388608, PROT_READ|PROT_WRITE) = 0',
    'mremap(0x7f0000001000, 8388608, 16777216, MREMAP_MAYMOVE) = 0x7e0000000000',
    'munmap(0x7f0000000000, 4096) = 0',
    'mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7d0000000000',
  ].join('\n') + '\n' });
  const r = await run([
    '1 malloc(1) = 0x10',
    '1 SYS_mmap(0, 0x801000, 0, 0x20022) = 0x7f0000000000',
    '1 SYS_mprotect(0x7f0000001000, 8388608, 3) = 0',
    '1 SYS_mremap(0x7f0000001000, 8388608, 16777216, 1) = 0x7e0000000000',
    '1 SYS_munmap(0x7f0000000000, 4096) = 0',
    '1 SYS_mmap(0, 65536, 3, 0x22) = 0x7d0000000000',
  ]);
  const moved = 16 * 1024 * 1024 + 65536; // the remapped 16 MiB, writable, and the new 64 KiB
  assert.equal(strace.processes[0]?.writable.end, moved);
  assert.equal(r.processes[0]?.writable.end, moved);
  assert.equal(r.processes[0]?.mapped?.end, strace.processes[0]?.heap.end);
});

test('property: any mix of ltrace fragments and noise never throws, keeps every line counted and the heap non-negative', async () => {
  const fc = (await import('fast-check')).default;
  const pieces = [
    '1 ', '[pid 2] ', '10:00:00.000001 ', '[0x4011e4] ', 'prog->', 'malloc(', 'free(', 'realloc(', 'calloc(', 'fopen(',
    'fread(', 'operator new(unsigned long)(', '_ZdlPv(', 'SYS_mmap(', 'SYS_brk(', '"a\\"b)"', '0x1000', '0', '-12', ', ', ')',
    ' = ', '<void>', ' <unfinished ...>', '<... malloc resumed> ', ' <no return ...>', '--- SIGSEGV (x) ---',
    '--- Called exec() ---', '+++ exited (status 1) +++', '+++ killed by SIGKILL +++', '(', '<', '>', '...',
  ];
  const line = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 6 })), { maxLength: 12 }).map((a) => a.join(''));
  await fc.assert(
    fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 30 }), async (lines) => {
      const text = ['1 malloc(1) = 0x10', ...lines].join('\n') + '\n';
      const r = await analyze({ text });
      const i = r.input;
      assert.equal(i.parsed + i.ignored + i.rejoined + i.unparsed, i.lines);
      assert.equal(validateReport(r), null);
      for (const p of r.processes) assert.ok(p.heap.end >= 0 && p.heap.peak >= 0);
    }),
    { numRuns: 200 },
  );
});
