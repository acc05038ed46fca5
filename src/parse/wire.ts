// Trace events across a thread boundary. A large file is parsed on a worker thread while the main
// thread runs the model (see parse-worker.ts): the parser's events are written here into batches
// of numbers, one fixed-width row per event, with every string replaced by an index (into a table
// both sides grow in the same order, or into the batch's own list). The rows are written into a
// ring of batches in memory both threads share, and read back into one reused TraceEvent, the
// same fields the parser set, so the model cannot tell the two paths apart.
import type { ProblemCode } from '../messages.js';
import { TIMESTAMP_KINDS, TRACE_FORMATS, type TimestampKind, type TraceEvent, type TraceFormat } from './events.js';
import type { Effect } from './grammar.js';
import { rebasePlace } from './parser.js';

/** Rows other than trace events, in the same stream so that their order against the events holds. */
export const WIRE = {
  /** The parser's Problems.add(code, where, count). */
  PROBLEM: 100,
  /** The format was told (the model counts requested bytes for ltrace). */
  FORMAT: 101,
  /** The trace's clock changed kind or found its first time (what Timeline and times read). */
  CLOCK: 102,
  /** A chunk's call carried in from before it, settled here in order (CarriedOp; chunks.ts). */
  OP: 103,
} as const;

// Columns of a row.
const TYPE = 0;
const TID = 1;
const TIME = 2;
const COMM = 3;
const NAME = 4;
const EFFECT = 5;
const RET = 6;
const FAILED = 7;
const RET_NAME = 8;
const ADDR = 9;
const LENGTH = 10;
const NEW_LENGTH = 11;
const PROT = 12;
const FLAGS = 13;
const FD = 14;
const NEW_FD = 15;
const STREAM = 16;
const PATH = 17;
const FD_NAME = 18;
const CODE = 19;
const SIGNAL = 20;
const LINE = 21;
/** Index into the batch's `extra` list (pipe's descriptors, execve's argv, a problem), -1 for none. */
const EXTRA = 22;
const WIDTH = 23;

/** Rows per batch: 368 kB of numbers, about a millisecond of parsing. */
export const BATCH_ROWS = 2048;
/** Batches in the ring both threads share: the worker writes one while the main thread reads the others. */
export const RING_SLOTS = 8;

/** The rows of every batch: a ring of RING_SLOTS (or `slots`) batches, in memory both threads see (no allocation, no copy). */
export function newRing(shared: boolean, slots = RING_SLOTS): Float64Array {
  const bytes = slots * BATCH_ROWS * WIDTH * Float64Array.BYTES_PER_ELEMENT;
  return new Float64Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

/**
 * What moves from the worker to the main thread once a batch is written: where its rows are, the
 * strings new since the last batch, and the rare lists.
 */
export interface Batch {
  /** The ring slot the rows are in. */
  slot: number;
  count: number;
  /** New entries of the table of call names, effects, comms and signals (kept for the whole trace). */
  calls: string[];
  /**
   * Paths and descriptor names, by their index in this batch. These grow with the files a trace
   * touches, so they are not kept from batch to batch: a name used in many batches is sent in each
   * (once per descriptor per batch, against thousands of rows). Measured against a table kept
   * across batches: as fast, and 20 MiB less peak RSS on the 1 GB bench trace.
   */
  names: string[];
  extra: unknown[];
}

interface Extra {
  fds: number[] | null;
  fdNames: (string | null)[] | null;
  argv: string[] | null;
}

interface ProblemRow {
  code: ProblemCode;
  where: string | undefined;
  count: number;
}

/** Clock state carried by a CLOCK row: the kind's index and the first time (NaN before one). */
export interface ClockState {
  kind: number;
  firstTime: number;
}

/**
 * Tells a parser's clock on whenever it changed: called before each event the parser emits, so
 * that the main thread reads the clock the event was parsed with (times, the timeline's axis).
 */
export class ClockChanges {
  private kind: TimestampKind | null = null;
  private first = NaN;

  constructor(private readonly changed: (c: ClockState) => void) {}

  note(p: { readonly timestampKind: TimestampKind; readonly firstTime: number }): void {
    if (p.timestampKind === this.kind && Object.is(p.firstTime, this.first)) return;
    this.kind = p.timestampKind;
    this.first = p.firstTime;
    this.changed({ kind: TIMESTAMP_KINDS.indexOf(p.timestampKind), firstTime: p.firstTime });
  }
}

/**
 * The strings of a small, bounded set (call names, effects, comms, signals) by index, kept for the
 * whole trace; null is -1. The parsers hand out the same string objects for these, so a slot
 * chosen by the string's length and end characters, compared by identity, answers most lookups
 * before the map (measured on the bench trace: a map lookup per string cost 25 ns an event).
 */
class Interner {
  private readonly ids = new Map<string, number>();
  private readonly slotString: (string | null)[] = new Array<string | null>(SLOTS).fill(null);
  private readonly slotId = new Int32Array(SLOTS);
  fresh: string[] = [];

  id(s: string | null): number {
    if (s === null) return -1;
    const n = s.length;
    const h = n === 0 ? 0 : (n * 7 + s.charCodeAt(0) * 3 + s.charCodeAt(n - 1)) & (SLOTS - 1);
    if (this.slotString[h] === s) return this.slotId[h] as number;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(s, id);
      this.fresh.push(s);
    }
    this.slotString[h] = s;
    this.slotId[h] = id;
    return id;
  }

  take(): string[] {
    const f = this.fresh;
    this.fresh = [];
    return f;
  }
}

