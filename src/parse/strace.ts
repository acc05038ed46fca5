// The strace line parser: one line in, zero or more events out. It knows nothing about streams;
// src/analyze.ts feeds it lines that src/parse/input.ts reads from files, pipes and strings.
//
// State kept between lines is only what strace's format forces on a reader: calls left
// "<unfinished ...>" per thread (joined with their "<... resumed>" line), a line split by output
// interleaved from elsewhere (2>&1 captures; joined with its continuation), the timestamp kind,
// and whether we are inside a -c/-C summary table.
import { EVENT, TraceEvent, type TimestampKind } from './events.js';
import { isSpawn, lookupSyscall, SYSCALL_DEFS, type SyscallDef } from './grammar.js';
import {
  CH, detach, indexIn, intEnd, isDigit, isNameChar, parseIntAt, returnAt, ArgScan, skipAngle, unescapeBytes, UNFINISHED,
} from './scan.js';
import { LineParser, Status, type LineCounts, type TraceParser } from './parser.js';
import type { ClockSnapshot } from './clock.js';
import { decodeSyscallArgs, spawnFlags } from './syscall-args.js';



/** A split line is given up after this many continuation lines (or this many characters). */
const MAX_CONTINUATIONS = 8;
const MAX_PARTIAL = 1 << 20;

interface Pending {
  name: string;
  /** Arguments printed before "<unfinished ...>", for calls the model needs; null otherwise. */
  args: string | null;
}

const DETACHED = '<detached ...>';

/**
 * What a speculative parser (one chunk of a file, parsed without the lines before it: see
 * chunks.ts) cannot settle alone, because it depends on calls left unfinished before its chunk:
 * a "<... NAME resumed>" line of a thread with no call pending in the chunk (`text` holds the line
 * from its "<... " on), or an "execve in pid N" that moves N's pending call to another thread
 * (`text` null, `code` N). The main thread settles them in order, with the pending calls of
 * everything before (StraceParser.settle).
 */
export interface CarriedOp {
  /** The line's number within its chunk. */
  line: number;
  tid: number;
  /** The thread's own pending call was set or closed earlier in the chunk (so not carried in). */
  tidTouched: boolean;
  text: string | null;
  code: number;
  time: number;
  comm: string | null;
}

/** What a speculative parser met that only the parse of the lines before it could settle. */
export class GiveUp extends Error {}

/** A chunk's parser state at its end, as plain data, for the main thread to take over (StraceParser.absorb). */
export interface ChunkEnd {
  lines: number;
  counts: LineCounts;
  straceMessages: number;
  lastStraceMessage: string;
  sawSummary: boolean;
  firstLine: string;
  clock: ClockSnapshot;
  pending: Array<[number, Pending]>;
  touched: number[];
  partial: string | null;
  partialLine: number;
  partialPieces: number;
  inSummary: boolean;
  lastUnparsed: number;
  ops: CarriedOp[];
}

interface Speculation {
  /** Whether the trace's records carry pid prefixes (strace -f), or none do. */
  prefixed: boolean;
  /** Threads whose pending call was set or closed in the chunk. */
  touched: Set<number>;
  ops: CarriedOp[];
  /** Marks an op's place among the events (its index in `ops`). */
  mark: (index: number) => void;
}

/** Whether the pending call is the one named line[from, to) (compared in place, no substring). */
function named(p: Pending, line: string, from: number, to: number): boolean {
  return p.name.length === to - from && line.startsWith(p.name, from);
}

export class StraceParser extends LineParser implements TraceParser {
  /** strace's own messages (strace: …), the last one kept for a "this is not a trace" error. */
  straceMessages = 0;
  lastStraceMessage = '';
  sawSummary = false;

