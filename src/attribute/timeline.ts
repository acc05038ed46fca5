// The timeline: each process's heap and writable series over the trace, and which file was being
// read or charged when, reduced as it streams so that memory stays flat however long the trace.
//
// Reduction: x (seconds, or event order without timestamps) is cut into buckets of one width for
// the whole trace. Each bucket of a process keeps at most six of its points: the first, the last,
// and those where heap and writable were lowest and highest (the first such on ties). When a process
// has more than MAX_BUCKETS buckets the width doubles and neighbouring buckets merge, keeping the
// same six of their union. So the global maximum survives exactly (with the time it was first
// reached), and so does every point that is the highest within one final bucket width either side.
import type { ProcessState, ThreadState } from '../model/model.js';
import type { TraceEvent } from '../parse/events.js';
import type { FileStats } from './attribution.js';

/** Buckets per process before the width doubles: at most 6 × this many points per process. */
export const MAX_BUCKETS = 600;
/** Files reported per bucket of a process's activity; the rest are summed into one entry without a path. */
export const MAX_FILES_PER_BUCKET = 8;
/**
 * Files a bucket holds while the trace streams: more than it reports, so that a file that comes
 * late in a bucket and weighs much still makes the reported eight (a newcomer is never the one
 * pushed out when it arrives).
 */
const MAX_FILES_HELD = 32;

export class Row {
  constructor(
    readonly x: number,
    readonly heap: number,
    readonly writable: number,
    /** Order of arrival, to emit rows in trace order. */
    readonly seq: number,
    /** ltrace input: the mapped heap beside the requested one in `heap` (carried along, not a criterion of the reduction). */
    readonly mapped = 0,
  ) {}
}

/** What one process did with one file within one bucket. */
export class Activity {
  reads = 0;
  bytesRead = 0;
  /** Net heap change charged to the file in this process within the bucket. */
  heap = 0;
  growth = 0;

  constructor(
    /** Where the activity began. */
    public x: number,
    /** The file; null for heap changes charged to no file, and for a sum of several files. */
    public file: FileStats | null,
    /** True for the entry that sums files a bucket could not list one by one. */
    readonly summed = false,
  ) {}

  absorb(o: Activity): void {
    if (o.x < this.x) this.x = o.x;
    this.reads += o.reads;
    this.bytesRead += o.bytesRead;
    this.heap += o.heap;
    this.growth += o.growth;
  }

  /** How much this entry matters when a bucket has too many files. */
  get weight(): number {
    return Math.abs(this.heap) + this.growth + this.bytesRead;
  }
}

class Bucket {
  // All six are null together: a bucket can begin with file activity before any memory change.
  first: Row | null = null;
  last: Row | null = null;
  minHeap: Row | null = null;
  maxHeap: Row | null = null;
  minWritable: Row | null = null;
  maxWritable: Row | null = null;
  activity: Activity[] = [];

  constructor(public index: number) {}

  add(r: Row): void {
    if (this.first === null) this.first = r;
    this.last = r;
    if (this.minHeap === null || r.heap < this.minHeap.heap) this.minHeap = r;
    if (this.maxHeap === null || r.heap > this.maxHeap.heap) this.maxHeap = r;
    if (this.minWritable === null || r.writable < this.minWritable.writable) this.minWritable = r;
    if (this.maxWritable === null || r.writable > this.maxWritable.writable) this.maxWritable = r;
  }

  /** Fold the bucket that follows this one into it. */
  merge(b: Bucket): void {
    if (b.first !== null) {
      if (this.first === null) {
        this.first = b.first;
        this.minHeap = b.minHeap;
        this.maxHeap = b.maxHeap;
        this.minWritable = b.minWritable;
        this.maxWritable = b.maxWritable;
      } else {
        const bMinH = b.minHeap as Row, bMaxH = b.maxHeap as Row, bMinW = b.minWritable as Row, bMaxW = b.maxWritable as Row;
        if (bMinH.heap < (this.minHeap as Row).heap) this.minHeap = bMinH;
        if (bMaxH.heap > (this.maxHeap as Row).heap) this.maxHeap = bMaxH;
        if (bMinW.writable < (this.minWritable as Row).writable) this.minWritable = bMinW;
        if (bMaxW.writable > (this.maxWritable as Row).writable) this.maxWritable = bMaxW;
      }
      this.last = b.last;
    }
    for (const a of b.activity) this.note(a);
  }

  rows(): Row[] {
    if (this.first === null) return [];
    const set = new Set([this.first, this.minHeap, this.maxHeap, this.minWritable, this.maxWritable, this.last] as Row[]);
    return [...set].sort((a, b) => a.seq - b.seq);
  }

