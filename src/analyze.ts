// The pipeline, wired once: sources → lines → StraceParser or LtraceParser (told apart by the first
// lines) → events → MemoryModel → Attribution → Report. The library's analyze() and every CLI
// command go through here.
import { availableParallelism } from 'node:os';
import { Attribution } from './attribute/attribution.js';
import { Timeline } from './attribute/timeline.js';
import { HeaptraceError } from './errors.js';
import { MESSAGES } from './messages.js';
import { MemoryModel, type ThreadState } from './model/model.js';
import type { TraceEvent, TraceFormat } from './parse/events.js';
import { Detection, sourceParser } from './parse/detect.js';
import { endParser, feedSource, notATraceError, sniff, SNIFF_LINES } from './parse/feed.js';
import { inputError, openLines, resolveFiles, streamSource, textSize, textSource, type LineStream, type Source, type Tail } from './parse/input.js';
import { TimestampReader } from './parse/clock.js';
import { addLineTotals, emptyCounts, type LineCounts, type LtraceCalls, type ParsedInput, type TraceParser } from './parse/parser.js';
import { parseInWorker, RemoteInput, type RemoteHandlers } from './parse/remote.js';
import { chunkPlan, parseInChunks } from './parse/chunks.js';
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
   * Called once, before any input is read, with the model and attribution the analysis updates, a
   * count of the trace events applied so far and of the bytes of text read so far (for a gzip
   * file, of the text it holds): `run` and the progress line read them on their own timers,
   * costing nothing per event.
   */
  live?: (model: MemoryModel, attribution: Attribution, events: () => number, read: () => number) => void;
  /**
   * Parse on worker threads while this one runs the model. 'auto' (the default) does for a single
   * file of WORKER_MIN_BYTES or more on a machine with two processors or more, where it saves more
   * than starting threads costs; 'always' does for any single file (standard input and -ff sets
   * are parsed on this thread). Either way a plain strace file is parsed in chunks by two workers
   * at once (chunks.ts), any other file by one; 'one' keeps to one worker. The report is the same
   * whichever way.
   */
  worker?: 'auto' | 'always' | 'one' | 'never';
  /** Bytes per chunk when two workers parse a file at once (chosen by the file's lines otherwise); the tests cut files small. */
  chunkBytes?: number | undefined;
}

/**
 * A file at least this large is parsed on a worker thread (AnalyzeOptions.worker 'auto'); a gzip
 * file counts the text it holds (textSize). Below it the worker's start, its cold compiler and the
 * rows between the threads cost more than they save (measured, one report per process: 32 MB
 * 5–10% slower on a worker, 64 MB even, 100 MB 8% faster, 300 MB 15% faster; a library calling
 * analyze() again and again keeps its own thread warm, and there 64 MB was 20% slower on a worker
 * and 100 MB even).
 */
