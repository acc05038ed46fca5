// The pipeline, wired once: sources → lines → StraceParser or LtraceParser (told apart by the first
// lines) → events → MemoryModel → Attribution → Report. The library's analyze() and every CLI
// command go through here.
import { finished } from 'node:stream/promises';
import { Attribution } from './attribute/attribution.js';
import { Timeline } from './attribute/timeline.js';
import { HeaptraceError } from './errors.js';
import { MESSAGES } from './messages.js';
import { MemoryModel, type ThreadState } from './model/model.js';
import type { TraceEvent } from './parse/events.js';
import { DetectingParser, Detection } from './parse/detect.js';
import { LtraceParser } from './parse/ltrace.js';
import { inputError, openLines, resolveFiles, streamSource, textSource, type LineStream, type Source } from './parse/input.js';
import { TimestampReader } from './parse/clock.js';
import { emptyCounts, type LineCounts, type TraceParser } from './parse/parser.js';
import { StraceParser } from './parse/strace.js';
import { Problems } from './problems.js';
import { buildReport, rel } from './report/build.js';
import type { FileReport, Report, TimestampKind } from './report/types.js';
import { findFile } from './check/assert.js';

export type AnalyzeInput = string | readonly string[] | NodeJS.ReadableStream | { text: string; name?: string };

/** One system call (or library call, for ltrace input) as the model saw it, for tests and tools that want the step-by-step view. */
export interface ModelEvent {
  pid: number;
  tid: number;
  /** Seconds from the trace's start; null without timestamps. */
  time: number | null;
  syscall: string;
  /** The file involved: the opened path or the name of the descriptor read, mapped or closed. */
  path: string | null;
  ret: number | null;
  /** The process's heap and writable bytes after the call (SPEC §1; for ltrace input, heap is live requested bytes). */
  heap: number;
  writable: number;
}

export interface AnalyzeOptions {
  /** Treat unparsed lines as an error (HT_STRICT) instead of a counted warning. */
  strict?: boolean;
  /** Called after the model applied each system call (ltrace: each library or system call) in the grammars. */
  onEvent?: (e: ModelEvent) => void;
  /** Called for every heap or writable change, with the file it was charged to. */
  onChange?: (c: MemoryChange) => void;
  /**
   * Called once, before any input is read, with the model and attribution the analysis updates and
   * a count of the trace events applied so far: `run` reads them on its own timers, costing nothing per event.
   */
  live?: (model: MemoryModel, attribution: Attribution, events: () => number) => void;
}

export interface MemoryChange {
  pid: number;
  tid: number;
  /** Seconds from the trace's start (as the report's times); null without timestamps. */
  time: number | null;
  /** 1-based index of the change, for traces without timestamps. */
  seq: number;
  file: string | null;
  dHeap: number;
  dWritable: number;
  heap: number;
  writable: number;
}

/** Lines read without a single trace record before the input is declared not a trace. */
const SNIFF_LINES = 1000;

export function toSources(input: AnalyzeInput): Source[] {
  if (typeof input === 'string') return resolveFiles([input]);
  if (Array.isArray(input)) return resolveFiles(input as readonly string[]);
  if (typeof (input as { text?: unknown }).text === 'string') {
    const t = input as { text: string; name?: string };
    return [textSource(t.text, t.name)];
  }
  return [streamSource(input as NodeJS.ReadableStream)];
}

/** The report, plus a lookup that is not part of its JSON. */
export type AnalyzedReport = Report & {
  /** A file's entry by exact path, basename or glob (the worst match by heap peak). */
  file(globOrName: string): FileReport | undefined;
};

export async function analyze(input: AnalyzeInput, options: AnalyzeOptions = {}): Promise<AnalyzedReport> {
  const report = await analyzeSources(toSources(input), options);
  // Not enumerable: JSON.stringify and deep comparisons see the plain report.
  Object.defineProperty(report, 'file', { value: (g: string) => findFile(report, g), enumerable: false });
  return report as AnalyzedReport;
}

