// What the strace and ltrace parsers share: the pipeline's view of a line parser, the accounting
// of every input line, and the trace's clock.
import { TraceClock } from './clock.js';
import type { TimestampKind, TraceEvent } from './events.js';
import type { Problems } from '../problems.js';
import { CH, CodeUnits, detach } from './scan.js';

export interface LineCounts {
  lines: number;
  parsed: number;
  ignored: number;
  rejoined: number;
  unparsed: number;
  events: number;
  unparsedLines: string[];
}

/** A place "SOURCE:LINE" of a chunk read apart, numbered from `base` (its source's name may hold colons). */
export function rebasePlace(where: string, base: number): string {
  const at = where.lastIndexOf(':');
  return at < 0 ? where : `${where.slice(0, at + 1)}${Number(where.slice(at + 1)) + base}`;
}

function placeLine(where: string): number {
  return Number(where.slice(where.lastIndexOf(':') + 1));
}

/** Add the line totals of `c` to `t` (not the unparsed lines kept: each caller keeps its own order). */
export function addLineTotals(t: LineCounts, c: LineCounts): void {
  t.lines += c.lines;
  t.parsed += c.parsed;
  t.ignored += c.ignored;
  t.rejoined += c.rejoined;
  t.unparsed += c.unparsed;
  t.events += c.events;
}

export function emptyCounts(): LineCounts {
  return { lines: 0, parsed: 0, ignored: 0, rejoined: 0, unparsed: 0, events: 0, unparsedLines: [] };
}

export type EventSink = (e: TraceEvent) => void;

/** ltrace input: the heap calls (malloc and kin) and the system calls it showed. */
export interface LtraceCalls {
  heap: number;
  syscalls: number;
}

/**
 * What the pipeline reads of a source's parser: its clock while events arrive, the rest once the
 * input is over. A parser on a worker thread (remote.ts) is seen through this alone.
 */
export interface ParsedInput {
  readonly counts: LineCounts;
  readonly timestampKind: TimestampKind;
  readonly firstTime: number;
  readonly lastTime: number;
  readonly straceMessages: number;
  readonly lastStraceMessage: string;
  readonly sawSummary: boolean;
  readonly firstLine: string;
  readonly truncated: boolean;
  /** null for strace input. */
  readonly ltraceCalls: LtraceCalls | null;
}

/** What the pipeline needs of a line parser, whichever tracer wrote the lines (strace or ltrace). */
export interface TraceParser extends ParsedInput {
  truncated: boolean;
  push(line: string): void;
  /**
   * Feed the line s[from, to), whose code units are u[from, to): a source read by one parser (a
   * file or a stream, not an -ff merge) arrives this way, each piece of its input decoded and
   * copied once for all its lines (PieceLines in input.ts).
   */
  pushRange(s: string, from: number, to: number, u: Uint16Array): void;
  end(): void;
}

/** Unparsed lines whose places are kept for the report. */
const KEEP_UNPARSED = 10;

/** What became of one input line (a parser's verdict, counted by LineParser.tally). */
export enum Status {
  Parsed,
  Ignored,
  /** The line stops short of a whole record (strace only: it may be rejoined with the next line). */
  Incomplete,
  Unparsed,
}

export abstract class LineParser {
  readonly counts: LineCounts = emptyCounts();
  /** The input's first line, for a "this is not a trace" message. */
  firstLine = '';
  /** True when the last line ended without a newline (set by the input adapter). */
  truncated = false;
  protected readonly clock = new TraceClock();
  protected lineNo = 0;
  /** The code units of the text being parsed (see CodeUnits), in a buffer of this parser's own. */
  private readonly codes = new CodeUnits();
  /** The latest line counted unparsed (0: none). */
  private lastUnparsed = 0;

  constructor(
    protected readonly emit: EventSink,
    protected readonly problems: Problems,
    /** The input's name, for the places of problems. */
    protected readonly source: string,
    /** Thread id for lines without a pid prefix (the pid of a -ff file), -1 when unknown. */
    protected readonly defaultTid = -1,
  ) {}

  get timestampKind(): TimestampKind {
    return this.clock.kind;
  }

  /** Seconds of the first and latest timestamp seen, NaN without. */
  get firstTime(): number {
    return this.clock.firstTime;
  }

  get lastTime(): number {
    return this.clock.lastTime;
  }

  get ltraceCalls(): LtraceCalls | null {
    return null;
  }

  /** The code units of `text`: copied once, then free while the text is the same. */
  protected units(text: string): Uint16Array {
    return this.codes.load(text);
  }

  abstract push(line: string): void;

  /** A parser that reads line strings only (ltrace) is handed the line cut out. */
  pushRange(s: string, from: number, to: number, _u: Uint16Array): void {
    this.push(s.slice(from, to));
  }

  /** Count a new input line; returns it without the "\r" a CRLF file leaves (lines are split at "\n"). */
  protected take(text: string): string {
    const to = this.takeRange(text, 0, text.length);
    return to === text.length ? text : text.slice(0, to);
  }

  /** Count the new input line s[from, to); returns where it ends without the "\r" a CRLF file leaves. */
  protected takeRange(s: string, from: number, to: number): number {
    if (to > from && s.charCodeAt(to - 1) === CH.CR) to--;
    this.lineNo++;
    this.counts.lines++;
    if (this.lineNo === 1) this.firstLine = detach(s.slice(from, Math.min(to, from + 120)));
    return to;
  }

  /**
   * At the end of the input: a last line left unexplained (unparsed, or `open`: still waiting for
   * its continuation) in an input that ends without a newline was cut short, not malformed.
   */
  protected noteTruncation(open: boolean): void {
    if (this.truncated && this.lineNo > 0 && (open || this.lastUnparsed === this.lineNo)) {
      this.problems.add('HT_TRUNCATED', `${this.source}:${this.lineNo}`);
    }
  }

  /** Count the current line as parsed, ignored or unparsed (an incomplete line is the parser's to hold). */
  protected tally(st: Status): void {
    if (st === Status.Parsed) this.counts.parsed++;
    else if (st === Status.Ignored) this.counts.ignored++;
    else if (st === Status.Unparsed) this.markUnparsed(this.lineNo);
  }

  /** The latest line counted unparsed (0: none). */
  protected get lastUnparsedLine(): number {
    return this.lastUnparsed;
  }

  protected set lastUnparsedLine(line: number) {
    this.lastUnparsed = line;
  }

  /**
   * Add the counts of a chunk read apart (its lines numbered from `base`). The unparsed lines kept
   * stay in line order: lines settled here may have come before the chunk's own.
   */
  protected addCounts(c: LineCounts, base: number, keptBefore: number): void {
    const t = this.counts;
    addLineTotals(t, c);
    const added = [...t.unparsedLines.slice(keptBefore), ...c.unparsedLines.map((w) => rebasePlace(w, base))];
    added.sort((a, b) => placeLine(a) - placeLine(b));
    t.unparsedLines.splice(keptBefore, Infinity, ...added.slice(0, KEEP_UNPARSED - keptBefore));
  }

  protected markUnparsed(line: number): void {
    this.lastUnparsed = line;
    this.counts.unparsed++;
    const where = `${this.source}:${line}`;
    if (this.counts.unparsedLines.length < KEEP_UNPARSED) this.counts.unparsedLines.push(where);
    this.problems.add('HT_UNPARSED', where);
  }
}