export const WORKER_MIN_BYTES = 128 * 1024 * 1024;

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
  let format: TraceFormat | null = null;
  const told = (f: TraceFormat): void => {
    format = f;
    model.requested = f === 'ltrace';
  };
  // One format for the whole trace, told by the first lines of any of its sources.
  const detection = new Detection();
  const remote = parseOnWorker(sources, options.worker) ? new RemoteInput() : null;
  const parsers = remote ? [] : sources.map((s) => sourceParser(s, sink, problems, told, detection));
  const inputs: ParsedInput[] = remote ? [remote] : parsers;
  // Times relative to the trace's first timestamp, the same origin as the report's
  // (input.startTime); a parser notes a line's time before it emits the line's event.
  // The origin is fixed by the first timestamped line: -ff files are merged in time order, so no
  // later line is earlier. Found once, not per event.
  let start = Infinity;
  const t = (e: TraceEvent): number | null => {
    if (Number.isNaN(e.time)) return null;
    if (start === Infinity) for (const p of inputs) if (p.firstTime < start) start = p.firstTime;
    return start === Infinity ? null : rel(e.time, start);
  };
  const timeline = new Timeline({
    x: (e) => t(e) ?? order,
    get timed() {
      return inputs.some((p) => p.timestampKind !== 'none');
    },
  });
  attribution.timeline = timeline;
  // The inputs as they are opened (read() sums them); the worker's is kept up to date by its batches.
  const reading: Tail[] = remote ? [remote.tail] : [];
  options.live?.(model, attribution, () => order, () => reading.reduce((n, r) => n + r.bytes, 0));
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
  let tails: Tail[];
  if (remote) {
    const source = sources[0] as Source & { path: string };
    const to: RemoteHandlers = { event: sink, problem: (code, where, count) => problems.add(code, where, count), format: told };
    const plan = options.worker === 'one' ? null : chunkPlan(source.path);
    if (plan) await parseInChunks(source.path, source.name, { ...plan, chunkBytes: options.chunkBytes ?? plan.chunkBytes }, remote, to);
    else await parseInWorker(source.path, source.name, source.pid, remote, to);
    tails = [remote.tail];
  } else if (sources.length === 1) {
    tails = [await feedSource(sources[0] as Source, parsers[0] as TraceParser, (tail) => reading.push(tail))];
  } else {
    const streams: LineStream[] = [];
    try {
      for (const s of sources) {
        const stream = await openLines(s);
        streams.push(stream);
        reading.push(stream.tail);
      }
      await feedMerged(streams, parsers, sources, problems);
    } finally {
      for (const s of streams) s.lines.destroy();
    }
    tails = streams.map((s) => s.tail);
    for (const [k, p] of parsers.entries()) endParser(p, tails[k] as Tail);
  }
  model.finish();
  const first = Math.min(...inputs.map((p) => (Number.isNaN(p.firstTime) ? Infinity : p.firstTime)));
  const last = Math.max(...inputs.map((p) => (Number.isNaN(p.lastTime) ? -Infinity : p.lastTime)));
  // The timeline's x axis ends where the trace does: its last timestamp, or its last record.
  const end = timeline.timed && Number.isFinite(first) && Number.isFinite(last) ? rel(last, first) : null;
  timeline.finish(end ?? order);

  const counts = sumCounts(inputs.map((p) => p.counts));
  notATraceCheck(inputs, tails, sources);
  const ltrace = inputs.map((p) => p.ltraceCalls).filter((c): c is LtraceCalls => c !== null);
  // ltrace 0.7 sees calls through the PLT only: in PIE and BIND_NOW programs it traces no malloc at all.
  if (ltrace.length > 0 && ltrace.every((c) => c.heap === 0)) problems.add('HT_LTRACE_NO_HEAP_CALLS');
  const timestamps: TimestampKind = inputs.find((p) => p.timestampKind !== 'none')?.timestampKind ?? 'none';
  if (timestamps === 'none' && counts.events > 0) problems.add('HT_NO_TIMESTAMPS');
  const report = buildReport(
    {
      format: format ?? 'strace',
      syscalls: ltrace.some((c) => c.syscalls > 0),
      sources: sources.map((s) => s.name),
      counts,
      timestamps,
      firstTime: Number.isFinite(first) ? first : NaN,
      lastTime: Number.isFinite(last) ? last : NaN,
      truncated: inputs.some((p) => p.truncated),
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
    addLineTotals(c, x);
    for (const l of x.unparsedLines) if (c.unparsedLines.length < 10) c.unparsedLines.push(l);
  }
  return c;
}

/** After the input: an empty input, or one in which no line was a trace record, is an error. */
function notATraceCheck(inputs: ParsedInput[], tails: Tail[], sources: Source[]): void {
  if (inputs.some((p) => p.counts.parsed > 0)) return;
  // Several sources (-ff) that are none of them a trace: the first one is named.
  const source = sources[0] as Source;
  if ((tails[0] as Tail).bytes === 0) throw new HeaptraceError('HT_NOT_A_TRACE', MESSAGES.emptyInput(source.name));
  throw notATraceError(inputs[0] as ParsedInput, source.name);
}

/** Whether the one source is parsed on a worker thread (AnalyzeOptions.worker). */
export function parseOnWorker(sources: Source[], choice: AnalyzeOptions['worker'] = 'auto'): boolean {
  const path = sources.length === 1 ? sources[0]?.path : undefined;
  if (choice === 'never' || path === undefined) return false;
  if (choice === 'always' || choice === 'one') return true;
  // On one processor the two threads would take turns, and the batches between them cost extra.
  if (availableParallelism() < 2) return false;
  try {
    return textSize(path) >= WORKER_MIN_BYTES;
  } catch {
    return false;
  }
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
    if (parser.counts.lines <= SNIFF_LINES) sniff(parser, (sources[best] as Source).name);
    await advance(best);
  }
}