  private pending = new Map<number, Pending>();
  /** Set on a parser of a chunk read without the lines before it (speculate()). */
  private spec: Speculation | null = null;
  /** Set while settle() only checks: nothing is emitted or counted. */
  private quiet = false;
  /** Unparsed lines kept before the chunk being taken over (beginChunk). */
  private keptAtChunk = 0;
  /**
   * The event object handed to the sink, reused for every record: the model consumes it
   * synchronously and keeps none, so no 30-field object is allocated per call.
   */
  private readonly event = new TraceEvent();
  /** Argument bounds of the current call, reused for every line (no per-line allocation). */
  private readonly args = new ArgScan();
  private partial: string | null = null;
  private partialLine = 0;
  private partialPieces = 0;
  private inSummary = false;
  /** Feed one line (without its newline). */
  push(text: string): void {
    this.pushRange(text, 0, text.length, this.units(text));
  }

  /**
   * Feed the line s[from, to) (without its newline), whose code units are u[from, to): a piece of
   * input decoded once for all its lines (input.ts) is parsed where it lies, no line cut out of it.
   */
  override pushRange(s: string, from: number, to: number, u: Uint16Array): void {
    to = this.takeRange(s, from, to);
    if (this.partial !== null) {
      const line = s.slice(from, to);
      const joined = this.partial + line;
      const st = this.parseOnce(joined, 0, joined.length, this.units(joined), true);
      if (st === Status.Parsed || st === Status.Ignored) {
        this.counts.parsed++;
        this.counts.rejoined += this.partialPieces;
        this.clearPartial();
        return;
      }
      if (st === Status.Incomplete && this.partialPieces < MAX_CONTINUATIONS && joined.length < MAX_PARTIAL) {
        this.partial = this.stripEmbeddedMessage(joined);
        this.partialPieces++;
        return;
      }
      // The continuation did not complete it: the fragment stays unexplained, the line stands alone.
      this.abandonPartial();
      // The joined text took the parser's units: the line is read from a string of its own.
      s = line;
      from = 0;
      to = line.length;
      u = this.units(line);
    }
    const st = this.parseOnce(s, from, to, u, false);
    if (st !== Status.Incomplete) return this.tally(st);
    this.partial = this.stripEmbeddedMessage(s.slice(from, to));
    this.partialLine = this.lineNo;
    this.partialPieces = 1;
  }

  /**
   * Parse a line; when it turns out incomplete it will be parsed again joined with its
   * continuation, so the clock it moved (a -r stamp adds to the running time) is put back.
   */
  private parseOnce(line: string, start: number, n: number, u: Uint16Array, joined: boolean): Status {
    this.clock.save();
    const st = this.parseLine(line, start, n, u, joined);
    if (st === Status.Incomplete) this.clock.restore();
    return st;
  }

  /** The input is over: account for a split line still open and calls never resumed. */
  end(): void {
    // A partial of one piece is the last line itself (then partialLine is lineNo).
    this.noteTruncation(this.partial !== null && this.partialPieces === 1);
    if (this.partial !== null) this.abandonPartial();
    if (this.pending.size > 0) {
      this.problems.add('HT_UNFINISHED_AT_END', `${this.source}:${this.lineNo}`, this.pending.size);
      this.pending.clear();
    }
  }

  private clearPartial(): void {
    this.partial = null;
    this.partialPieces = 0;
  }

  private abandonPartial(): void {
    for (let k = 0; k < this.partialPieces; k++) this.markUnparsed(this.partialLine + k);
    this.clearPartial();
  }

  /**
   * In stderr mode strace writes "strace: Process N attached" in the middle of another record's
   * line; the record continues on the next line. Cut the message out so the pieces join.
   */
  private stripEmbeddedMessage(line: string): string {
    const at = line.indexOf('strace: Process ');
    if (at > 0 && (line.endsWith(' attached') || line.endsWith(' detached'))) {
      this.straceMessages++;
      return line.slice(0, at);
    }
    return line;
  }

