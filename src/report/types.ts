// The report: what `heaptrace report --json` prints and what `analyze()` returns. The names here are
// a contract (SPEC §3): fields may be added, never renamed or given another meaning without a new
// schemaVersion. src/report/report.schema.json documents the same shape; tests validate against it.

export { TIMESTAMP_KINDS, TRACE_FORMATS, type TimestampKind, type TraceFormat } from '../parse/events.js';
import type { TimestampKind, TraceFormat } from '../parse/events.js';

/** A problem kind found in the input, counted, with where it was first seen. */
export interface InputProblem {
  code: string;
  message: string;
  count: number;
  /** The first few places, as "FILE:LINE". */
  lines: string[];
}

export interface InputSummary {
  format: TraceFormat;
  /** File names as given, or "-" for standard input. */
  sources: string[];
  /** Physical lines read. */
  lines: number;
  /** Trace records that reached the model (system calls, exits, signals). */
  events: number;
  /** Lines understood as trace records. */
  parsed: number;
  /** Known lines that carry nothing for the model: strace's own messages, -k stacks, -c tables, blank lines. */
  ignored: number;
  /** Lines that were pieces of a record split by interleaved output and were joined back. */
  rejoined: number;
  /** Lines that could not be understood; see unparsedLines and warnings. */
  unparsed: number;
  unparsedLines: string[];
  timestamps: TimestampKind;
  /** Seconds since the epoch (epoch stamps) or since midnight (time-of-day stamps) of the first record; null without timestamps. */
  startTime: number | null;
  /** Seconds from the first to the last timestamped record; null without timestamps. */
  duration: number | null;
  /** True when the input ended in the middle of a record (a killed strace, a cut file). */
  truncated: boolean;
  /** Present and true when `heaptrace run` was interrupted (Ctrl-C) or strace ended before the program: the report covers the run only up to there. */
  partial?: boolean;
}

export interface SeriesSummary {
  /** Highest value reached, in bytes. */
  peak: number;
  /** Value at the end of the trace (or when the process exited), in bytes. */
  end: number;
  /** Seconds from the trace's start at which the peak was first reached; null without timestamps. */
  peakTime: number | null;
}

export interface ProcessReport {
  pid: number;
  parentPid: number | null;
  /** The program last executed (execve's path), or the name strace -Y showed; null when neither was seen. */
  command: string | null;
  /** Arguments of the last execve, as strace printed them (may be abbreviated by strace). */
  argv: string[] | null;
  /** Thread ids seen in this process, the process's own pid first. */
  threads: number[];
  /** How the process ended: exit status, the signal that killed it, or null when the trace does not say. */
  exit: {
    code: number | null;
    signal: string | null;
    /** Seconds from the trace's start to the exit or kill line (to exit_group when that line is missing); null without timestamps. */
    time: number | null;
  } | null;
  /**
   * strace input: private anonymous writable bytes plus the brk heap, what malloc uses. ltrace
   * input: live requested bytes, what malloc, calloc, realloc, new … returned and free, delete did not take back.
   */
  heap: SeriesSummary;
  /** Every private writable byte plus the brk heap: the kernel's VmData, for what the trace saw. */
  writable: SeriesSummary;
  /** The file that had the largest heap peak charged in this process, or null. */
  topFile: string | null;
  /**
   * ltrace input with -S system call lines only: the SPEC §1 heap those calls show (brk + private
   * anonymous writable mappings: what the allocator took from the kernel), beside `heap`, which for
   * ltrace input is live requested bytes.
   */
  mapped?: SeriesSummary;
  /** With `mapped`: mapped − heap at the end and between the two peaks: allocator overhead and fragmentation. */
  overhead?: { end: number; peak: number };
}

export interface FileReport {
  /** The path (or pipe:[…], TCP:[…] names) as strace showed it, escapes decoded. */
  path: string;
  pids: number[];
  opens: number;
  reads: number;
  bytesRead: number;
  heap: {
    /** Highest running net charge: the "max heap delta" of this file. */
    peak: number;
    /** Increases minus decreases charged to this file. */
    net: number;
    /** Sum of increases charged to this file. */
    growth: number;
  };
  /** heap.peak / bytesRead, null when nothing was read. */
  amplification: number | null;
  /** Seconds from the trace's start of the first open or read; null without timestamps. */
  firstSeen: number | null;
}

/** One process's memory over time, reduced (see docs/accounting.md, "The timeline"). */
export interface TimelineSeries {
  pid: number;
  /** Points before reduction (one per memory change, plus process start and exec). */
  points: number;
  /** The reduction's bucket width on the x axis: every point that is the highest within this far either side is kept. */
  resolution: number;
  /** Parallel arrays: after the change at x[i], the process had heap[i] and writable[i] bytes. */
  x: number[];
  heap: number[];
  writable: number[];
  /** ltrace input with -S lines only: the mapped heap (ProcessReport.mapped) at the same points. */
  mapped?: number[];
}

/** What one process did with one file within one bucket of its timeline. */
export interface TimelineActivity {
  /** When the activity began. */
  x: number;
  pid: number;
  /** The file, or null for heap changes charged to no file and for the sum of other files (`summed`). */
  path: string | null;
  /** True when the entry sums the files a bucket with more than 8 could not list one by one (path null). */
  summed: boolean;
  reads: number;
  bytesRead: number;
  /** Net heap change charged to the file in this process within the bucket. */
  heap: number;
  /** Heap increases charged to the file in this process within the bucket. */
  growth: number;
}

/** The kernel's resident view of one process, sampled from /proc/PID/smaps_rollup by `heaptrace run --smaps`. */
export interface ResidentSeries {
  pid: number;
  /** Parallel arrays, x on the timeline's axis: resident bytes (Rss) and private dirty bytes (Private_Dirty). */
  x: number[];
  rss: number[];
  privateDirty: number[];
}

export interface TimelineReport {
  /** "seconds" from the trace's start, or "events" (the order of trace records) when the trace has no timestamps. */
  axis: 'seconds' | 'events';
  series: TimelineSeries[];
  activity: TimelineActivity[];
  /** Present only when the kernel's resident memory was sampled (`heaptrace run --smaps`). */
  resident?: ResidentSeries[];
}

export interface Report {
  schemaVersion: 1;
  tool: { name: 'heaptrace'; version: string };
  input: InputSummary;
  processes: ProcessReport[];
  files: FileReport[];
  /** Heap changes made before any file was opened or read, per SPEC §2 charged to no file. */
  unattributed: { peak: number; net: number; growth: number };
  warnings: InputProblem[];
  timeline: TimelineReport;
}
