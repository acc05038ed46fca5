// A file parsed on a worker thread (src/parse/remote.ts) must give what the same file parsed on
// the main thread gives: the report, every event the model saw, every change it charged, and the
// same error for input that is not a trace.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { analyze, parseOnWorker, WORKER_MIN_BYTES, type AnalyzeOptions } from '../../src/analyze.js';
import { fileSource, streamSource, textSize } from '../../src/parse/input.js';
import { workerExecArgv } from '../../src/parse/remote.js';
import { BATCH_ROWS, RING_SLOTS } from '../../src/parse/wire.js';
import { generateTrace } from '../bench/generate.js';
import { SAMPLES, SHAPES } from '../helpers/paths.js';

/** Everything analyze() makes of a file on one path: the report, events and changes, or the error. */
async function outcome(file: string, worker: NonNullable<AnalyzeOptions['worker']>, strict = false, chunkBytes?: number): Promise<string> {
  const events: unknown[] = [];
  const changes: unknown[] = [];
  try {
    const report = await analyze(file, { worker, strict, chunkBytes, onEvent: (e) => events.push(e), onChange: (c) => changes.push(c) });
    return JSON.stringify({ report, events, changes });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return JSON.stringify({ error: e.code ?? 'no code', message: e.message });
  }
}

/**
 * The outcome on this thread, which every other path must give: one worker, and two parsing
 * chunks at once (chunks.ts), in chunks of the size chosen for the file and in `chunkSizes`.
 */
async function assertSamePaths(file: string, strict = false, chunkSizes: readonly number[] = []): Promise<string> {
  const here = await outcome(file, 'never', strict);
  const paths: Array<[string, NonNullable<AnalyzeOptions['worker']>, number | undefined]> = [
    ['one worker', 'one', undefined],
    ['chunks', 'always', undefined],
    ...chunkSizes.map((n): [string, 'always', number] => [`chunks of ${n} bytes`, 'always', n]),
  ];
  for (const [path, worker, chunkBytes] of paths) {
    const there = await outcome(file, worker, strict, chunkBytes);
    if (there === here) continue;
    // Where they part, not both whole (a report runs to megabytes).
    let k = 0;
    while (here[k] === there[k]) k++;
    assert.fail(`${file}, ${path}: the outcome differs at ${k}: …${here.slice(k - 80, k + 80)}… against …${there.slice(k - 80, k + 80)}…`);
  }
  return here;
}

test('every sample and every single-file shape: the same report, events and changes on one worker and in chunks', async () => {
  const files = [
    ...readdirSync(SAMPLES).filter((f) => /\.(strace|ltrace)$/.test(f)).map((f) => join(SAMPLES, f)),
    ...readdirSync(SHAPES).filter((f) => /^\d.*\.txt$/.test(f)).map((f) => join(SHAPES, f)),
  ];
  // The corpus as committed (3 samples, 51 single-file shapes): a missing folder must not pass by checking nothing.
  assert.equal(files.length, 54);
  let errors = 0;
  for (const f of files) {
    // Chunks of a few lines: most lines are near a chunk's start or end.
    const o = await assertSamePaths(f, false, [64, 300]);
    if (o.startsWith('{"error"')) errors++;
  }
  // The summary-only captures (-c, -C) are not traces: their error crosses the thread as well.
  assert.ok(errors >= 1);
});

