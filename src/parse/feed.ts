// One source read to its end through its parser: what the pipeline does on the main thread for a
// small input and on a worker thread for a large file (parse-worker.ts), in the same words.
import { finished } from 'node:stream/promises';
import { HeaptraceError } from '../errors.js';
import { MESSAGES } from '../messages.js';
import { inputError, openLines, type Source, type Tail } from './input.js';
import type { TraceParser } from './parser.js';

/** Lines read without a single trace record before the input is declared not a trace. */
export const SNIFF_LINES = 1000;

/**
 * Read `source` line by line into `parser`, then end the parser (a cut last line is told from the
 * input's tail). Returns the tail: how many bytes the input had, and its last byte. `opened` gets
 * the tail as soon as the input is open, to follow the bytes read so far.
 */
export async function feedSource(source: Source, parser: TraceParser, opened?: (tail: Tail) => void): Promise<Tail> {
  const stream = await openLines(
    source,
    (line) => {
      parser.push(line);
      if (parser.counts.lines <= SNIFF_LINES) sniff(parser, source.name);
    },
    (s, from, to, u) => {
      parser.pushRange(s, from, to, u);
      if (parser.counts.lines <= SNIFF_LINES) sniff(parser, source.name);
    },
  );
  opened?.(stream.tail);
  try {
    // Nothing comes out of the line stream (the parser took every line); let it flow to its end.
    stream.lines.resume();
    await finished(stream.lines).catch((err: unknown) => {
      throw inputError(source, err);
    });
  } finally {
    stream.lines.destroy();
  }
  endParser(parser, stream.tail);
  return stream.tail;
}

/** The input is over: a last line without a newline was cut short. */
export function endParser(parser: TraceParser, tail: Tail): void {
  parser.truncated = tail.bytes > 0 && tail.lastByte !== 10;
  parser.end();
}

/** What a parser saw that tells an input that is not a trace, for its error. */
export interface NotATraceClues {
  readonly sawSummary: boolean;
  readonly straceMessages: number;
  readonly lastStraceMessage: string;
  readonly firstLine: string;
}

export function notATraceError(clues: NotATraceClues, name: string): HeaptraceError {
  if (clues.sawSummary) return new HeaptraceError('HT_NOT_A_TRACE', MESSAGES.summaryOnly(name));
  if (clues.straceMessages > 0) return new HeaptraceError('HT_NOT_A_TRACE', MESSAGES.straceOnly(name, clues.lastStraceMessage));
  return new HeaptraceError('HT_NOT_A_TRACE', MESSAGES.notATrace(name, clues.firstLine.slice(0, 120)));
}

/** Early out for a large input that is not a trace: none of its first lines was a record. */
export function sniff(parser: TraceParser, name: string): void {
  if (parser.counts.lines === SNIFF_LINES && parser.counts.parsed === 0) throw notATraceError(parser, name);
}