const SLOTS = 256;

/** Descriptors below this have their name's index in the current batch kept in an array. */
const FD_SLOTS = 1024;

/**
 * The worker's side: rows into the ring's next slot, handed to `post` when full or flushed. `post`
 * returns once the slot after it is free to write.
 */
export class EventWriter {
  private slot = 0;
  /** Where the current slot's rows start in the ring. */
  private base = 0;
  private count = 0;
  private extra: unknown[] = [];
  private readonly calls = new Interner();
  private names: string[] = [];
  // The parser hands a descriptor's name as the same string object while the descriptor shows it
  // (NameCache), so the last string sent for a descriptor number in this batch, compared by
  // identity, is sent once.
  private readonly fdString: (string | null)[] = new Array<string | null>(FD_SLOTS).fill(null);
  private readonly fdId = new Int32Array(FD_SLOTS);
  private readonly slots: number;

  constructor(
    private readonly rows: Float64Array,
    private readonly post: (b: Batch) => void,
  ) {
    this.slots = rows.length / (BATCH_ROWS * WIDTH);
  }

  event(e: TraceEvent): void {
    const r = this.row();
    const rows = this.rows;
    const calls = this.calls;
    rows[r + TYPE] = e.type;
    rows[r + TID] = e.tid;
    rows[r + TIME] = e.time;
    rows[r + COMM] = calls.id(e.comm);
    rows[r + NAME] = calls.id(e.name);
    rows[r + EFFECT] = calls.id(e.effect);
    rows[r + RET] = e.ret;
    rows[r + FAILED] = e.failed ? 1 : 0;
    rows[r + RET_NAME] = this.fdName(e.ret, e.retName);
    rows[r + ADDR] = e.addr;
    rows[r + LENGTH] = e.length;
    rows[r + NEW_LENGTH] = e.newLength;
    rows[r + PROT] = e.prot;
    rows[r + FLAGS] = e.flags;
    rows[r + FD] = e.fd;
    rows[r + NEW_FD] = e.newFd;
    rows[r + STREAM] = e.stream;
    rows[r + PATH] = e.path === null ? -1 : this.name(e.path);
    rows[r + FD_NAME] = this.fdName(e.fd, e.fdName);
    rows[r + CODE] = e.code;
    rows[r + SIGNAL] = calls.id(e.signal);
    rows[r + LINE] = e.line;
    if (e.fds !== null || e.fdNames !== null || e.argv !== null) {
      rows[r + EXTRA] = this.extra.length;
      this.extra.push({ fds: e.fds, fdNames: e.fdNames, argv: e.argv } satisfies Extra);
    } else {
      rows[r + EXTRA] = -1;
    }
    this.advance();
  }

  problem(code: ProblemCode, where: string | undefined, count: number): void {
    const r = this.row();
    this.rows[r + TYPE] = WIRE.PROBLEM;
    this.rows[r + EXTRA] = this.extra.length;
    this.extra.push({ code, where, count } satisfies ProblemRow);
    this.advance();
  }

  format(f: TraceFormat): void {
    const r = this.row();
    this.rows[r + TYPE] = WIRE.FORMAT;
    this.rows[r + CODE] = TRACE_FORMATS.indexOf(f);
    this.advance();
  }

  op(index: number): void {
    const r = this.row();
    this.rows[r + TYPE] = WIRE.OP;
    this.rows[r + CODE] = index;
    this.advance();
  }

  clock(c: ClockState): void {
    const r = this.row();
    this.rows[r + TYPE] = WIRE.CLOCK;
    this.rows[r + CODE] = c.kind;
    this.rows[r + TIME] = c.firstTime;
    this.advance();
  }

  /** Hand over what is written (an empty batch is not sent). `post` may throw: the writer is ready for the next batch first. */
  flush(): void {
    if (this.count === 0) return;
    const batch: Batch = { slot: this.slot, count: this.count, calls: this.calls.take(), names: this.names, extra: this.extra };
    this.slot = (this.slot + 1) % this.slots;
    this.base = this.slot * BATCH_ROWS * WIDTH;
    this.count = 0;
    this.extra = [];
    this.names = [];
    this.fdString.fill(null);
    this.post(batch);
  }

  /** Drop the rows written since the last batch was handed over (its new call names still go with the next). */
  discard(): void {
    this.count = 0;
    this.extra = [];
    this.names = [];
    this.fdString.fill(null);
  }

