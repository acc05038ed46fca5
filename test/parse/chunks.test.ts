// A file parsed in chunks by two workers at once (src/parse/chunks.ts): chunks read apart from the
// lines before them where that gives the same result, and read on the main thread where it cannot.
// worker.test.ts compares every path's outcome on every sample and shape; these tests check that
// the chunks are in fact read apart, and the cases built to cross a chunk's start.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { analyze } from '../../src/analyze.js';
import { chunkPlan, parseInChunks, type ChunkStats } from '../../src/parse/chunks.js';
import { RemoteInput } from '../../src/parse/remote.js';
import { generateTrace } from '../bench/generate.js';
import { SAMPLES } from '../helpers/paths.js';

function tempDir(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-chunks-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function stats(file: string, chunkBytes: number): Promise<ChunkStats> {
  const plan = chunkPlan(file);
  assert.ok(plan, `${file} can be read in chunks`);
  return parseInChunks(file, file, { ...plan, chunkBytes }, new RemoteInput(), { event: () => undefined, problem: () => undefined, format: () => undefined });
}

/** The report, events and changes on the main thread, and in chunks of each size. */
async function assertSameInChunks(file: string, sizes: readonly number[]): Promise<void> {
  const outcome = async (o: { worker: 'never' | 'always'; chunkBytes?: number }): Promise<string> => {
    const events: unknown[] = [];
    const changes: unknown[] = [];
    const report = await analyze(file, { ...o, onEvent: (e) => events.push(e), onChange: (c) => changes.push(c) });
    return JSON.stringify({ report, events, changes });
  };
  const here = await outcome({ worker: 'never' });
  for (const chunkBytes of sizes) assert.equal(await outcome({ worker: 'always', chunkBytes }), here, `chunks of ${chunkBytes} bytes`);
}

test('a trace of many threads: every chunk after the first is read apart, and the report is the same', async (t) => {
  const gen = generateTrace({ size: 3_000_000, seed: 7, out: join(tempDir(t), 'gen.strace') });
  const s = await stats(gen.path, 8192);
  assert.ok(s.chunks > 300);
  assert.equal(s.readHere, 0);
  await assertSameInChunks(gen.path, [8192, 100_000]);
});

/**
 * Threads whose calls start in one chunk and resume in a later one, an execve by a second thread
 * that takes over the leader's pid, and times of day that pass midnight.
 */
function crossingTrace(): string {
  const lines: string[] = [];
  const pendingAt = new Map<number, [number, number]>();
  let time = 86_399.2;
  const stamp = (): string => {
    const s = time % 86_400;
    time += 0.000731;
    const hh = String(Math.floor(s / 3600)).padStart(2, '0');
    const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
    const ss = (s % 60).toFixed(6).padStart(9, '0');
    return `${hh}:${mm}:${ss}`;
  };
  const line = (pid: number, text: string): void => void lines.push(`${pid} ${stamp()} ${text}`);
  line(100, 'execve("/usr/bin/app", ["app"], 0x7ffd /* 3 vars */) = 0');
  let brk = 0x55d000000000;
  line(100, `brk(NULL) = 0x${brk.toString(16)}`);
  for (const tid of [101, 102]) line(100, `clone(child_stack=0x7f3e8c000ff0, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) = ${tid}`);
  for (let i = 0; i < 1500; i++) {
    // After the execve, the process is one thread again.
    const pid = i > 760 ? 100 : 100 + (i % 3);
    if (i % 50 === 1) line(pid, `openat(AT_FDCWD, "/data/part-${i}.xml", O_RDONLY) = 3</data/part-${i}.xml>`);
    // Thread 102 waits in execve from 700 to 760, then takes over 100's pid; every call resumes by the end.
    if (i % 7 === 0 && !(i > 650 && i < 800) && i < 1450) {
      // Started here, resumed lines on (before the thread's next call): in a later chunk when chunks are small.
      line(pid, `mmap(NULL, 1048576, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>`);
      pendingAt.set(i + (i > 760 ? 5 : 20), [pid, 0x7f0000000000 + i * 0x100000]);
    } else if (i % 3 === 1) {
      brk += 0x21000;
      line(pid, `brk(0x${brk.toString(16)}) = 0x${brk.toString(16)}`);
    } else {
      line(pid, `read(3</data/part-${i - (i % 50) + 1}.xml>, "<item/>"..., 4096) = 4096`);
    }
    const due = pendingAt.get(i);
    if (due) line(due[0], `<... mmap resumed>) = 0x${due[1].toString(16)}`);
    // A call that never resumes (its thread was stopped in it): the thread's next call, chunks
    // later, takes its place, and resumes at once. Then the thread ends with the execve.
    if (i === 657) line(101, 'futex(0x7f3e8c0009d0, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>');
    if (i === 690) {
      line(101, 'mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>');
      line(101, '<... mmap resumed>) = 0x7f3e8c200000');
    }
    if (i === 700) line(102, 'execve("/usr/bin/helper", ["helper"], 0x7ffd /* 3 vars */ <unfinished ...>');
    if (i === 760) {
      line(100, '+++ superseded by execve in pid 102 +++');
      line(100, '<... execve resumed>) = 0');
    }
  }
  line(100, '+++ exited with 0 +++');
  return lines.join('\n') + '\n';
}
test('calls resumed chunks later, an execve moved to the leader, and midnight: the same report in chunks', async (t) => {
  const file = join(tempDir(t), 'crossing.strace');
  writeFileSync(file, crossingTrace());
  const report = await analyze(file, { worker: 'never' });
  // The trace is what it means to be: it passes midnight, and its calls were joined.
  assert.ok(report.input.duration !== null && report.input.duration > 1);
  assert.equal(report.input.unparsed, 0);
  assert.deepEqual(report.warnings, []);
  const s = await stats(file, 512);
  // The chunk where midnight passes is read on the main thread; most others apart.
  assert.ok(s.readHere >= 1 && s.readHere < s.chunks / 4, `${s.readHere} of ${s.chunks} read on the main thread`);
  await assertSameInChunks(file, [256, 512, 4096]);
});

test('a line that is no record, then a carried call unparsed on the cut last line: read apart, the same report', async (t) => {
  const lines = ['100 12:00:00.000001 execve("/bin/app", ["app"], 0x7ffd /* 3 vars */) = 0'];
  lines.push('100 12:00:00.000002 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>');
  for (let i = 0; i < 40; i++) lines.push(`101 12:00:00.0001${String(i).padStart(2, '0')} brk(NULL) = 0x55d000000000`);
  // The program's own output in the file, then the resumption, its return cut to nonsense.
  lines.push('not a trace line');
  lines.push('100 12:00:00.000300 <... mmap resumed>) = zz');
  const file = join(tempDir(t), 'cut.strace');
  writeFileSync(file, lines.join('\n'));
  const report = await analyze(file, { worker: 'never' });
  // The last line counts as cut short: the latest line counted unparsed is the resumption, settled
  // on the main thread after the chunk's own unparsed line.
  assert.deepEqual(report.warnings.find((w) => w.code === 'HT_TRUNCATED')?.lines, [`${file}:44`]);
  for (const size of [128, 256, 512]) assert.equal((await stats(file, size)).readHere, 0, `chunks of ${size} bytes`);
  await assertSameInChunks(file, [128, 256, 512]);
});

test('lines longer than a probe for a line start, and than a piece of text: the same report in chunks', async (t) => {
  // strace -s 65536 prints whole buffers: lines of tens of kilobytes, some over the 64 KiB a piece
  // of text holds, with chunk starts falling inside them.
  const lines = ['100 12:00:00.000001 openat(AT_FDCWD, "/data/big.xml", O_RDONLY) = 3</data/big.xml>'];
  let brk = 0x55d000000000;
  for (let i = 0; i < 30; i++) {
    const n = [5000, 20_000, 70_000][i % 3] as number;
    lines.push(`100 12:00:00.${String(100 + i).padStart(6, '0')} read(3</data/big.xml>, "${'<item/>'.repeat(n / 7)}", ${n}) = ${n}`);
    brk += 0x21000;
    lines.push(`100 12:00:00.${String(200 + i).padStart(6, '0')} brk(0x${brk.toString(16)}) = 0x${brk.toString(16)}`);
  }
  const file = join(tempDir(t), 'long.strace');
  writeFileSync(file, lines.join('\n') + '\n');
  assert.ok((await stats(file, 8192)).readHere < 3);
  await assertSameInChunks(file, [64, 8192, 50_000]);
});

test("analyze() takes the path its worker option says: none, one worker, or two reading chunks", async (t) => {
  // The other tests compare the paths' outcomes, which are the same by design: they would pass as
  // well if analyze() never took the chunked path. Counted here by the threads it starts.
  let started = 0;
  const count = (): void => void started++;
  process.on('worker', count);
  t.after(() => process.off('worker', count));
  const threads = async (file: string, worker: 'never' | 'one' | 'always'): Promise<number> => {
    started = 0;
    // Chunks small enough that the sample has more than one (a file of one chunk needs one worker).
    await analyze(file, { worker, chunkBytes: 4096 });
    return started;
  };
  const strace = join(SAMPLES, 'python-minidom.strace');
  assert.equal(await threads(strace, 'never'), 0);
  assert.equal(await threads(strace, 'one'), 1);
  assert.equal(await threads(strace, 'always'), 2);
  // Gzip and ltrace are read in order, by one worker.
  const gz = join(tempDir(t), 'minidom.strace.gz');
  writeFileSync(gz, gzipSync(readFileSync(strace)));
  assert.equal(await threads(gz, 'always'), 1);
  assert.equal(await threads(join(SAMPLES, 'ltrace-files.ltrace'), 'always'), 1);
});

test('chunkPlan: plain strace files only, with the kind of their times and their prefixes', (t) => {
  const dir = tempDir(t);
  const write = (name: string, body: string | Buffer): string => {
    const f = join(dir, name);
    writeFileSync(f, body);
    return f;
  };
  const prefixed = '101 12:00:00.000001 brk(NULL) = 0x55d000000000\n';
  // Chunks of about 8,192 lines, here 47 bytes each.
  assert.deepEqual(chunkPlan(write('a.strace', prefixed.repeat(10))), { kind: 'time-of-day', chunkBytes: 47 * 8192, prefixed: true });
  assert.equal(chunkPlan(write('b.strace', 'brk(NULL) = 0x55d000000000\n'.repeat(10)))?.prefixed, false);
  // Lines that are no record (a -k stack frame, a program's output) do not decide it.
  assert.equal(chunkPlan(write('k.strace', `${prefixed} > /usr/lib/libc.so.6(brk+0xb) [0xfe1b]\nhello\n`))?.prefixed, true);
  assert.equal(chunkPlan(write('o.strace', 'brk(NULL) = 0x55d000000000\n 123 items\n'))?.prefixed, false);
  assert.equal(chunkPlan(write('c.strace', '1700000000.000001 brk(NULL) = 0x55d000000000\n'))?.kind, 'epoch');
  // -r times add up; gzip is read in order; ltrace is not strace.
  assert.equal(chunkPlan(write('r.strace', '     0.000120 brk(NULL) = 0x55d000000000\n'.repeat(3))), null);
  assert.equal(chunkPlan(write('g.strace.gz', gzipSync(prefixed))), null);
  assert.equal(chunkPlan(write('l.ltrace', '101 malloc(16) = 0x55d000000010\n')), null);
  assert.equal(chunkPlan(write('e.strace', '')), null);
});
