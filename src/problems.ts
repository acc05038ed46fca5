// Collect, then decide: problems found in the input are counted with the first few places they
// occur, reported once per kind, and turned into failures only when the user asks (--strict).
import { PROBLEMS, type ProblemCode } from './messages.js';

const KEEP_LINES = 5;

export interface ProblemEntry {
  code: ProblemCode;
  message: string;
  count: number;
  lines: string[];
}

export class Problems {
  private readonly byCode = new Map<ProblemCode, ProblemEntry>();

  add(code: ProblemCode, where?: string, count = 1): void {
    let entry = this.byCode.get(code);
    if (!entry) {
      entry = { code, message: PROBLEMS[code], count: 0, lines: [] };
      this.byCode.set(code, entry);
    }
    entry.count += count;
    if (where !== undefined && entry.lines.length < KEEP_LINES) entry.lines.push(where);
  }

  list(): ProblemEntry[] {
    return [...this.byCode.values()];
  }
}

/**
 * Problems handed on as they are found, not counted here: a parser on a worker thread writes them
 * into its stream of events, and a parser on the main thread of a chunked parse hands them to the
 * pipeline's own Problems, in order with the events.
 */
export class ForwardedProblems extends Problems {
  constructor(private readonly to: (code: ProblemCode, where: string | undefined, count: number) => void) {
    super();
  }

  override add(code: ProblemCode, where?: string, count = 1): void {
    this.to(code, where, count);
  }
}