  /** The entry for `file`, created at x if new. */
  activityFor(file: FileStats | null, x: number): Activity {
    // Reads and charges come in runs on one file: try the entry used last first.
    const hit = this.lastUsed;
    if (hit !== null && hit.file === file && !hit.summed) return hit;
    let a = this.activity.find((o) => o.file === file && !o.summed);
    if (a === undefined) {
      a = new Activity(x, file);
      this.activity.push(a);
      if (this.activity.length > MAX_FILES_HELD) this.spill(a);
    }
    this.lastUsed = a;
    return a;
  }

  private lastUsed: Activity | null = null;

  private note(o: Activity): void {
    for (const a of this.activity) {
      if (a.file === o.file && a.summed === o.summed) {
        a.absorb(o);
        return;
      }
    }
    this.activity.push(o);
    if (this.activity.length > MAX_FILES_HELD) this.spill(null);
  }

  /** Too many files held: the least weighty named one (never `keep`, just created) joins the summed entry. */
  private spill(keep: Activity | null): void {
    let k = -1;
    for (let i = 0; i < this.activity.length; i++) {
      const a = this.activity[i] as Activity;
      if (a.file === null || a === keep) continue;
      if (k < 0 || a.weight < (this.activity[k] as Activity).weight) k = i;
    }
    const victim = this.activity.splice(k, 1)[0] as Activity;
    if (victim === this.lastUsed) this.lastUsed = null;
    this.rest().absorb(victim);
  }

  private rest(): Activity {
    let r = this.activity.find((a) => a.summed);
    if (r === undefined) {
      r = new Activity(Infinity, null, true);
      this.activity.push(r);
    }
    return r;
  }

  /**
   * The bucket's activity as reported: the MAX_FILES_PER_BUCKET weightiest files, then one entry
   * summing the other files (if any), then the changes charged to no file (if any).
   */
  reported(): Activity[] {
    const named = this.activity.filter((a) => a.file !== null).sort((p, q) => q.weight - p.weight);
    const spilled = this.activity.find((a) => a.summed);
    const none = this.activity.find((a) => a.file === null && !a.summed);
    const out = named.slice(0, MAX_FILES_PER_BUCKET);
    if (spilled !== undefined || named.length > MAX_FILES_PER_BUCKET) {
      const summed = new Activity(Infinity, null, true);
      if (spilled) summed.absorb(spilled);
      for (const a of named.slice(MAX_FILES_PER_BUCKET)) summed.absorb(a);
      out.push(summed);
    }
    if (none !== undefined) out.push(none);
    return out;
  }
}

/** Numbers per row (x, heap, writable, mapped) and per activity entry in ProcessSeries's packed form. */
const PACKED_ROW = 4;
const PACKED_ACTIVITY = 6;

export class ProcessSeries {
  readonly buckets: Bucket[] = [];
  /** Points offered before reduction. */
  points = 0;
  width: number;
  /**
   * What the series reported when its process ended, as plain numbers: an ended process takes no
   * more points, and a trace of thousands of short-lived processes should not keep thousands of
   * bucket lists alive (measured: 6.0 KB a process before, 2.9 KB after). Points that still come
   * (a thread whose exit line was lost) go to new buckets after these.
   */
  private packedRows: number[] = [];
  /** x, reads, bytesRead, heap, growth, summed (1 or 0) of each reported activity entry, and its file. */
  private packedActivity: number[] = [];
  private packedFiles: (FileStats | null)[] = [];

  constructor(width: number) {
    this.width = width;
  }

  /** The bucket for x. x never goes back by more than clock jitter; such a point joins the latest bucket. */
  private bucketAt(x: number): Bucket {
    const index = Math.floor(x / this.width);
    const last = this.buckets[this.buckets.length - 1];
    if (last && index <= last.index) return last;
    this.buckets.push(new Bucket(index));
    if (this.buckets.length > MAX_BUCKETS) this.coarsen();
    return this.buckets[this.buckets.length - 1] as Bucket;
  }

  add(row: Row): void {
    this.points++;
    this.bucketAt(row.x).add(row);
  }

  activity(x: number, file: FileStats | null): Activity {
    return this.bucketAt(x).activityFor(file, x);
  }

  private coarsen(): void {
    while (this.buckets.length > MAX_BUCKETS) {
      this.width *= 2;
      const merged: Bucket[] = [];
      for (const b of this.buckets) {
        b.index = Math.floor(b.index / 2);
        const prev = merged[merged.length - 1];
        if (prev && prev.index === b.index) prev.merge(b);
        else merged.push(b);
      }
      this.buckets.length = 0;
      this.buckets.push(...merged);
    }
  }

  rows(): Row[] {
    const out: Row[] = [];
    const p = this.packedRows;
    for (let k = 0; k < p.length; k += PACKED_ROW) {
      out.push(new Row(p[k] as number, p[k + 1] as number, p[k + 2] as number, out.length, p[k + 3] as number));
    }
    for (const b of this.buckets) for (const r of b.rows()) out.push(r);
    return out;
  }

