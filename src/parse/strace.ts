// The strace line parser: one line in, zero or more events out. It knows nothing about streams;
// src/analyze.ts feeds it lines that src/parse/input.ts reads from files, pipes and strings.
//
// State kept between lines is only what strace's format forces on a reader: calls left
// "<unfinished ...>" per thread (joined with their "<... resumed>" line), a line split by output
// interleaved from elsewhere (2>&1 captures; joined with its continuation), the timestamp kind,
// and whether we are inside a -c/-C summary table.
import { EVENT, TraceEvent } from './events.js';
import { isSpawn, lookupSyscall, SYSCALL_DEFS, type SyscallDef } from './grammar.js';
import {
  CH, detach, indexIn, intEnd, isDigit, isNameChar, parseIntAt, returnAt, ArgScan, skipAngle, unescapeBytes, UNFINISHED,
} from './scan.js';
import { LineParser, Status, type TraceParser } from './parser.js';
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

/** Whether the pending call is the one named line[from, to) (compared in place, no substring). */
function named(p: Pending, line: string, from: number, to: number): boolean {
  return p.name.length === to - from && line.startsWith(p.name, from);
}

export class StraceParser extends LineParser implements TraceParser {
  /** strace's own messages (strace: …), the last one kept for a "this is not a trace" error. */
  straceMessages = 0;
  lastStraceMessage = '';
  sawSummary = false;

  private readonly pending = new Map<number, Pending>();
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

  private parseResumed(line: string, i: number, n: number, u: Uint16Array, tid: number, time: number, comm: string | null): Status {
    // "<... NAME resumed>": the name, then the marker (found in place, not searched for: a search
    // would run on past the line's end).
    const nameStart = i + 5;
    let mark = nameStart;
    while (mark < n && isNameChar(u[mark] as number)) mark++;
    if (mark + 9 > n || !line.startsWith(' resumed>', mark)) return Status.Unparsed;
    const rest = mark + 9;
    const key = this.pendingKey(tid, line, nameStart, mark);
    const pending = key === null ? undefined : this.pending.get(key);
    if (key !== null && key !== tid && tid < 0) tid = key;
    if (!pending || key === null) {
      // A resumed call whose start we never saw (trace attached mid-call, or a start line lost).
      if (SYSCALL_DEFS.has(line.slice(nameStart, mark))) this.problems.add('HT_ORPHAN_RESUMED', `${this.source}:${this.lineNo}`);
      return Status.Parsed;
    }
    if (pending.args === null) {
      // Not a call the model needs; all that matters is that the pair is closed.
      const st = this.completion(line, rest, n, u);
      if (st === Status.Parsed) this.pending.delete(key);
      return st;
    }
    const name = pending.name;
    const combined = name + '(' + pending.args + line.slice(rest, n);
    const st = this.parseCall(combined, 0, name.length, combined.length, this.units(combined), tid, time, comm, true);
    if (st === Status.Parsed) this.pending.delete(key);
    return st;
  }

  /**
   * Which pending call a "<... NAME resumed>" line closes (NAME is line[from, to)). strace -f
   * writing to stderr drops the pid prefix while only one process is traced, so a call may start
   * without a prefix and resume with one, or the other way round: an unprefixed side matches the
   * one pending call of that name.
   */
  private pendingKey(tid: number, line: string, from: number, to: number): number | null {
    const own = this.pending.get(tid);
    if (own) return named(own, line, from, to) ? tid : null;
    if (tid >= 0) {
      const unprefixed = this.pending.get(-1);
      return unprefixed && named(unprefixed, line, from, to) ? -1 : null;
    }
    let found: number | null = null;
    for (const [k, p] of this.pending) {
      if (!named(p, line, from, to)) continue;
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
      const moved = this.pending.get(e.code);
      if (moved) {
        this.pending.delete(e.code);
        this.pending.set(tid, moved);
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
        const argsEnd = end - UNFINISHED.length;
        // strace prints the arguments so far, then " <unfinished ...>". What is kept until the
        // call resumes is copied: a view would keep the whole chunk of input it came from alive.
        const args = def ? detach(line.slice(open + 1, argsEnd > open + 1 && u[argsEnd - 1] === CH.SPACE ? argsEnd - 1 : argsEnd)) : null;
        this.pending.set(tid, { name: def ? def.name : detach(line.slice(nameStart, open)), args });
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
    if (!decodeSyscallArgs(e, def, line, this.args, open, close, u)) {
      this.problems.add('HT_BAD_ARGS', `${this.source}:${this.lineNo}`);
      return Status.Parsed;
    }
    this.counts.events++;
    this.emit(e);
    return Status.Parsed;
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