  /**
   * Parse the line s[start, n) (u holds its code units). Indexes run over all of s: the line is
   * read where it lies, inside a piece of input (PieceLines). No walk or search runs past n; a
   * few checks read u[n], which is then the line's "\n" (or the "\r" before it, or the 0 after a
   * string's own units), a character none of them looks for.
   */
  private parseLine(line: string, start: number, n: number, u: Uint16Array, joined: boolean): Status {
    if (n === start) return Status.Ignored;
    const c0 = u[start] as number;

    // Lines that are never records: -k stack frames, -e write= hex dumps, strace's own messages,
    // -c/-C summary tables.
    if (c0 === CH.SPACE) {
      if (line.startsWith(' > ', start) || line.startsWith(' | ', start)) return Status.Ignored;
    } else if (c0 === 115 /* s */ && line.startsWith('strace: ', start)) {
      this.straceMessages++;
      this.lastStraceMessage = line.slice(start, n);
      return Status.Ignored;
    } else if (c0 === 37 /* % */ && line.startsWith('% time', start)) {
      this.inSummary = true;
      this.sawSummary = true;
      return Status.Ignored;
    }
    if (this.inSummary) {
      const text = line.slice(start, n);
      if (/^\s*[-\d.]+\s.*total\s*$/.test(text) || /^-+ /.test(text) || /^\s*[\d.]+\s+[\d.]+\s+\d+/.test(text)) {
        if (/total\s*$/.test(text)) this.inSummary = false;
        return Status.Ignored;
      }
      this.inSummary = false;
    }

    // Prefix: "[pid  123] ", "[pid 123<comm>] ", "123 ", "123<comm> ".
    let i = start;
    let tid = this.defaultTid;
    let comm: string | null = null;
    if (c0 === CH.LBRACKET && line.startsWith('[pid ', start)) {
      i = start + 5;
      while (i < n && u[i] === CH.SPACE) i++;
      const digits = i;
      let v = 0;
      for (; i < n && isDigit(u[i] as number); i++) v = v * 10 + (u[i] as number) - CH.ZERO;
      if (i === digits) return Status.Unparsed;
      tid = v;
      if (u[i] === CH.LT) {
        const end = skipAngle(line, i, u, n);
        comm = unescapeBytes(line, i + 1, end - 1);
        i = end;
      }
      if (i >= n || u[i] !== CH.RBRACKET) return Status.Unparsed;
      i++;
    } else if (isDigit(c0)) {
      let j = start;
      let v = 0;
      for (; j < n && isDigit(u[j] as number); j++) v = v * 10 + (u[j] as number) - CH.ZERO;
      const after = j < n ? u[j] : 0;
      if (after === CH.SPACE || after === CH.LT) {
        tid = v;
        i = j;
        if (after === CH.LT) {
          const end = skipAngle(line, j, u, n);
          comm = unescapeBytes(line, j + 1, end - 1);
          i = end;
        }
      }
    }
    while (i < n && u[i] === CH.SPACE) i++;

    // Timestamp: HH:MM:SS[.frac], epoch.frac, relative (-r), and "-tt -r"'s " (+ 0.000237)".
    let time = NaN;
    if (i < n && isDigit(u[i] as number)) {
      const end = this.clock.read(line, i, u, n);
      if (end > i) {
        time = this.clock.value;
        i = end;
        while (i < n && u[i] === CH.SPACE) i++;
        if (i + 1 < n && u[i] === CH.LPAREN && u[i + 1] === CH.PLUS) {
          const close = indexIn(u, CH.RPAREN, i, n);
          if (close < 0) return Status.Incomplete;
          i = close + 1;
          while (i < n && u[i] === CH.SPACE) i++;
        }
      }
    }
    if (i >= n) return joined ? Status.Incomplete : Status.Unparsed;

    const c = u[i] as number;
    if (c === CH.LT && line.startsWith('<... ', i)) return this.parseResumed(line, i, n, u, tid, time, comm);
    if (c === CH.PLUS && line.startsWith('+++ ', i)) return this.parseExit(line.slice(i + 4, n), tid, time, comm);
    if (c === CH.MINUS && line.startsWith('--- ', i)) return this.parseSignal(line.slice(i, n), tid, time, comm);
    if (!isNameChar(c)) return Status.Unparsed;

    let p = i;
    while (p < n && isNameChar(u[p] as number)) p++;
    if (p >= n || u[p] !== CH.LPAREN) {
      if (line.startsWith('strace: ', i)) {
        this.straceMessages++;
        this.lastStraceMessage = line.slice(i, n);
        return Status.Ignored;
      }
      return Status.Unparsed;
    }
    return this.parseCall(line, i, p, n, u, tid, time, comm);
  }