  /** Each bucket's activity as reported (see Bucket.reported), in bucket order. */
  activityReported(): Activity[] {
    const out: Activity[] = [];
    const p = this.packedActivity;
    for (let k = 0, j = 0; k < p.length; k += PACKED_ACTIVITY, j++) {
      const a = new Activity(p[k] as number, this.packedFiles[j] as FileStats | null, p[k + 5] === 1);
      a.reads = p[k + 1] as number;
      a.bytesRead = p[k + 2] as number;
      a.heap = p[k + 3] as number;
      a.growth = p[k + 4] as number;
      out.push(a);
    }
    for (const b of this.buckets) out.push(...b.reported());
    return out;
  }

  /** The process ended: keep what the series reports, as numbers, and let the buckets go. */
  freeze(): void {
    if (this.buckets.length === 0) return;
    const rows: number[] = [];
    for (const r of this.rows()) rows.push(r.x, r.heap, r.writable, r.mapped);
    const activity: number[] = [];
    const files: (FileStats | null)[] = [];
    for (const a of this.activityReported()) {
      activity.push(a.x, a.reads, a.bytesRead, a.heap, a.growth, a.summed ? 1 : 0);
      files.push(a.file);
    }
    // Copies hold no spare capacity (an array grown by push keeps up to half again its length).
    this.packedRows = rows.slice();
    this.packedActivity = activity.slice();
    this.packedFiles = files.slice();
    this.buckets.length = 0;
  }

  /** x of the latest point; null before the first. */
  get lastX(): number | null {
    for (let k = this.buckets.length - 1; k >= 0; k--) {
      const last = (this.buckets[k] as Bucket).last;
      if (last !== null) return last.x;
    }
    const p = this.packedRows;
    return p.length > 0 ? (p[p.length - PACKED_ROW] as number) : null;
  }
}

/** Where an event sits on the x axis, and whether that is seconds or event order. */
export interface TimelineClock {
  /** Seconds from the trace's start, or the event's order in a trace without timestamps. */
  x(e: TraceEvent): number;
  readonly timed: boolean;
}

/** Collects the timeline from the attribution stage (see the top of this file). */
export class Timeline {
  readonly series = new Map<ProcessState, ProcessSeries>();
  private seq = 0;

  constructor(private readonly clock: TimelineClock) {}

  get timed(): boolean {
    return this.clock.timed;
  }

  /** The first bucket width: a microsecond for times, one event for event order. */
  private get initialWidth(): number {
    return this.clock.timed ? 1e-6 : 1;
  }

  private seriesOf(proc: ProcessState): ProcessSeries {
    let s = this.series.get(proc);
    if (!s) {
      s = new ProcessSeries(this.initialWidth);
      this.series.set(proc, s);
    }
    return s;
  }

  private sample(proc: ProcessState, x: number): void {
    this.seriesOf(proc).add(new Row(x, proc.heap, proc.writable, this.seq++, proc.mapped));
  }

  /** A thread's call changed its process's memory by dHeap (charged to `file`) and dWritable. */
  changed(thread: ThreadState, file: FileStats | null, dHeap: number, e: TraceEvent): void {
    // The process owning the memory: a vfork child changes its parent's.
    const proc = thread.proc.as.owner ?? thread.proc;
    const x = this.clock.x(e);
    this.sample(proc, x);
    if (dHeap === 0) return;
    const a = this.seriesOf(proc).activity(x, file);
    a.heap += dHeap;
    if (dHeap > 0) a.growth += dHeap;
  }

  /** A thread read `bytes` from `file`. */
  read(thread: ThreadState, file: FileStats, bytes: number, e: TraceEvent): void {
    const a = this.seriesOf(thread.proc).activity(this.clock.x(e), file);
    a.reads++;
    a.bytesRead += bytes;
  }

  /** A new process began with its own (copied) memory. */
  spawned(child: ThreadState, e: TraceEvent): void {
    if (child.tid === child.proc.pid && child.proc.as.owner === child.proc) this.sample(child.proc, this.clock.x(e));
  }

  /** A process executed a new program: its memory starts again from nothing. */
  execed(thread: ThreadState, e: TraceEvent): void {
    this.sample(thread.proc, this.clock.x(e));
  }

  /**
   * A process ended: its series ends here, at the level it held, rather than at its last change
   * (a line drawn to its last brk would say the process was gone long before it was).
   */
  ended(proc: ProcessState, e: TraceEvent): void {
    const s = this.series.get(proc);
    if (s === undefined) return;
    if (proc.as.owner === proc) this.sample(proc, this.clock.x(e));
    s.freeze();
  }

  /**
   * The trace is over at x: the series of every process still running runs on to it, since its
   * memory stayed where its last call left it.
   */
  finish(x: number): void {
    for (const [proc, s] of this.series) {
      if (proc.ended || proc.as.owner !== proc) continue;
      const last = s.lastX;
      if (last === null || x > last) this.sample(proc, x);
    }
  }
}