export async function analyzeSources(sources: Source[], options: AnalyzeOptions = {}): Promise<Report> {
  if (sources.length === 0) throw new HeaptraceError('HT_NO_INPUT', 'no input named');
  const problems = new Problems();
  const attribution = new Attribution();
  const model = new MemoryModel(attribution, problems);
  let order = 0;
  const sink = (e: TraceEvent): void => {
    order++;
    model.apply(e);
  };
  // One format for the whole trace, told by the first lines of any of its sources.
  const detection = new Detection();
  const parsers = sources.map(
    (s) =>
      new DetectingParser((format): TraceParser => {
        model.requested = format === 'ltrace';
        return format === 'ltrace' ? new LtraceParser(sink, problems, s.name, s.pid) : new StraceParser(sink, problems, s.name, s.pid);
      }, detection),
  );
  // Times relative to the trace's first timestamp, the same origin as the report's
  // (input.startTime); a parser notes a line's time before it emits the line's event.
  // The origin is fixed by the first timestamped line: -ff files are merged in time order, so no
  // later line is earlier. Found once, not per event.
  let start = Infinity;
  const t = (e: TraceEvent): number | null => {
    if (Number.isNaN(e.time)) return null;
    if (start === Infinity) for (const p of parsers) if (p.firstTime < start) start = p.firstTime;
    return start === Infinity ? null : rel(e.time, start);
  };
  const timeline = new Timeline({
    x: (e) => t(e) ?? order,
    get timed() {
      return parsers.some((p) => p.timestampKind !== 'none');
    },
  });
  attribution.timeline = timeline;
  options.live?.(model, attribution, () => order);
  const onEvent = options.onEvent;
  if (onEvent) {
    attribution.onCall((e: TraceEvent, th: ThreadState) =>
      onEvent({
        pid: th.proc.pid, tid: th.tid, time: t(e), syscall: e.name, path: e.resolved ?? e.path,
        ret: Number.isNaN(e.ret) ? null : e.ret, heap: th.proc.as.heap, writable: th.proc.as.writable,
      }),
    );
  }
  const onChange = options.onChange;
  if (onChange) {
    let seq = 0;
    attribution.onChange((th, file, dHeap, dWritable, e) =>
      onChange({
        pid: th.proc.pid, tid: th.tid, time: t(e), seq: ++seq, file: file?.path ?? null, dHeap, dWritable,
        heap: th.proc.as.heap, writable: th.proc.as.writable,
      }),
    );
  }
  const streams: LineStream[] = [];
  try {
    if (sources.length === 1) {
      const parser = parsers[0] as TraceParser;
      const source = sources[0] as Source;
      const stream = await openLines(
        source,
        (line) => {
          parser.push(line);
          if (parser.counts.lines <= SNIFF_LINES) sniff(parser, source);
        },
        (s, from, to, u) => {
          parser.pushRange(s, from, to, u);
          if (parser.counts.lines <= SNIFF_LINES) sniff(parser, source);
        },
      );
      streams.push(stream);
      // Nothing comes out of the line stream (the parser took every line); let it flow to its end.
      stream.lines.resume();
      await finished(stream.lines).catch((err: unknown) => {
        throw inputError(source, err);
      });
    } else {
      for (const s of sources) streams.push(await openLines(s));
      await feedMerged(streams, parsers, sources, problems);
    }
  } finally {
    for (const s of streams) s.lines.destroy();
  }
  for (const [k, p] of parsers.entries()) {
    const st = streams[k] as LineStream;
    p.truncated = st.tail.bytes > 0 && st.tail.lastByte !== 10;
    p.end();
  }
  model.finish();
  const first = Math.min(...parsers.map((p) => (Number.isNaN(p.firstTime) ? Infinity : p.firstTime)));
  const last = Math.max(...parsers.map((p) => (Number.isNaN(p.lastTime) ? -Infinity : p.lastTime)));
  // The timeline's x axis ends where the trace does: its last timestamp, or its last record.
  const end = timeline.timed && Number.isFinite(first) && Number.isFinite(last) ? rel(last, first) : null;
  timeline.finish(end ?? order);

  const counts = sumCounts(parsers.map((p) => p.counts));
  notATraceCheck(parsers, streams, sources);
  const ltrace = parsers.map((p) => p.inner).filter((p): p is LtraceParser => p instanceof LtraceParser);
  // ltrace 0.7 sees calls through the PLT only: in PIE and BIND_NOW programs it traces no malloc at all.
  if (ltrace.length > 0 && ltrace.every((p) => p.heapCalls === 0)) problems.add('HT_LTRACE_NO_HEAP_CALLS');
  const timestamps: TimestampKind = parsers.find((p) => p.timestampKind !== 'none')?.timestampKind ?? 'none';
  if (timestamps === 'none' && counts.events > 0) problems.add('HT_NO_TIMESTAMPS');
  const report = buildReport(
    {
      format: detection.format ?? 'strace',
      syscalls: ltrace.some((p) => p.syscalls > 0),
      sources: sources.map((s) => s.name),
      counts,
      timestamps,
      firstTime: Number.isFinite(first) ? first : NaN,
      lastTime: Number.isFinite(last) ? last : NaN,
      truncated: parsers.some((p) => p.truncated),
    },
    model,
    attribution,
    problems,
    timeline,
  );
  if (options.strict && counts.unparsed > 0) {
    throw new HeaptraceError(
      'HT_STRICT',
      MESSAGES.strictFailed(`${counts.unparsed} unparsed line(s), first at ${counts.unparsedLines.slice(0, 3).join(', ')}`),
    );
  }
  return report;
}