  private parseResumed(
    line: string, i: number, n: number, u: Uint16Array, tid: number, time: number, comm: string | null, skipOwn = false,
  ): Status {
    // "<... NAME resumed>": the name, then the marker (found in place, not searched for: a search
    // would run on past the line's end).
    const nameStart = i + 5;
    let mark = nameStart;
    while (mark < n && isNameChar(u[mark] as number)) mark++;
    if (mark + 9 > n || !line.startsWith(' resumed>', mark)) return Status.Unparsed;
    const rest = mark + 9;
    this.mustBeApart(tid);
    if (this.spec !== null && !this.pending.has(tid)) {
      // The call may have started before the chunk: the main thread closes it.
      this.carry({ line: this.lineNo, tid, tidTouched: this.spec.touched.has(tid), text: line.slice(i, n), code: -1, time, comm });
      return Status.Parsed;
    }
    const key = this.pendingKey(tid, line, nameStart, mark, skipOwn);
    const pending = key === null ? undefined : this.pending.get(key);
    if (key !== null && key !== tid && tid < 0) tid = key;
    if (!pending || key === null) {
      // A resumed call whose start we never saw (trace attached mid-call, or a start line lost).
      if (SYSCALL_DEFS.has(line.slice(nameStart, mark)) && !this.quiet) this.problems.add('HT_ORPHAN_RESUMED', `${this.source}:${this.lineNo}`);
      return Status.Parsed;
    }
    if (pending.args === null) {
      // Not a call the model needs; all that matters is that the pair is closed.
      const st = this.completion(line, rest, n, u);
      if (st === Status.Parsed) this.dropPending(key);
      return st;
    }
    const name = pending.name;
    const combined = name + '(' + pending.args + line.slice(rest, n);
    const st = this.parseCall(combined, 0, name.length, combined.length, this.units(combined), tid, time, comm, true);
    if (st === Status.Parsed) this.dropPending(key);
    return st;
  }

  /**
   * Which pending call a "<... NAME resumed>" line closes (NAME is line[from, to)). strace -f
   * writing to stderr drops the pid prefix while only one process is traced, so a call may start
   * without a prefix and resume with one, or the other way round: an unprefixed side matches the
   * one pending call of that name.
   */
  private pendingKey(tid: number, line: string, from: number, to: number, skipOwn: boolean): number | null {
    const own = skipOwn ? undefined : this.pending.get(tid);
    if (own) return named(own, line, from, to) ? tid : null;
    if (tid >= 0) {
      const unprefixed = this.pending.get(-1);
      return unprefixed && named(unprefixed, line, from, to) ? -1 : null;
    }
    let found: number | null = null;
    for (const [k, p] of this.pending) {
      // skipOwn: the thread's own call was closed in the chunk being settled, not carried in.
      if ((skipOwn && k === tid) || !named(p, line, from, to)) continue;
      if (found !== null) return null;
      found = k;
    }
    return found;
  }