  private row(): number {
    return this.base + this.count * WIDTH;
  }

  private advance(): void {
    if (++this.count === BATCH_ROWS) this.flush();
  }

  /** The index of a descriptor's -y name (retName for the descriptor a call returned, fdName for its argument). */
  private fdName(fd: number, name: string | null): number {
    if (name === null) return -1;
    if (fd >= 0 && fd < FD_SLOTS) {
      if (this.fdString[fd] === name) return this.fdId[fd] as number;
      const id = this.name(name);
      this.fdString[fd] = name;
      this.fdId[fd] = id;
      return id;
    }
    return this.name(name);
  }

  private name(s: string): number {
    this.names.push(s);
    return this.names.length - 1;
  }
}

/** What the main thread does with the rows that are not trace events. */
export interface WireHandlers {
  event(e: TraceEvent): void;
  problem(code: ProblemCode, where: string | undefined, count: number): void;
  format(f: TraceFormat): void;
  clock(c: ClockState): void;
  /** A chunk's CarriedOp, by its index (chunks.ts). */
  op?(index: number): void;
}

/** The main thread's side: batches back into events, in order. */
export class EventReader {
  private readonly calls: string[] = [];
  private readonly clockState: ClockState = { kind: 0, firstTime: NaN };
  /** For a chunk read apart (chunks.ts): what its lines' numbers and its times are off by. */
  lineBase = 0;
  timeShift = 0;

  constructor(
    private readonly rows: Float64Array,
    private readonly event: TraceEvent,
    /** The input's name, for the places of the model's problems. */
    private readonly source: string,
    private readonly to: WireHandlers,
  ) {}

  read(b: Batch): void {
    for (const s of b.calls) this.calls.push(s);
    const calls = this.calls;
    const names = b.names;
    const rows = this.rows;
    const e = this.event;
    const from = b.slot * BATCH_ROWS * WIDTH;
    for (let r = from, end = from + b.count * WIDTH; r < end; r += WIDTH) {
      const type = rows[r + TYPE] as number;
      if (type >= WIRE.PROBLEM) {
        this.special(type, r, b);
        continue;
      }
      e.type = type as TraceEvent['type'];
      e.tid = rows[r + TID] as number;
      e.time = (rows[r + TIME] as number) + this.timeShift;
      e.comm = str(calls, rows[r + COMM] as number);
      e.name = str(calls, rows[r + NAME] as number) ?? '';
      e.effect = str(calls, rows[r + EFFECT] as number) as Effect | null;
      e.ret = rows[r + RET] as number;
      e.failed = rows[r + FAILED] === 1;
      e.retName = str(names, rows[r + RET_NAME] as number);
      e.addr = rows[r + ADDR] as number;
      e.length = rows[r + LENGTH] as number;
      e.newLength = rows[r + NEW_LENGTH] as number;
      e.prot = rows[r + PROT] as number;
      e.flags = rows[r + FLAGS] as number;
      e.fd = rows[r + FD] as number;
      e.newFd = rows[r + NEW_FD] as number;
      e.stream = rows[r + STREAM] as number;
      e.path = str(names, rows[r + PATH] as number);
      e.fdName = str(names, rows[r + FD_NAME] as number);
      e.code = rows[r + CODE] as number;
      e.signal = str(calls, rows[r + SIGNAL] as number);
      e.line = (rows[r + LINE] as number) + this.lineBase;
      e.source = this.source;
      const x = rows[r + EXTRA] as number;
      if (x >= 0) {
        const extra = b.extra[x] as Extra;
        e.fds = extra.fds;
        e.fdNames = extra.fdNames;
        e.argv = extra.argv;
      } else {
        e.fds = null;
        e.fdNames = null;
        e.argv = null;
      }
      e.resolved = null;
      this.to.event(e);
    }
  }

  /** A batch whose rows are not applied: its new strings still join the table. */
  skip(b: Batch): void {
    for (const s of b.calls) this.calls.push(s);
  }

  private special(type: number, r: number, b: Batch): void {
    const rows = this.rows;
    if (type === WIRE.PROBLEM) {
      const p = b.extra[rows[r + EXTRA] as number] as ProblemRow;
      this.to.problem(p.code, p.where === undefined || this.lineBase === 0 ? p.where : rebasePlace(p.where, this.lineBase), p.count);
    } else if (type === WIRE.FORMAT) {
      this.to.format(TRACE_FORMATS[rows[r + CODE] as number] as TraceFormat);
    } else if (type === WIRE.CLOCK) {
      this.clockState.kind = rows[r + CODE] as number;
      this.clockState.firstTime = rows[r + TIME] as number;
      this.to.clock(this.clockState);
    } else if (type === WIRE.OP) {
      this.to.op?.(rows[r + CODE] as number);
    }
  }
}

function str(table: string[], id: number): string | null {
  return id < 0 ? null : (table[id] as string);
}
