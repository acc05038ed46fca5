// A large strace file parsed in chunks by two worker threads at once, while this thread runs the
// model on their events in the order of the file (docs/performance.md, session 13).
//
//   file:    | chunk 0 | chunk 1 | chunk 2 | chunk 3 | …   (1 MiB each, cut where lines end)
//   worker A:  parse 0             parse 2             …
//   worker B:            parse 1             parse 3   …
//   main:      apply 0, then 1, then 2, then 3 …  (each once its worker has finished it)
//
// Chunk 0 is read as the whole file would be. Any other chunk is read apart, by a parser that has
// not seen the lines before it (StraceParser.speculate). What such a parser cannot know depends
// on a few things only, and each is settled here, where the state of every line before is known:
// - its line numbers and, for -t/-tt times past a midnight, its times are off by a constant;
// - a call left unfinished before the chunk is resumed or moved inside it: the worker leaves
//   those lines to this thread (CarriedOp), which settles them in their place among the events;
// - the chunk's own pending calls, counts and clock are added to those before (absorb).
// What cannot be settled that way makes the chunk's rows worthless, and this thread parses the
// chunk itself, from the true state: a line left open across the start of the chunk, a -c
// summary running into it, a call started, resumed or moved by a thread without a pid prefix in
// a trace with them (or the other way round), times that cannot be shifted (-r, a midnight), a carried call whose resumption is incomplete, a chunk whose rows overflow its
// share of the ring, or lines the "not a trace" check may yet fail on (none a record so far). The
// report is then the same, byte for byte, as one parser reading the file from start to end: the
// tests compare them on every sample and shape, cut into chunks as small as a few lines.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ForwardedProblems, Problems } from '../problems.js';
import { continueClock } from './clock.js';
import { DETECT_LINES, lineFormat } from './detect.js';
import { TraceEvent, type TimestampKind } from './events.js';
import { endParser, sniff, SNIFF_LINES } from './feed.js';
import { eachLine, isGzip, lineTooLong, MAX_LINE, readError, type RangeCallback } from './input.js';
import { parsedState, remoteError, startParser, type RemoteHandlers, type RemoteInput, type WorkerError } from './remote.js';
import { CodeUnits } from './scan.js';
import { StraceParser, type CarriedOp, type ChunkEnd } from './strace.js';
import { ClockChanges, EventReader, newRing, type Batch, type ClockState } from './wire.js';

/**
 * Bytes of text per chunk, at most: measured on the 1 GB bench trace, 512 KiB chunks took
 * 4.2–4.5 s, 1 MiB 4.0–4.1, 2 MiB 4.1–4.2. A file of short lines gets smaller chunks, about
 * CHUNK_LINES lines each, so that a chunk's events fit its share of the ring (CHUNK_SLOTS).
 */
export const CHUNK_BYTES = 1 << 20;
const CHUNK_LINES = 8192;
const MIN_CHUNK_BYTES = 1 << 16;
/**
 * Batches in each worker's ring, and how many of them one chunk may fill before it is left to
 * this thread: the worker parses the next chunk while this thread applies the last one.
 */
export const CHUNK_RING_SLOTS = 16;
export const CHUNK_SLOTS = CHUNK_RING_SLOTS / 2;
/** What is read of the start of the file to decide whether it can be read in chunks. */
const PLAN_BYTES = 1 << 20;
const PIECE_BYTES = 1 << 16;
/**
 * What is read at a time to find where a line starts, twice per chunk: most lines are far shorter
 * (with 64 KiB, a worker read an eighth more than its chunks).
 */
const PROBE_BYTES = 4096;
const NEWLINE = 10;

export interface ChunkPlan {
  kind: TimestampKind;
  chunkBytes: number;
  /** Whether the trace's records carry pid prefixes (strace -f), or none do. */
  prefixed: boolean;
}

/**
 * Whether the file can be parsed in chunks: the timestamp kind its chunks' parsers start with,
 * the chunks' size and whether records carry pid prefixes; null when it cannot: gzip (read in
 * order only), binary, ltrace, or -r times (they add up).
 */