  /** A "+++ …" line; body is what follows the "+++ ". */
  private parseExit(body: string, tid: number, time: number, comm: string | null): Status {
    // Rare lines: a linear regex is fine here.
    const e = this.event.reset();
    e.tid = tid;
    e.time = time;
    e.comm = comm;
    e.source = this.source;
    e.line = this.lineNo;
    let m: RegExpExecArray | null;
    if ((m = /^exited with (-?\d+) \+\+\+/.exec(body)) !== null) {
      e.type = EVENT.EXITED;
      e.code = Number(m[1]);
    } else if ((m = /^killed by (SIG[A-Z0-9+-]+)( \(core dumped\))? \+\+\+/.exec(body)) !== null) {
      e.type = EVENT.KILLED;
      e.signal = m[1] ?? null;
    } else if ((m = /^superseded by execve in pid (\d+) \+\+\+/.exec(body)) !== null) {
      // The exec'ing thread takes over the leader's pid; its unfinished execve resumes under it.
      e.type = EVENT.SUPERSEDED;
      e.code = Number(m[1]);
      this.mustBeApart(tid);
      const moved = this.pending.get(e.code);
      if (moved) {
        this.dropPending(e.code);
        this.setPending(tid, moved);
      } else if (this.spec !== null && !this.spec.touched.has(e.code)) {
        // N's call may have started before the chunk: the main thread moves it. Until then this
        // thread's pending call is whatever the lines before held.
        const spec = this.spec;
        this.carry({ line: this.lineNo, tid, tidTouched: spec.touched.has(tid), text: null, code: e.code, time, comm });
        this.pending.delete(tid);
        spec.touched.delete(tid);
        spec.touched.add(e.code);
      }
    } else {
      return Status.Unparsed;
    }
    this.counts.events++;
    this.emit(e);
    return Status.Parsed;
  }

  /** A "--- …" line, from its "---" on. */
  private parseSignal(text: string, tid: number, time: number, comm: string | null): Status {
    const m = /^--- (?:stopped by )?(SIG[A-Z0-9+-]+)/.exec(text);
    if (m === null) return text.trimEnd().endsWith('---') ? Status.Ignored : Status.Unparsed;
    const e = this.event.reset();
    e.type = EVENT.SIGNAL;
    e.tid = tid;
    e.time = time;
    e.comm = comm;
    e.signal = m[1] ?? null;
    e.source = this.source;
    e.line = this.lineNo;
    this.counts.events++;
    this.emit(e);
    return Status.Parsed;
  }

  /** Parsed when the text line[i, n) closes the call and shows its return; Incomplete otherwise. */
  private completion(line: string, i: number, n: number, u: Uint16Array): Status {
    // The rest of the arguments: the scan starts inside the call's parenthesis.
    const close = this.args.scan(line, i, n, false, u);
    if (close < 0) return line.endsWith(UNFINISHED, n) ? Status.Parsed : Status.Incomplete;
    return indexIn(u, CH.EQ, close, n) >= 0 ? Status.Parsed : Status.Incomplete;
  }

