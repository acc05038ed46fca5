// The timeline's reduction: a bounded number of points per process however long the trace, the
// exact maximum kept with the time it was first reached, and every point that is the highest
// within one resolution either side kept as well.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileStats } from '../../src/attribute/attribution.js';
import { MAX_BUCKETS, MAX_FILES_PER_BUCKET, ProcessSeries, Row } from '../../src/attribute/timeline.js';
import { analyzeLines } from '../helpers/trace.js';

/** A deterministic generator, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Point {
  x: number;
  heap: number;
  writable: number;
}

/** A heap that wanders with bursts and drops, like an allocator under load: n points. */
function walk(n: number, seed: number, timed: boolean): Point[] {
  const rnd = lcg(seed);
  const out: Point[] = [];
  let heap = 1 << 20;
  let x = 0;
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.001) heap += Math.floor(rnd() * 64) << 20;
    else if (r < 0.002) heap = Math.max(0, heap - (Math.floor(rnd() * 64) << 20));
    else heap = Math.max(0, heap + (Math.floor(rnd() * 33) - 16) * 4096);
    // Times arrive in irregular gaps (sometimes several in one microsecond); event order is 1, 2, 3…
    x = timed ? Math.round((x + (rnd() < 0.3 ? 0 : rnd() * 1e-3)) * 1e6) / 1e6 : i + 1;
    out.push({ x, heap, writable: heap + 8192 });
  }
  return out;
}

/** Indices of points that are the highest (heap) within `w` either side: a sliding-window maximum. */
function windowPeaks(pts: Point[], w: number): number[] {
  const peaks: number[] = [];
  // For each point, the max over [x-w, x+w]: two monotonic passes would do; a deque over a window
  // that moves both ends forward is enough here.
  const dq: number[] = [];
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i] as Point;
    while (hi < pts.length && (pts[hi] as Point).x <= p.x + w) {
      while (dq.length > 0 && (pts[dq[dq.length - 1] as number] as Point).heap <= (pts[hi] as Point).heap) dq.pop();
      dq.push(hi++);
    }
    while (lo < i && (pts[lo] as Point).x < p.x - w) lo++;
    while (dq.length > 0 && (dq[0] as number) < lo) dq.shift();
    if ((pts[dq[0] as number] as Point).heap === p.heap) peaks.push(i);
  }
  return peaks;
}

function reduce(pts: Point[], width: number): ProcessSeries {
  const s = new ProcessSeries(width);
  pts.forEach((p, k) => s.add(new Row(p.x, p.heap, p.writable, k)));
  return s;
}

for (const [n, timed] of [[2_000_000, true], [1_000_000, false]] as const) {
  test(`${n.toLocaleString('en-US')} ${timed ? 'timed' : 'untimed'} points reduce to a few thousand, keeping the maximum and every window peak`, () => {
    const pts = walk(n, 7, timed);
    const s = reduce(pts, timed ? 1e-6 : 1);
    const rows = s.rows();
    assert.equal(s.points, n);
    assert.ok(rows.length <= 6 * MAX_BUCKETS, `${rows.length} rows`);
    assert.ok(rows.length > MAX_BUCKETS / 2, 'the reduction still shows the shape');

    // The exact maximum, at the time it was first reached.
    let max = pts[0] as Point;
    for (const p of pts) if (p.heap > max.heap) max = p;
    const top = rows.reduce((a, r) => (r.heap > a.heap ? r : a));
    assert.equal(top.heap, max.heap);
    assert.equal(top.x, max.x);

    // Rows are input points, in trace order.
    for (let k = 1; k < rows.length; k++) assert.ok((rows[k] as Row).seq > (rows[k - 1] as Row).seq);
    for (const r of rows) assert.equal(r.heap, (pts[r.seq] as Point).heap);

    // Every point that is the highest within one resolution either side is kept (or an equal one
    // in the same window, when the value repeats).
    const kept = new Set(rows.map((r) => r.seq));
    const byValue = new Map<number, number[]>();
    for (const r of rows) {
      const xs = byValue.get(r.heap) ?? [];
      xs.push(r.x);
      byValue.set(r.heap, xs);
    }
    const peaks = windowPeaks(pts, s.width);
    assert.ok(peaks.length > 0);
    for (const i of peaks) {
      if (kept.has(i)) continue;
      const p = pts[i] as Point;
      assert.ok(
        (byValue.get(p.heap) ?? []).some((x) => Math.abs(x - p.x) <= s.width),
        `window peak ${p.heap} at ${p.x} lost (resolution ${s.width})`,
      );
    }
  });
}

