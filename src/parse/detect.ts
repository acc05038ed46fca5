// Which tracer wrote the input, told from its first lines (no flag needed): ltrace's exits, signals,
// `= <void>`, `SYS_` lines, `prog->`/`@lib` names and library calls that are not system calls,
// against strace's `+++ exited with`, `--- SIG… {`, its own messages and system calls that are not
// library calls. A parser for the answer then reads the lines, the sniffed ones first.
import type { Problems } from '../problems.js';
import { LIBCALL_DEFS, SYSCALL_DEFS } from './grammar.js';
import type { TraceFormat } from './events.js';
import { LtraceParser } from './ltrace.js';
import { emptyCounts, type EventSink, type LineCounts, type LtraceCalls, type TraceParser } from './parser.js';
import { StraceParser } from './strace.js';

/** Lines looked at before settling on strace, the tool heaptrace reads best, when none decides. */
export const DETECT_LINES = 50;

const PREFIX = /^ *(?:\[pid +\d+\] |\d+ +)?(?:\d[\d:.]* +)?(?:\(\+ *[\d.]+\) +)?/;
const LTRACE_LINE =
  /^(?:\[0x[0-9a-f]+\] |\+\+\+ exited \(status |--- Called exec\(\) ---|--- SIG[A-Z0-9]+ \(|SYS_\w+\(|[^\s(]*(?:->|@)[^\s(]*\()|= <void>|<no return \.\.\.>\s*$/;
const STRACE_LINE = /^(?:\+\+\+ exited with |--- SIG[A-Z0-9]+ \{|strace: |% time|\[[0-9a-f]{8,}\] )|\) += -1 E[A-Z]+ \(/;
const CALL_NAME = /^([A-Za-z_][A-Za-z0-9_]*)\(/;

/** The format one line shows, or null when it could be either's. */
export function lineFormat(line: string): TraceFormat | null {
  const rest = line.slice((PREFIX.exec(line)?.[0] ?? '').length);
  if (LTRACE_LINE.test(rest)) return 'ltrace';
  if (STRACE_LINE.test(rest)) return 'strace';
  const name = CALL_NAME.exec(rest)?.[1];
  if (name === undefined) return null;
  const lib = LIBCALL_DEFS.has(name);
  const sys = SYSCALL_DEFS.has(name);
  if (lib && !sys) return 'ltrace';
  if (sys && !lib) return 'strace';
  return null;
}

/**
 * The format of one trace, told once for all its files: the first lines of every source are held
 * here, in the order they arrived, until one of them tells the format (or DETECT_LINES pass); then
 * they are handed to each source's parser in that same order. (Holding per file would hand the
 * model a file's early events after later events of the other files of an -ff set.)
 */
export class Detection {
  format: TraceFormat | null = null;
  private held: Array<[DetectingParser, string]> = [];

  hold(parser: DetectingParser, line: string): void {
    this.held.push([parser, line]);
    const f = lineFormat(line);
    if (f !== null || this.held.length >= DETECT_LINES) this.decide(f ?? 'strace');
  }

  decide(format: TraceFormat): void {
    this.format = format;
    const held = this.held;
    this.held = [];
    for (const [p, line] of held) p.chosen().push(line);
  }

  /** The first line a source has held back, for a "this is not a trace" message. */
  firstHeld(parser: DetectingParser): string {
    return this.held.find(([p]) => p === parser)?.[1] ?? '';
  }
}

/** A source's parser: lines go to the Detection until the format is told, then to the parser `make` returns for it. */
export class DetectingParser implements TraceParser {
  private parser: TraceParser | null = null;
  private readonly empty = emptyCounts();
  private cut = false;

  constructor(
    private readonly make: (format: TraceFormat) => TraceParser,
    private readonly detection = new Detection(),
  ) {}

  get format(): TraceFormat | null {
    return this.detection.format;
  }

  /** The parser chosen, once the format is known. */
  get inner(): TraceParser | null {
    return this.parser;
  }

  /** The parser for the format the detection settled on, made on first use. */
  chosen(): TraceParser {
    if (this.parser === null) {
      this.parser = this.make(this.detection.format ?? 'strace');
      this.parser.truncated = this.cut;
    }
    return this.parser;
  }

  push(line: string): void {
    if (this.parser !== null) this.parser.push(line);
    else if (this.detection.format !== null) this.chosen().push(line);
    else this.detection.hold(this, line);
  }

  pushRange(s: string, from: number, to: number, u: Uint16Array): void {
    if (this.parser !== null) this.parser.pushRange(s, from, to, u);
    else this.push(s.slice(from, to));
  }

  /** The parser chosen, the format settled now if no line told it (the lines held go to it). */
  decided(): TraceParser {
    if (this.detection.format === null) this.detection.decide('strace');
    return this.chosen();
  }

  /** The input is over (for every source: the pipeline ends them after all lines are in). */
  end(): void {
    const p = this.decided();
    p.truncated = this.cut;
    p.end();
  }

  get counts(): LineCounts {
    return this.parser?.counts ?? this.empty;
  }
  get timestampKind() {
    return this.parser?.timestampKind ?? 'none';
  }
  get firstTime(): number {
    return this.parser?.firstTime ?? NaN;
  }
  get lastTime(): number {
    return this.parser?.lastTime ?? NaN;
  }
  get straceMessages(): number {
    return this.parser?.straceMessages ?? 0;
  }
  get lastStraceMessage(): string {
    return this.parser?.lastStraceMessage ?? '';
  }
  get sawSummary(): boolean {
    return this.parser?.sawSummary ?? false;
  }
  get ltraceCalls(): LtraceCalls | null {
    return this.parser?.ltraceCalls ?? null;
  }
  get firstLine(): string {
    return this.parser?.firstLine ?? this.detection.firstHeld(this).slice(0, 120);
  }
  get truncated(): boolean {
    return this.cut;
  }
  set truncated(v: boolean) {
    this.cut = v;
    if (this.parser !== null) this.parser.truncated = v;
  }
}

/**
 * The parser of one source (named `name`, its lines' default pid `pid`): a DetectingParser that,
 * once the format is told (`told` hears it), hands the lines to an LtraceParser or a StraceParser
 * writing to `sink` and `problems`. The same on the main thread and on the worker.
 */
export function sourceParser(
  source: { name: string; pid: number }, sink: EventSink, problems: Problems, told: (f: TraceFormat) => void, detection = new Detection(),
): DetectingParser {
  return new DetectingParser((f): TraceParser => {
    told(f);
    return f === 'ltrace' ? new LtraceParser(sink, problems, source.name, source.pid) : new StraceParser(sink, problems, source.name, source.pid);
  }, detection);
}
