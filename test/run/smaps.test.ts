// heaptrace run --smaps: the kernel's resident view of the traced processes, on the timeline's
// axis, agrees with what the program reads of itself from /proc/self/smaps_rollup.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { validateReport } from '../../src/report/schema.js';
import { formatResident, parseInterval, parseRollup, ResidentSampler } from '../../src/run/smaps.js';
import { outputLines, programSource, pythonExecutable, workDir } from '../helpers/trace.js';
import { runMain } from './helpers.js';

const MiB = 1024 * 1024;

test('--smaps intervals and smaps_rollup text are read exactly', () => {
  assert.equal(parseInterval('100ms'), 100);
  assert.equal(parseInterval('1s'), 1000);
  assert.equal(parseInterval('0.5s'), 500);
  assert.equal(parseInterval('2m'), 120_000);
  for (const bad of ['100', 'fast', '5ms', '-1s', '1 h', '']) assert.throws(() => parseInterval(bad), /an interval is a number/);
  const text = '55d0c8a7e000-7ffc33bf1000 ---p 00000000 00:00 0    [rollup]\nRss:               12340 kB\nPss:  1 kB\nPrivate_Clean:  8 kB\nPrivate_Dirty:      4567 kB\n';
  assert.deepEqual(parseRollup(text), { rss: 12340 * 1024, privateDirty: 4567 * 1024 });
  assert.equal(parseRollup(''), null, 'an exited process reads as empty');
});

test('a read that fails while the process execs loses one sample; a process gone from /proc is dropped for good', async () => {
  const rollup = (kb: number) => `00-ff ---p 0 00:00 0 [rollup]\nRss: ${kb} kB\nPrivate_Dirty: ${kb / 2} kB\n`;
  const script: Record<number, Array<string | NodeJS.ErrnoException>> = {
    7: [rollup(100), Object.assign(new Error('ESRCH'), { code: 'ESRCH' }), rollup(300)],
    8: [rollup(50), Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), rollup(999)],
  };
  const reads: string[] = [];
  const sampler = new ResidentSampler(1000, () => [7, 8], async (path) => {
    reads.push(path);
    const pid = Number(/\/proc\/(\d+)\//.exec(path)?.[1]);
    const next = script[pid]?.shift();
    if (next === undefined || typeof next !== 'string') throw next ?? new Error('no more');
    return next;
  });
  for (let k = 0; k < 3; k++) await sampler.tick();
  const series = sampler.result(Date.now() / 1000);
  assert.deepEqual(series.map((s) => [s.pid, s.rss.map((b) => b / 1024)]), [[7, [100, 300]], [8, [50]]]);
  assert.equal(reads.filter((p) => p.includes('/8/')).length, 2, 'pid 8 is not read again once gone');
});

test('the resident summary lists the highest Rss first', () => {
  const text = formatResident(
    [
      { pid: 7, x: [0, 1], rss: [MiB, 2 * MiB], privateDirty: [0, MiB] },
      { pid: 9, x: [0.5], rss: [80 * MiB], privateDirty: [64 * MiB] },
    ],
    '100ms',
    1,
  );
  assert.equal(
    text,
    'Resident memory (smaps_rollup every 100ms)\n  pid 9: peak Rss 80 MiB, peak Private_Dirty 64 MiB (1 samples kept)\n  … 1 more process(es) (--json lists all)\n',
  );
  assert.equal(formatResident([], '1s'), '');
});

test('run --smaps: resident series match the program\'s own smaps_rollup while it holds and after it frees 64 MiB', async (t) => {
  const dir = workDir(t, 'run-smaps', 'strace', 'python3');
  if (dir === null) return;
  const json = join(dir, 'report.json');
  const hold = 0.8;
  // Started through a shell that execs the program, as launcher scripts do: sampling must go on
  // across the execve (a read of smaps_rollup that races it fails once, it is not an exit).
  const r = await runMain(['run', '-q', '--smaps', '50ms', '--json', json, '--', '/bin/sh', '-c', 'exec "$0" "$@"', pythonExecutable(), programSource('resident.py'), String(hold)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^Resident memory \(smaps_rollup every 50ms\)\n {2}pid \d+: peak Rss /m);
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  assert.equal(validateReport(report), null);
  const own = new Map(outputLines(r.stdout, 'RESIDENT').map(([pid, label, at, rss, dirty]) => [label, { pid: Number(pid), at: Number(at), rss: Number(rss) * 1024, dirty: Number(dirty) * 1024 }]));
  const held = own.get('held');
  const freed = own.get('freed');
  assert.ok(held && freed, `program output: ${r.stdout}`);
  assert.ok(held.rss - freed.rss >= 60 * MiB, 'the program itself saw its 64 MiB come and go');

  const start = report.input.startTime;
  assert.ok(start !== null && report.timeline.axis === 'seconds');
  const series = report.timeline.resident?.find((s) => s.pid === held.pid);
  assert.ok(series, `a resident series for pid ${held.pid}: ${JSON.stringify(report.timeline.resident?.map((s) => s.pid))}`);
  assert.equal(series.x.length, series.rss.length);
  assert.equal(series.x.length, series.privateDirty.length);
  for (let i = 0; i < series.x.length; i++) {
    assert.ok((series.privateDirty[i] ?? 0) <= (series.rss[i] ?? 0), 'private dirty is part of resident');
    if (i > 0) assert.ok((series.x[i] ?? 0) >= (series.x[i - 1] ?? 0), 'x in order');
  }
  // Samples taken while the program sat in each state, placed on the trace's clock (-ttt epoch
  // seconds, the same clock as the program's time.time()): within 8 MiB of its own reading.
  const within = (from: number, to: number): number[] =>
    series.x.flatMap((x, i) => (x >= from - start + 0.05 && x <= to - start - 0.05 ? [i] : []));
  for (const [state, next] of [[held, freed.at], [freed, freed.at + hold]] as const) {
    const idx = within(state.at, next);
    assert.ok(idx.length >= 3, `samples while ${state === held ? 'holding' : 'freed'}: x=${JSON.stringify(series.x)}, program at ${state.at - start}`);
    for (const i of idx) {
      assert.ok(Math.abs((series.rss[i] ?? 0) - state.rss) <= 8 * MiB, `Rss sample ${series.rss[i]} vs the program's ${state.rss}`);
      assert.ok(Math.abs((series.privateDirty[i] ?? 0) - state.dirty) <= 8 * MiB, `Private_Dirty ${series.privateDirty[i]} vs ${state.dirty}`);
    }
  }
  // The model's writable series of the same process saw the same 64 MiB come and go.
  const model = report.timeline.series.find((s) => s.pid === held.pid);
  assert.ok(model && Math.max(...model.writable) - (model.writable[model.writable.length - 1] ?? 0) >= 60 * MiB);
});

test('run without --smaps has no resident series', async (t) => {
  const dir = workDir(t, 'run-no-smaps', 'strace', 'python3');
  if (dir === null) return;
  const json = join(dir, 'report.json');
  const r = await runMain(['run', '-q', '--json', json, '--', pythonExecutable(), '-c', 'pass']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(readFileSync(json, 'utf8')) as Report).timeline.resident, undefined);
});