test('a generated trace of a million memory calls: the report\'s series keeps the exact peak and every window peak', async () => {
  // One process growing and shrinking its heap with brk and anonymous mmaps, a million calls at
  // irregular times; onChange hands over every point before reduction, to compare with.
  const rnd = lcg(11);
  const lines: string[] = ['7 00:00:00.000000 brk(NULL) = 0x10000000'];
  let brk = 0x10000000;
  let us = 0;
  const maps: number[] = [];
  let next = 0x7f0000000000;
  for (let i = 0; i < 1_000_000; i++) {
    us += Math.floor(rnd() * 40);
    const s = Math.floor(us / 1e6);
    const t = `00:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.${String(us % 1e6).padStart(6, '0')}`;
    const r = rnd();
    if (r < 0.45) {
      brk = Math.max(0x10000000, brk + (Math.floor(rnd() * 33) - 16) * 4096);
      lines.push(`7 ${t} brk(0x${brk.toString(16)}) = 0x${brk.toString(16)}`);
    } else if (r < 0.75 || maps.length === 0) {
      const len = (1 + Math.floor(rnd() * 64)) * 4096;
      lines.push(`7 ${t} mmap(NULL, ${len}, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x${next.toString(16)}`);
      maps.push(next, len);
      next += len + 4096;
    } else {
      const k = 2 * Math.floor(rnd() * (maps.length / 2));
      const [addr, len] = maps.splice(k, 2) as [number, number];
      lines.push(`7 ${t} munmap(0x${addr.toString(16)}, ${len}) = 0`);
    }
  }
  const all: Point[] = [];
  const r = await analyzeLines(lines, { onChange: (c) => all.push({ x: c.time ?? NaN, heap: c.heap, writable: c.writable }) });
  const series = r.timeline.series[0];
  assert.ok(series);
  assert.equal(series.points, all.length);
  assert.ok(all.length > 900_000);
  assert.ok(series.x.length <= 6 * MAX_BUCKETS);
  const max = Math.max(...series.heap);
  assert.equal(max, r.processes[0]?.heap.peak);
  assert.equal(series.x[series.heap.indexOf(max)], r.processes[0]?.heap.peakTime);
  let kept = 0;
  for (const i of windowPeaks(all, series.resolution)) {
    const p = all[i] as Point;
    const found = series.x.some((x, k) => series.heap[k] === p.heap && Math.abs(x - p.x) <= series.resolution + 1e-9);
    assert.ok(found, `window peak ${p.heap} at ${p.x} lost`);
    kept++;
  }
  assert.ok(kept > 10);
});

test('a bucket with many files reports the weightiest eight by name, however late they came, and sums the rest', () => {
  const s = new ProcessSeries(1);
  const files = Array.from({ length: 40 }, (_, k) => new FileStats(`/data/f${k}.xml`));
  // 39 files read a little each, then one more that is charged a lot, all within one bucket.
  files.slice(0, 39).forEach((f, k) => {
    const a = s.activity(0.5, f);
    a.reads++;
    a.bytesRead += 100 + k;
  });
  const late = s.activity(0.9, files[39] as FileStats);
  late.heap += 64 << 20;
  late.growth += 64 << 20;
  const bucket = s.buckets[0];
  assert.ok(bucket);
  const reported = bucket.reported();
  assert.equal(reported.length, MAX_FILES_PER_BUCKET + 1);
  assert.equal(reported[0]?.file?.path, '/data/f39.xml');
  // The other seven named are the weightiest of the rest (the most bytes read); the last entry sums what is left.
  assert.deepEqual(reported.slice(1, 8).map((a) => a.file?.path), [38, 37, 36, 35, 34, 33, 32].map((k) => `/data/f${k}.xml`));
  const rest = reported[8];
  assert.equal(rest?.file, null);
  assert.equal(rest?.summed, true);
  assert.equal(rest?.reads, 32);
  const total = (as: readonly { bytesRead: number }[]) => as.reduce((n, a) => n + a.bytesRead, 0);
  assert.equal(total(reported), files.slice(0, 39).reduce((n, _, k) => n + 100 + k, 0), 'nothing read is lost in the summing');
});

test('heap charged to no file and the sum of files a bucket cannot list stay two entries', () => {
  const s = new ProcessSeries(1);
  const none = s.activity(0.1, null);
  none.heap += 4096;
  none.growth += 4096;
  for (let k = 0; k < 40; k++) s.activity(0.2, new FileStats(`/f${k}`)).bytesRead += 10;
  const reported = s.buckets[0]?.reported() ?? [];
  const pathless = reported.filter((a) => a.file === null);
  assert.deepEqual(pathless.map((a) => [a.summed, a.heap, a.bytesRead]), [[true, 0, 320], [false, 4096, 0]]);
});