export function chunkPlan(path: string): ChunkPlan | null {
  const fd = openSync(path, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(PLAN_BYTES);
    head = buf.subarray(0, readSync(fd, buf, 0, PLAN_BYTES, 0));
  } finally {
    closeSync(fd);
  }
  if (isGzip(head) || head.includes(0)) return null;
  const lines = head.toString('utf8', 0, head.lastIndexOf(NEWLINE) + 1).split('\n').slice(0, SNIFF_LINES);
  lines.pop();
  if (lines.length === 0) return null;
  const told = lines.slice(0, DETECT_LINES).map(lineFormat).find((f) => f !== null) ?? 'strace';
  if (told !== 'strace') return null;
  const parser = new StraceParser(() => undefined, new Problems(), path);
  for (const line of lines) parser.push(line);
  if (parser.timestampKind === 'relative') return null;
  const perLine = lines.reduce((n, l) => n + l.length + 1, 0) / lines.length;
  return {
    kind: parser.timestampKind,
    chunkBytes: Math.min(CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, Math.round(perLine * CHUNK_LINES))),
    prefixed: prefixedRecords(lines),
  };
}

const PREFIXED = /^(?:\[pid +\d+|\d+[ <])/;
/** A record without a pid prefix: a timestamp (-t, -tt, -ttt), a call, a resumption, an exit or a signal. */
const UNPREFIXED_RECORD = /^(?:\d+[:.]\d|[A-Za-z_]\w*\(|<\.\.\. |\+\+\+ |--- )/;

/**
 * Whether the records carry pid prefixes, as the latest record read says: strace -f writing to
 * stderr starts without prefixes and takes them on when a second process appears. Lines that are
 * no record (-k stack frames, a program's output, strace's messages) say nothing.
 */
function prefixedRecords(lines: readonly string[]): boolean {
  for (let k = lines.length - 1; k >= 0; k--) {
    const line = lines[k] as string;
    if (PREFIXED.test(line)) return true;
    if (UNPREFIXED_RECORD.test(line)) return false;
  }
  return false;
}

/** How many chunks of `bytes` a file of `size` bytes has. */
export function chunkCount(size: number, bytes: number): number {
  return Math.ceil(size / bytes);
}

/** A file read chunk by chunk, synchronously (on a worker, or on this thread for a chunk left to it). */
export class ChunkFile {
  readonly size: number;
  private readonly fd: number;
  private buf = Buffer.allocUnsafeSlow(CHUNK_BYTES + PIECE_BYTES);
  private readonly probe = Buffer.allocUnsafeSlow(PROBE_BYTES);
  private readonly units = new CodeUnits();

  constructor(
    path: string,
    private readonly name: string,
  ) {
    try {
      this.fd = openSync(path, 'r');
      this.size = fstatSync(this.fd).size;
    } catch (err) {
      throw readError(name, err as NodeJS.ErrnoException);
    }
  }

  /** The last byte of the file (-1 when empty), to tell a cut last line. */
  lastByte(): number {
    if (this.size === 0) return -1;
    this.read(this.probe, 0, 1, this.size - 1);
    return this.probe[0] as number;
  }

  /** Where the first line starting at or after byte p starts (the file's size when none does). */
  lineStart(p: number): number {
    if (p <= 0) return 0;
    for (let at = p - 1; at < this.size; ) {
      const n = this.read(this.probe, 0, PROBE_BYTES, at);
      const nl = this.probe.subarray(0, n).indexOf(NEWLINE);
      if (nl >= 0) return at + nl + 1;
      at += n;
    }
    return this.size;
  }

  /**
   * Hand the lines of chunk k (those that start in its bytes) to `onRange`, each piece of text
   * decoded once as on the stream path (input.ts); returns the byte after the chunk's last line.
   */
  readLines(k: number, bytes: number, onRange: RangeCallback): number {
    const start = this.lineStart(k * bytes);
    const end = Math.max(start, this.lineStart((k + 1) * bytes));
    const n = end - start;
    if (n > this.buf.length) this.buf = Buffer.allocUnsafeSlow(n);
    const buf = this.buf;
    for (let got = 0; got < n; ) {
      const r = this.read(buf, got, n - got, start + got);
      if (r === 0) throw readError(this.name, Object.assign(new Error('the file became shorter while it was read'), { code: 'EIO' }));
      got += r;
    }
    for (let at = 0; at < n; ) {
      // A piece of at most PIECE_BYTES ending where a line ends (a longer line is one piece).
      let stop = Math.min(n, at + PIECE_BYTES);
      if (stop < n) {
        const nl = buf.lastIndexOf(NEWLINE, stop - 1);
        if (nl >= at) {
          stop = nl + 1;
        } else {
          const next = buf.indexOf(NEWLINE, stop);
          stop = next < 0 || next >= n ? n : next + 1;
        }
      }
      if (stop - at > MAX_LINE) throw lineTooLong(this.name);
      const s = buf.toString('utf8', at, stop);
      const u = this.units.load(s);
      const from = eachLine(s, u, onRange);
      // The file's last line, without a newline.
      if (from < s.length) onRange(s, from, s.length, u);
      at = stop;
    }
    return end;
  }

  close(): void {
    closeSync(this.fd);
  }

  private read(buf: Buffer, offset: number, length: number, position: number): number {
    try {
      return readSync(this.fd, buf, offset, length, position);
    } catch (err) {
      throw readError(this.name, err as NodeJS.ErrnoException);
    }
  }
}

/** How the chunks of a file were read: by a worker (apart from the lines before), or on this thread. */
export interface ChunkStats {
  chunks: number;
  readHere: number;
}

/** What a chunk worker is given. */
export interface ChunkWorkerInput {
  path: string;
  name: string;
  /** The chunks it parses: first, first + stride, … */
  first: number;
  stride: number;
  plan: ChunkPlan;
  behind: SharedArrayBuffer;
  ring: SharedArrayBuffer;
}

export type ChunkMessage =
  | { batch: Batch }
  /** Chunk `chunk` is parsed (its rows are the batches posted since the last such message); `to`: the byte after it. */
  | { chunk: number; to: number; end: ChunkEnd }
  /** Chunk `chunk` is left to the main thread; its batches so far carry nothing to apply. */
  | { chunk: number; to: number; gaveUp: string }
  | { error: WorkerError };

interface Side {
  worker: Worker;
  behind: Int32Array;
  reader: EventReader;
  queue: ChunkMessage[];
  /** The last chunk this worker parses, and whether its message came. */
  lastChunk: number;
  done: boolean;
}

/**
 * Parse the strace file `path` in chunks on two worker threads as `plan` says (chunkPlan), handing
 * its events to `to` on this one in the file's order and keeping `input` up to date.
 * Resolves when every event was handed on, with how the chunks were read; rejects with a parser's
 * error, or with a handler's.
 */
export function parseInChunks(path: string, name: string, plan: ChunkPlan, input: RemoteInput, to: RemoteHandlers): Promise<ChunkStats> {
  const chunkBytes = plan.chunkBytes;
  const file = new ChunkFile(path, name);
  const count = chunkCount(file.size, chunkBytes);
  // The parser that holds the state after every chunk applied so far, and parses the chunks left to
  // this thread; its clock is the input's while it does.
  const clock = new ClockChanges((c) => input.clock(c));
  const truth: StraceParser = new StraceParser(
    (e) => {
      clock.note(truth);
      to.event(e);
    },
    new ForwardedProblems(to.problem),
    name,
  );
  let ops: readonly CarriedOp[] = [];
  let base = 0;
  let shift = 0;
  const handlers = {
    ...to,
    // Chunk 0's clock rows (chunks read apart write none: the clock after them is absorbed).
    clock: (c: ClockState) => input.clock(c),
    op: (i: number) => void truth.settle(ops[i] as CarriedOp, base, shift),
  };

  /** Chunk k, parsed here from the true state. */
  const stats: ChunkStats = { chunks: count, readHere: 0 };
  const parseHere = (k: number): void => {
    stats.readHere++;
    if (k === 0) to.format('strace');
    file.readLines(k, chunkBytes, (s, from, end, u) => {
      truth.pushRange(s, from, end, u);
      if (truth.counts.lines <= SNIFF_LINES) sniff(truth, name);
    });
  };

  const release = (side: Side, batches: readonly ChunkMessage[], read: boolean): void => {
    for (const m of batches) {
      if (!('batch' in m)) continue;
      if (read) side.reader.read(m.batch);
      else side.reader.skip(m.batch);
      Atomics.sub(side.behind, 0, 1);
      Atomics.notify(side.behind, 0);
    }
  };

  /** Apply chunk k: its worker's rows, or a parse of it here. */
  const apply = (k: number, side: Side, batches: ChunkMessage[], last: ChunkMessage): void => {
    const end = 'end' in last ? last.end : null;
    if (end === null) {
      release(side, batches, false);
      parseHere(k);
      return;
    }
    if (k === 0) {
      side.reader.lineBase = 0;
      side.reader.timeShift = 0;
      release(side, batches, true);
      truth.beginChunk();
      truth.absorb(end, 0, end.clock);
      return;
    }
    const before = truth.lineCount;
    // The "not a trace" check fails at line SNIFF_LINES when no line before was a record.
    const sniffed = before >= SNIFF_LINES || truth.counts.parsed > 0;
    const next = truth.atRecordStart && sniffed ? continueClock(truth.clockState, end.clock) : null;
    truth.beginChunk();
    if (next === null || !truth.settles(end.ops, before, next.shift)) {
      release(side, batches, false);
      parseHere(k);
      return;
    }
    ops = end.ops;
    base = before;
    shift = next.shift;
    side.reader.lineBase = base;
    side.reader.timeShift = shift;
    release(side, batches, true);
    truth.absorb(end, base, next.clock);
  };

  return new Promise<ChunkStats>((resolve, reject) => {
    const sides: Side[] = [];
    let nextChunk = 0;
    let settled = false;
    const settle = (err: unknown): void => {
      if (settled) return;
      settled = true;
      for (const s of sides) {
        s.worker.unref();
        void s.worker.terminate();
      }
      file.close();
      if (err === null) resolve(stats);
      else reject(err);
    };
    const finish = (): void => {
      const tail = { bytes: file.size, lastByte: file.lastByte() };
      endParser(truth, tail);
      input.end(parsedState(truth, tail));
      settle(null);
    };
    /** Apply every chunk whose worker has finished it, in order. */
    const pump = (): void => {
      while (nextChunk < count) {
        const side = sides[nextChunk % sides.length] as Side;
        const at = side.queue.findIndex((m) => 'chunk' in m);
        if (at < 0) return;
        const msgs = side.queue.splice(0, at + 1);
        const last = msgs.pop() as ChunkMessage & { chunk: number; to: number };
        if (last.chunk !== nextChunk) throw new Error(`chunk ${last.chunk} arrived where ${nextChunk} was due`);
        apply(nextChunk, side, msgs, last);
        input.tail.bytes = last.to;
        nextChunk++;
      }
      finish();
    };
    if (count === 0) {
      finish();
      return;
    }
    const workers = Math.min(2, count);
    for (let w = 0; w < workers; w++) {
      const behind = new Int32Array(new SharedArrayBuffer(4));
      const ring = newRing(true, CHUNK_RING_SLOTS);
      const workerData: ChunkWorkerInput = {
        path, name, first: w, stride: workers, plan,
        behind: behind.buffer as SharedArrayBuffer, ring: ring.buffer as SharedArrayBuffer,
      };
      const worker = startParser('./chunk-worker.js', workerData);
      const lastChunk = count - 1 - ((count - 1 - w) % workers);
      const side: Side = { worker, behind, reader: new EventReader(ring, new TraceEvent(), name, handlers), queue: [], lastChunk, done: false };
      sides.push(side);
      worker.on('message', (m: ChunkMessage) => {
        if (settled) return;
        if ('error' in m) {
          settle(remoteError(name, m.error));
          return;
        }
        side.queue.push(m);
        if ('chunk' in m && m.chunk === side.lastChunk) side.done = true;
        try {
          pump();
        } catch (err) {
          settle(err);
        }
      });
      worker.on('error', (err) => settle(err));
      worker.on('exit', (code) => {
        if (!side.done) settle(new Error(`the worker thread parsing ${name} stopped (exit code ${code}) before the end of its input`));
      });
    }
  });
}
