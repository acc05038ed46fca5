// A large trace file parsed on a worker thread (parse-worker.ts) while this thread runs the model
// on its events: on two cores a report takes the time of the parse alone (docs/performance.md).
// Events, the parsers' problems and the clock's changes arrive in batches, in the order the parser
// made them, and go to the same handlers as on the single-thread path; what the parser knows at
// the end of the input arrives last, as a ParsedState. The model cannot tell the two paths apart.
import { Worker } from 'node:worker_threads';
import { HeaptraceError, type ErrorCode } from '../errors.js';
import { TIMESTAMP_KINDS, TraceEvent, type TimestampKind } from './events.js';
import type { Tail } from './input.js';
import { emptyCounts, type LineCounts, type LtraceCalls, type ParsedInput } from './parser.js';
import { EventReader, newRing, type Batch, type ClockState, type WireHandlers } from './wire.js';

export interface WorkerInput {
  path: string;
  name: string;
  pid: number;
  /** One Int32: batches the main thread has not read yet. */
  behind: SharedArrayBuffer;
  /** The rows of the batches (wire.ts newRing). */
  ring: SharedArrayBuffer;
}

/** A parser's state at the end of its input, as plain data. */
export interface ParsedState {
  counts: LineCounts;
  timestampKind: TimestampKind;
  firstTime: number;
  lastTime: number;
  straceMessages: number;
  lastStraceMessage: string;
  sawSummary: boolean;
  firstLine: string;
  truncated: boolean;
  ltraceCalls: LtraceCalls | null;
  tail: Tail;
}

/** An error on a worker thread, as plain data. */
export interface WorkerError {
  code: ErrorCode | null;
  message: string;
}

export type WorkerMessage =
  /** `bytes`: of the input's text, read so far (for the progress line). */
  | { batch: Batch; bytes: number }
  | { done: ParsedState }
  | { error: WorkerError };

export function toWorkerError(err: unknown): WorkerError {
  return err instanceof HeaptraceError
    ? { code: err.code, message: err.message }
    : { code: null, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}

/** A worker's error back on this thread: a HeaptraceError as the parser threw it, or what went wrong. */
export function remoteError(name: string, { code, message }: WorkerError): Error {
  return code === null ? new Error(`parsing ${name} on a worker thread: ${message}`) : new HeaptraceError(code, message);
}

export function parsedState(p: ParsedInput, tail: Tail): ParsedState {
  return {
    counts: p.counts,
    timestampKind: p.timestampKind,
    firstTime: p.firstTime,
    lastTime: p.lastTime,
    straceMessages: p.straceMessages,
    lastStraceMessage: p.lastStraceMessage,
    sawSummary: p.sawSummary,
    firstLine: p.firstLine,
    truncated: p.truncated,
    ltraceCalls: p.ltraceCalls,
    tail: { bytes: tail.bytes, lastByte: tail.lastByte },
  };
}

/**
 * What the main thread does with what the worker's parser made (its clock goes to the RemoteInput):
 * functions of their own, called without `this`.
 */
export type RemoteHandlers = Omit<WireHandlers, 'clock'>;

/** The worker's parser as the pipeline sees it: its clock while events arrive, all of it at the end. */
export class RemoteInput implements ParsedInput {
  counts: LineCounts = emptyCounts();
  timestampKind: TimestampKind = 'none';
  firstTime = NaN;
  lastTime = NaN;
  straceMessages = 0;
  lastStraceMessage = '';
  sawSummary = false;
  firstLine = '';
  truncated = false;
  ltraceCalls: LtraceCalls | null = null;
  tail: Tail = { bytes: 0, lastByte: -1 };

  clock(c: ClockState): void {
    this.timestampKind = TIMESTAMP_KINDS[c.kind] ?? 'none';
    this.firstTime = c.firstTime;
  }

  end(s: ParsedState): void {
    // The same tail object throughout: a reader of the bytes read so far holds it.
    const tail = this.tail;
    Object.assign(this, s);
    this.tail = Object.assign(tail, s.tail);
  }
}

/**
 * Parse the trace file `path` on a worker thread, handing its events to `to` on this one as they
 * come and keeping `input` up to date. Resolves when the input is over and every event was handed
 * on; rejects with the parser's error (a HeaptraceError as on the main thread), or with a handler's.
 */
export function parseInWorker(path: string, name: string, pid: number, input: RemoteInput, to: RemoteHandlers): Promise<void> {
  const behind = new Int32Array(new SharedArrayBuffer(4));
  const ring = newRing(true);
  const reader = new EventReader(ring, new TraceEvent(), name, { ...to, clock: (c) => input.clock(c) });
  const workerData: WorkerInput = { path, name, pid, behind: behind.buffer as SharedArrayBuffer, ring: ring.buffer as SharedArrayBuffer };
  const worker = startParser('./parse-worker.js', workerData);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (err: unknown): void => {
      if (settled) return;
      settled = true;
      if (err === null) {
        resolve();
      } else {
        // Stopped even while it waits on a full ring; and whatever becomes of it, it no longer
        // keeps the process alive.
        worker.unref();
        void worker.terminate();
        reject(err);
      }
    };
    worker.on('message', (m: WorkerMessage) => {
      if (settled) return;
      if ('batch' in m) {
        try {
          reader.read(m.batch);
          input.tail.bytes = m.bytes;
        } catch (err) {
          settle(err);
          return;
        }
        Atomics.sub(behind, 0, 1);
        Atomics.notify(behind, 0);
      } else if ('done' in m) {
        input.end(m.done);
        settle(null);
      } else {
        settle(remoteError(name, m.error));
      }
    });
    worker.on('error', (err) => settle(err));
    worker.on('exit', (code) => settle(new Error(`the worker thread parsing ${name} stopped (exit code ${code}) before the end of its input`)));
  });
}

/**
 * A parsing worker thread running `script` (beside this module). Its young generation is held at
 * 16 MiB: left to itself V8 grew a worker's to 32 MiB on long traces, and peak RSS grew with the
 * log's length (steady bench traces: 126 MiB at 100 MB, 170 at 1 GB; held: 132 and 146).
 */
export function startParser(script: string, workerData: unknown): Worker {
  return new Worker(new URL(script, import.meta.url), {
    workerData,
    execArgv: workerExecArgv(process.execArgv),
    resourceLimits: { maxYoungGenerationSizeMb: 16 },
  });
}

/**
 * The node options the worker starts with: this process's (undefined: inherited), unless they
 * say how to read code given on the command line (node --input-type=module -e '…'), which a
 * worker running a file refuses to start with; then none. Options are not filtered one by one:
 * given explicitly, node checks them and refuses the process-wide ones a worker inherits without
 * complaint (--max-old-space-size, --trace-gc), and the worker needs no option of its own.
 */
export function workerExecArgv(argv: readonly string[]): string[] | undefined {
  return argv.some((a) => a === '--input-type' || a.startsWith('--input-type=')) ? [] : undefined;
}