function sumCounts(all: LineCounts[]): LineCounts {
  const c = emptyCounts();
  for (const x of all) {
    c.lines += x.lines;
    c.parsed += x.parsed;
    c.ignored += x.ignored;
    c.rejoined += x.rejoined;
    c.unparsed += x.unparsed;
    c.events += x.events;
    for (const l of x.unparsedLines) if (c.unparsedLines.length < 10) c.unparsedLines.push(l);
  }
  return c;
}

function notATraceError(parser: TraceParser, source: Source): HeaptraceError {
  if (parser.sawSummary) return new HeaptraceError('HT_NOT_A_TRACE', MESSAGES.summaryOnly(source.name));
  if (parser.straceMessages > 0) return new HeaptraceError('HT_NOT_A_TRACE', MESSAGES.straceOnly(source.name, parser.lastStraceMessage));
  return new HeaptraceError('HT_NOT_A_TRACE', MESSAGES.notATrace(source.name, parser.firstLine.slice(0, 120)));
}

/** After the input: an empty input, or one in which no line was a trace record, is an error. */
function notATraceCheck(parsers: TraceParser[], streams: LineStream[], sources: Source[]): void {
  if (parsers.some((p) => p.counts.parsed > 0)) return;
  // Several sources (-ff) that are none of them a trace: the first one is named.
  const source = sources[0] as Source;
  if ((streams[0] as LineStream).tail.bytes === 0) throw new HeaptraceError('HT_NOT_A_TRACE', MESSAGES.emptyInput(source.name));
  throw notATraceError(parsers[0] as TraceParser, source);
}

/** Early out for a large input that is not a trace: none of its first lines was a record. */
function sniff(parser: TraceParser, source: Source): void {
  if (parser.counts.lines === SNIFF_LINES && parser.counts.parsed === 0) throw notATraceError(parser, source);
}

/** The timestamp at the start of a line of an -ff file (no pid prefix), for merging; NaN if none. */
export function leadingTime(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return mergeStamps.read(line, i, 'none') > i ? mergeStamps.value : NaN;
}

const mergeStamps = new TimestampReader();

/**
 * strace -ff files: merge line by line in timestamp order (a k-way merge holding one line per file).
 * Without timestamps the files are read one after the other, lowest pid first.
 */
async function feedMerged(streams: LineStream[], parsers: TraceParser[], sources: Source[], problems: Problems): Promise<void> {
  const its = streams.map((s) => s.lines[Symbol.asyncIterator]() as AsyncIterator<string>);
  const heads: Array<{ line: string; time: number } | null> = [];
  const lastTime: number[] = streams.map(() => -Infinity);
  const advance = async (k: number): Promise<void> => {
    const r = await (its[k] as AsyncIterator<string>).next().catch((err: unknown) => {
      throw inputError(sources[k] as Source, err);
    });
    if (r.done) {
      heads[k] = null;
      return;
    }
    const line = r.value;
    let time = leadingTime(line);
    // Lines without a time (continuations, strace messages) stay with the line before them.
    if (Number.isNaN(time)) time = lastTime[k] as number;
    else lastTime[k] = time;
    heads[k] = { line, time };
  };
  for (let k = 0; k < its.length; k++) await advance(k);
  const timed = heads.some((h) => h !== null && Number.isFinite(h.time));
  if (!timed) problems.add('HT_UNORDERED_FF');
  for (;;) {
    let best = -1;
    for (let k = 0; k < heads.length; k++) {
      const h = heads[k];
      if (!h) continue;
      if (best < 0) best = k;
      else if (timed && h.time < (heads[best] as { time: number }).time) best = k;
    }
    if (best < 0) return;
    const parser = parsers[best] as TraceParser;
    const line = (heads[best] as { line: string }).line;
    parser.push(line);
    if (parser.counts.lines <= SNIFF_LINES) sniff(parser, sources[best] as Source);
    await advance(best);
  }
}