  /** The call line[nameStart, n) whose "(" is at open (u holds the line's code units). */
  private parseCall(
    line: string, nameStart: number, open: number, n: number, u: Uint16Array,
    tid: number, time: number, comm: string | null, resumed = false,
  ): Status {
    const def = lookupSyscall(line, nameStart, open, u);
    const close = this.args.scan(line, open + 1, n, def !== undefined, u);
    if (close < 0) {
      let end = n;
      while (end > open && (u[end - 1] as number) <= CH.SPACE) end--;
      if (line.endsWith(UNFINISHED, end) && !resumed) {
        this.mustBeApart(tid);
        const argsEnd = end - UNFINISHED.length;
        // strace prints the arguments so far, then " <unfinished ...>". What is kept until the
        // call resumes is copied: a view would keep the whole chunk of input it came from alive.
        const args = def ? detach(line.slice(open + 1, argsEnd > open + 1 && u[argsEnd - 1] === CH.SPACE ? argsEnd - 1 : argsEnd)) : null;
        this.setPending(tid, { name: def ? def.name : detach(line.slice(nameStart, open)), args });
        if (def && isSpawn(def)) this.emitSpawnStart(def, args ?? '', tid, time, comm);
        return Status.Parsed;
      }
      if (line.endsWith(DETACHED, end)) return Status.Parsed;
      return Status.Incomplete;
    }
    // After the close: " = RET [ERRNO (text)] [<duration>]".
    let i = returnAt(line, close, u, n);
    if (i < 0 || i >= n) return Status.Incomplete;
    if (!def) return Status.Parsed;

    const e = this.event.reset();
    e.type = EVENT.CALL;
    e.tid = tid;
    e.time = time;
    e.comm = comm;
    e.name = def.name;
    e.effect = def.effect;
    e.source = this.source;
    e.line = this.lineNo;
    const retStart = i;
    if (u[i] === CH.QMARK) {
      e.ret = NaN;
    } else {
      e.ret = parseIntAt(line, i, u, n);
      // Skip the number (parseIntAt read its digits already) and a decoration on it (= 3</etc/x>,
      // = 10371<hs_forker>).
      i = intEnd;
      while (i < n && u[i] !== CH.SPACE && u[i] !== CH.LT) i++;
      if (i < n && u[i] === CH.LT) {
        if (def.returns === 'fd') {
          e.retName = this.args.decorationAt(line, retStart, i, e.ret, u, n);
          i = this.args.end;
        } else {
          i = skipAngle(line, i, u, n);
        }
      }
      while (i < n && u[i] === CH.SPACE) i++;
      // "-1 ENOENT (…)": an errno name after the value means failure; -X raw prints "-1 (errno 2)".
      const ec = i < n ? (u[i] as number) : 0;
      e.failed = e.ret < 0 && ((ec >= CH.A_UP && ec <= CH.Z_UP) || ec === CH.LPAREN);
      if (Number.isNaN(e.ret)) return Status.Unparsed;
    }
    if (this.quiet) return Status.Parsed;
    if (!decodeSyscallArgs(e, def, line, this.args, open, close, u)) {
      this.problems.add('HT_BAD_ARGS', `${this.source}:${this.lineNo}`);
      return Status.Parsed;
    }
    this.counts.events++;
    this.emit(e);
    return Status.Parsed;
  }

  private setPending(tid: number, p: Pending): void {
    this.pending.set(tid, p);
    this.spec?.touched.add(tid);
  }

  private dropPending(tid: number): void {
    this.pending.delete(tid);
    this.spec?.touched.add(tid);
  }

  /**
   * In a chunk read apart, a call of the other kind of thread than the trace's (with a pid prefix
   * where records have none, or without where they have) may start, resume or move only where
   * every line before is known: the unprefixed side matches calls of any thread (pendingKey).
   */
  private mustBeApart(tid: number): void {
    if (this.spec !== null && tid < 0 === this.spec.prefixed) throw new GiveUp('calls with and without a pid prefix');
  }

  private carry(op: CarriedOp): void {
    const spec = this.spec as Speculation;
    spec.ops.push(op);
    spec.mark(spec.ops.length - 1);
  }

  /**
   * Read a chunk of a file without the lines before it: calls that may have started before are
   * left to the main thread (CarriedOp, marked in place by `mark`), and a record with a pid prefix
   * in a trace without (`prefixed` false), or one without in a trace with, throws GiveUp. The
   * clock starts knowing the trace's timestamp kind.
   */
  speculate(mark: (index: number) => void, kind: TimestampKind, prefixed: boolean): void {
    this.spec = { prefixed, touched: new Set(), ops: [], mark };
    this.clock.kind = kind;
  }

  /** This parser's state after its chunk (see absorb). */
  chunkEnd(): ChunkEnd {
    return {
      lines: this.lineNo,
      counts: this.counts,
      straceMessages: this.straceMessages,
      lastStraceMessage: this.lastStraceMessage,
      sawSummary: this.sawSummary,
      firstLine: this.firstLine,
      clock: this.clock.snapshot(),
      pending: [...this.pending],
      touched: this.spec ? [...this.spec.touched] : [],
      partial: this.partial,
      partialLine: this.partialLine,
      partialPieces: this.partialPieces,
      inSummary: this.inSummary,
      lastUnparsed: this.lastUnparsedLine,
      ops: this.spec?.ops ?? [],
    };
  }