test('a trace of many batches, plain and gzipped, strict, cut short: the same on a worker thread', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-worker-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // More events than the ring of batches holds: it goes round.
  const gen = generateTrace({ size: 6_000_000, seed: 5, out: join(dir, 'gen.strace') });
  const text = readFileSync(gen.path);
  const whole = await assertSamePaths(gen.path, false, [4096]);
  assert.ok(JSON.parse(whole).events.length > RING_SLOTS * BATCH_ROWS);
  const gz = join(dir, 'gen.strace.gz');
  writeFileSync(gz, gzipSync(text));
  assert.equal(await assertSamePaths(gz), whole.replace('gen.strace"', 'gen.strace.gz"'));
  // The same file as two gzip members one after the other (cat a.gz b.gz), cut inside a line.
  const cutAt = text.length >> 1;
  writeFileSync(gz, Buffer.concat([gzipSync(text.subarray(0, cutAt)), gzipSync(text.subarray(cutAt))]));
  assert.equal(await assertSamePaths(gz), whole.replace('gen.strace"', 'gen.strace.gz"'));
  // Cut inside a line, with lines that are not trace lines in between: HT_TRUNCATED and
  // HT_UNPARSED come across in order with the events; --strict fails the same way.
  const cut = join(dir, 'cut.strace');
  const middle = text.indexOf(10, text.length >> 1) + 1;
  writeFileSync(cut, Buffer.concat([text.subarray(0, middle), Buffer.from('not a trace line\n'), text.subarray(middle, text.length - 40)]));
  const report = JSON.parse(await assertSamePaths(cut, false, [4096])).report;
  assert.deepEqual(report.warnings.map((w: { code: string }) => w.code).sort(), ['HT_TRUNCATED', 'HT_UNPARSED']);
  assert.match(await assertSamePaths(cut, true, [4096]), /HT_STRICT/);
});

test('input that is not a trace: the same error from the worker thread', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-worker-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cases: Record<string, string | Buffer> = {
    'empty.log': '',
    'binary.bin': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]),
    'prose.txt': 'The quick brown fox\n'.repeat(2000),
  };
  for (const [name, body] of Object.entries(cases)) {
    const file = join(dir, name);
    writeFileSync(file, body);
    assert.match(await assertSamePaths(file), /"error":"HT_NOT_A_TRACE"/, name);
  }
  // Gzipped, the sniff's error is thrown while zlib hands over text: it once escaped as a crash.
  const prose = join(dir, 'prose.txt.gz');
  writeFileSync(prose, gzipSync(cases['prose.txt'] as string));
  assert.match(await assertSamePaths(prose), /"error":"HT_NOT_A_TRACE"/);
  // Damaged in the middle, after a megabyte of lines parsed: zlib's error, on either thread.
  const gen = generateTrace({ size: 2_000_000, seed: 9, out: join(dir, 'gen.strace') });
  const damaged = gzipSync(readFileSync(gen.path));
  for (let i = damaged.length >> 1; i < (damaged.length >> 1) + 64; i++) damaged[i] = (damaged[i] as number) ^ 0x5a;
  const bad = join(dir, 'damaged.strace.gz');
  writeFileSync(bad, damaged);
  assert.match(await assertSamePaths(bad), /"error":"HT_UNREADABLE".*does not decompress/);
  // A file that cannot be read (unless the tests run as root, who reads anything).
  const locked = join(dir, 'locked.strace');
  writeFileSync(locked, readFileSync(join(SAMPLES, 'registry-spike.strace')));
  chmodSync(locked, 0);
  const o = await assertSamePaths(locked);
  if (process.getuid?.() !== 0) assert.match(o, /"error":"HT_UNREADABLE"/);
});

test('an error thrown by a handler on the main thread stops the worker and comes back as it was', async () => {
  const boom = new Error('handler failed');
  let seen = 0;
  await assert.rejects(
    analyze(join(SAMPLES, 'registry-spike.strace'), {
      worker: 'always',
      onEvent: () => {
        if (++seen === 10) throw boom;
      },
    }),
    (err) => err === boom,
  );
  assert.equal(seen, 10);
});