test('a series frozen at its process\'s end reports the same rows and activity, and takes later points after them', () => {
  const pts = walk(50_000, 7, true);
  const s = new ProcessSeries(1e-6);
  const files = [new FileStats('/a'), new FileStats('/b'), null];
  pts.forEach((p, k) => {
    s.add(new Row(p.x, p.heap, p.writable, k, k % 11));
    if (k % 97 !== 0) return;
    const a = s.activity(p.x, files[k % 3] as FileStats | null);
    a.reads++;
    a.bytesRead += k;
    a.heap += k % 5 === 0 ? -4096 : 8192;
    a.growth += 8192;
  });
  const plain = (rows: Row[]) => rows.map((r) => [r.x, r.heap, r.writable, r.mapped]);
  const rows = plain(s.rows());
  const activity = s.activityReported().map((a) => ({ ...a }));
  assert.ok(rows.length > 1000 && activity.length > 400, `${rows.length} rows, ${activity.length} activity entries`);
  s.freeze();
  assert.equal(s.buckets.length, 0, 'the buckets are let go');
  assert.deepEqual(plain(s.rows()), rows);
  assert.deepEqual(s.activityReported().map((a) => ({ ...a })), activity);
  // A point after the end (a thread whose exit line was lost) is kept after the frozen ones.
  const late = (pts[pts.length - 1] as Point).x + 1;
  s.add(new Row(late, 123, 456, pts.length));
  s.activity(late, files[0] as FileStats).reads++;
  assert.deepEqual(plain(s.rows()), [...rows, [late, 123, 456, 0]]);
  assert.equal(s.activityReported().length, activity.length + 1);
  assert.equal(s.lastX, late);
});

test('a short series is kept whole', () => {
  const pts = walk(500, 3, false);
  const rows = reduce(pts, 1).rows();
  assert.deepEqual(rows.map((r) => r.seq), pts.map((_, k) => k));
});

test('the report carries each process\'s series and the file activity, on the same time origin', async () => {
  const r = await analyzeLines([
    '10 12:00:00.000000 brk(NULL) = 0x1000000',
    '10 12:00:01.000000 openat(AT_FDCWD, "/etc/app.xml", O_RDONLY) = 3',
    '10 12:00:01.500000 read(3, "<a/>", 4096) = 4',
    '10 12:00:02.000000 brk(0x1100000) = 0x1100000',
    '10 12:00:02.500000 clone(child_stack=NULL, flags=SIGCHLD) = 11',
    '11 12:00:03.000000 execve("/bin/true", ["true"], 0x7ffc /* 1 var */) = 0',
    '10 12:00:04.000000 brk(0x1000000) = 0x1000000',
  ]);
  assert.equal(r.timeline.axis, 'seconds');
  const [parent, child] = r.timeline.series;
  assert.deepEqual(parent, { pid: 10, points: 2, resolution: 1e-6, x: [2, 4], heap: [0x100000, 0], writable: [0x100000, 0] });
  // The forked child starts with a copy of its parent's memory and drops to nothing at execve;
  // it never ends in the trace, so its series runs on to the trace's last line.
  assert.deepEqual(child && [child.pid, child.x, child.heap], [11, [2.5, 3, 4], [0x100000, 0, 0]]);
  assert.deepEqual(
    r.timeline.activity.map((a) => [a.x, a.pid, a.path, a.reads, a.bytesRead, a.heap]),
    [[1.5, 10, '/etc/app.xml', 1, 4, 0], [2, 10, '/etc/app.xml', 0, 0, 0x100000], [4, 10, '/etc/app.xml', 0, 0, -0x100000]],
  );
});

test('a series ends where its process exits; a process still running runs on to the end of the trace', async () => {
  const r = await analyzeLines([
    '10 12:00:00.000000 brk(NULL) = 0x1000000',
    '10 12:00:01.000000 brk(0x1100000) = 0x1100000',
    '10 12:00:01.500000 clone(child_stack=NULL, flags=SIGCHLD) = 11',
    '11 12:00:02.000000 brk(0x1200000) = 0x1200000',
    '11 12:00:03.000000 +++ exited with 0 +++',
    '10 12:00:03.100000 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=11, si_status=0} ---',
    '10 12:00:09.000000 getpid() = 10',
  ]);
  const [parent, child] = r.timeline.series;
  assert.deepEqual(parent && [parent.x, parent.heap], [[1, 9], [0x100000, 0x100000]]);
  assert.deepEqual(child && [child.x, child.heap], [[1.5, 2, 3], [0x100000, 0x200000, 0x200000]]);
  assert.deepEqual(r.processes.map((p) => p.exit), [null, { code: 0, signal: null, time: 3 }]);
});

test('a process killed with its threads ends at the first of their kill lines', async () => {
  const r = await analyzeLines([
    '20 12:00:00.000000 brk(NULL) = 0x1000000',
    '20 12:00:00.500000 brk(0x1100000) = 0x1100000',
    '20 12:00:00.600000 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, exit_signal=0, stack=0x7f0000000000, stack_size=0x7fff00}, 88) = 21',
    '21 12:00:02.000000 +++ killed by SIGKILL +++',
    '20 12:00:02.000100 +++ killed by SIGKILL +++',
  ]);
  assert.deepEqual(r.timeline.series[0]?.x, [0.5, 2]);
  assert.deepEqual(r.processes[0]?.exit, { code: null, signal: 'SIGKILL', time: 2 });
});

test('without timestamps the axis is event order', async () => {
  const r = await analyzeLines(['brk(NULL) = 0x1000000', 'getpid() = 5', 'brk(0x1100000) = 0x1100000']);
  assert.equal(r.timeline.axis, 'events');
  assert.deepEqual(r.timeline.series[0]?.x, [3]);
});