  /** Lines read so far. */
  get lineCount(): number {
    return this.lineNo;
  }

  get clockState(): ClockSnapshot {
    return this.clock.snapshot();
  }

  /** Whether the next line would be read the same with no lines before it (no line left open, no summary). */
  get atRecordStart(): boolean {
    return this.partial === null && !this.inSummary;
  }

  /**
   * On the main thread, this parser holding the state after every line before a chunk: settle the
   * chunk's op (its lines numbered from `base`, its times to shift by `shift`), in its place among
   * the chunk's events. Returns the status of the op's line; Incomplete means the chunk cannot be
   * read apart from the lines before it.
   */
  settle(op: CarriedOp, base: number, shift: number): Status {
    if (op.text === null) {
      const moved = this.pending.get(op.code);
      if (moved) {
        this.pending.delete(op.code);
        this.pending.set(op.tid, moved);
        return Status.Parsed;
      }
      // Nothing to move: the chunk's parser dropped a call of the thread's own for nothing.
      return op.tidTouched ? Status.Incomplete : Status.Parsed;
    }
    const saved = this.lineNo;
    this.lineNo = base + op.line;
    try {
      const st = this.parseResumed(op.text, 0, op.text.length, this.units(op.text), op.tid, op.time + shift, op.comm, op.tidTouched);
      // The chunk's parser counted the line parsed.
      if (st === Status.Unparsed && !this.quiet) {
        this.counts.parsed--;
        this.markUnparsed(this.lineNo);
      }
      return st;
    } finally {
      this.lineNo = saved;
    }
  }

  /** A chunk read apart comes next: its ops and its end state follow (settle, absorb). */
  beginChunk(): void {
    this.keptAtChunk = this.counts.unparsedLines.length;
  }

  /** Whether every op of a chunk settles (settle() without a trace: nothing emitted, counted or kept). */
  settles(ops: readonly CarriedOp[], base: number, shift: number): boolean {
    const pending = this.pending;
    this.pending = new Map(pending);
    this.quiet = true;
    try {
      return ops.every((op) => this.settle(op, base, shift) !== Status.Incomplete);
    } finally {
      this.pending = pending;
      this.quiet = false;
    }
  }

  /**
   * Take over a chunk's end state, its lines numbered from `base`, once its events and ops are
   * applied; `clock` is the trace's clock after it (continueClock).
   */
  absorb(end: ChunkEnd, base: number, clock: ClockSnapshot): void {
    for (const t of end.touched) this.pending.delete(t);
    for (const [t, p] of end.pending) this.pending.set(t, p);
    this.partial = end.partial;
    this.partialLine = base + end.partialLine;
    this.partialPieces = end.partialPieces;
    this.inSummary = end.inSummary;
    this.clock.restoreFrom(clock);
    this.lineNo = base + end.lines;
    this.addCounts(end.counts, base, this.keptAtChunk);
    this.straceMessages += end.straceMessages;
    if (end.lastStraceMessage !== '') this.lastStraceMessage = end.lastStraceMessage;
    this.sawSummary ||= end.sawSummary;
    if (base === 0) this.firstLine = end.firstLine;
    // A line settled here (a carried call's resumption) may have been counted unparsed after the chunk's own.
    if (end.lastUnparsed > 0) this.lastUnparsedLine = Math.max(this.lastUnparsedLine, base + end.lastUnparsed);
  }

  private emitSpawnStart(def: SyscallDef, args: string, tid: number, time: number, comm: string | null): void {
    const e = this.event.reset();
    e.type = EVENT.SPAWN_START;
    e.tid = tid;
    e.time = time;
    e.comm = comm;
    e.name = def.name;
    e.effect = def.effect;
    e.flags = spawnFlags(def, args);
    e.source = this.source;
    e.line = this.lineNo;
    this.counts.events++;
    this.emit(e);
  }
}