test("'auto' parses on a worker thread only a single file of WORKER_MIN_BYTES or more, on two processors or more", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-worker-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const small = join(dir, 'small.strace');
  const large = join(dir, 'large.strace');
  writeFileSync(small, 'x');
  writeFileSync(large, '');
  // Sparse: the size is what counts.
  truncateSync(large, WORKER_MIN_BYTES);
  const cores = availableParallelism() >= 2;
  assert.equal(parseOnWorker([fileSource(large)], 'auto'), cores);
  assert.equal(parseOnWorker([fileSource(large)], undefined), cores);
  assert.equal(parseOnWorker([fileSource(small)], 'auto'), false);
  assert.equal(parseOnWorker([fileSource(small)], 'always'), true);
  assert.equal(parseOnWorker([fileSource(large)], 'never'), false);
  // A gzip file counts the text its trailer records: 1 KiB that holds WORKER_MIN_BYTES.
  const packed = join(dir, 'packed.strace.gz');
  const gz = gzipSync(Buffer.from('x'.repeat(1024)));
  gz.writeUInt32LE(WORKER_MIN_BYTES, gz.length - 4);
  writeFileSync(packed, gz);
  assert.equal(textSize(packed), WORKER_MIN_BYTES);
  assert.equal(parseOnWorker([fileSource(packed)], 'auto'), cores);
  gz.writeUInt32LE(1024, gz.length - 4);
  writeFileSync(packed, gz);
  assert.equal(parseOnWorker([fileSource(packed)], 'auto'), false);
  // Standard input, and the files of an -ff set (merged on the main thread), never.
  assert.equal(parseOnWorker([streamSource(process.stdin)], 'always'), false);
  assert.equal(parseOnWorker([fileSource(large, 1), fileSource(large, 2)], 'always'), false);
});

test('a worker a ring ahead of a slow main thread waits for it, then goes on', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-worker-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const gen = generateTrace({ size: 6_000_000, seed: 6, out: join(dir, 'gen.strace') });
  const here = await analyze(gen.path, { worker: 'never' });
  // The first event holds the main thread long enough for the worker to fill every slot of the
  // ring: the worker must wait, be woken as batches are read, and lose nothing.
  let first = true;
  const there = await analyze(gen.path, {
    worker: 'always',
    onEvent: () => {
      if (!first) return;
      first = false;
      const until = Date.now() + 1500;
      while (Date.now() < until);
    },
  });
  assert.ok(here.input.events > RING_SLOTS * BATCH_ROWS);
  assert.deepEqual(there, here);
});

test('a handler that throws while the worker waits on a full ring: the error comes back, the worker ends', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-worker-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const gen = generateTrace({ size: 6_000_000, seed: 7, out: join(dir, 'gen.strace') });
  const boom = new Error('handler failed with the ring full');
  let seen = 0;
  await assert.rejects(
    analyze(gen.path, {
      worker: 'always',
      onEvent: () => {
        if (++seen > 1) return;
        // Long enough for the worker to fill the ring and block in Atomics.wait.
        const until = Date.now() + 1000;
        while (Date.now() < until);
        throw boom;
      },
    }),
    (err) => err === boom,
  );
  // A worker left blocked and holding the process would keep this file from ending: the run hangs.
});

test("the worker starts with this process's node options, or with none when they cannot start it", () => {
  assert.equal(workerExecArgv(['--max-old-space-size=512', '--trace-gc']), undefined);
  assert.equal(workerExecArgv([]), undefined);
  assert.deepEqual(workerExecArgv(['--input-type=module', '-e', 'code', '--max-old-space-size=512']), []);
  assert.deepEqual(workerExecArgv(['--input-type', 'module', '--eval', 'code']), []);
  // As a user's one-liner runs it: a V8 option and module code given on the command line.
  const code = `const { analyze } = await import(${JSON.stringify(new URL('../../src/index.js', import.meta.url).href)});
    const r = await analyze(${JSON.stringify(join(SAMPLES, 'registry-spike.strace'))}, { worker: 'always' });
    console.log(r.input.lines);`;
  for (const flags of [['--input-type=module', '--max-old-space-size=512'], ['--max-old-space-size=512', '--input-type', 'module']]) {
    const r = spawnSync(process.execPath, [...flags, '-e', code], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\d+\n$/);
  }
});
