// Which tracer wrote the input, told from its first lines (no flag needed): ltrace's exits, signals,
// `= <void>`, `SYS_` lines, `prog->`/`@lib` names and library calls that are not system calls,
// against strace's `+++ exited with`, `--- SIG… {`, its own messages and system calls that are not
// library calls. A parser for the answer then reads the lines, the sniffed ones first.
import { LIBCALL_DEFS, SYSCALL_DEFS } from './grammar.js';
import type { TraceFormat } from './events.js';
import { emptyCounts, type LineCounts, type TraceParser } from './parser.js';

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
 * A parser that holds the first lines until one tells the format (or DETECT_LINES pass), then
 * hands them and the rest to the parser `make` returns for it.
 */
export class DetectingParser implements TraceParser {
  format: TraceFormat | null = null;
  private parser: TraceParser | null = null;
  private held: string[] = [];
  private readonly empty = emptyCounts();
  private cut = false;

  constructor(private readonly make: (format: TraceFormat) => TraceParser) {}

  /** The parser chosen, once the format is known. */
  get inner(): TraceParser | null {
    return this.parser;
  }

  push(line: string): void {
    if (this.parser !== null) {
      this.parser.push(line);
      return;
    }
    this.held.push(line);
    const f = lineFormat(line);
    if (f !== null || this.held.length >= DETECT_LINES) this.decide(f ?? 'strace');
  }

  end(): void {
    if (this.parser === null) this.decide('strace');
    const p = this.parser as TraceParser;
    p.truncated = this.cut;
    p.end();
  }

  private decide(format: TraceFormat): void {
    this.format = format;
    const p = this.make(format);
    this.parser = p;
    const held = this.held;
    this.held = [];
    for (const l of held) p.push(l);
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
  get firstLine(): string {
    return this.parser?.firstLine ?? (this.held[0] ?? '').slice(0, 120);
  }
  get truncated(): boolean {
    return this.cut;
  }
  set truncated(v: boolean) {
    this.cut = v;
    if (this.parser !== null) this.parser.truncated = v;
  }
}
