// Assemble the Report (SPEC §3) from the finished model, attribution and input accounting.
import type { Attribution, Charge, FileStats } from '../attribute/attribution.js';
import type { MemoryModel, ProcessState } from '../model/model.js';
import type { LineCounts } from '../parse/parser.js';
import type { Problems } from '../problems.js';
import type { Timeline } from '../attribute/timeline.js';
import type {
  FileReport, ProcessReport, Report, TimelineActivity, TimelineReport, TimelineSeries, TimestampKind, TraceFormat,
} from './types.js';
import { VERSION } from '../version.js';

export interface InputFacts {
  format: TraceFormat;
  sources: string[];
  counts: LineCounts;
  timestamps: TimestampKind;
  firstTime: number;
  lastTime: number;
  truncated: boolean;
  /** ltrace input with -S system call lines: processes get the mapped side too. */
  syscalls?: boolean;
}

/** Seconds from t0 to t, to the microsecond (the report's times); null when either is unknown. */
export function rel(t: number, t0: number): number | null {
  if (Number.isNaN(t) || Number.isNaN(t0)) return null;
  return Math.round((t - t0) * 1e6) / 1e6;
}

export function buildReport(
  input: InputFacts,
  model: MemoryModel,
  attribution: Attribution,
  problems: Problems,
  timeline: Timeline,
): Report {
  const t0 = input.firstTime;
  const files: FileReport[] = [...attribution.files.values()].map((f) => fileReport(f, t0));
  files.sort((a, b) => b.heap.peak - a.heap.peak || b.heap.growth - a.heap.growth || b.bytesRead - a.bytesRead || (a.path < b.path ? -1 : 1));
  const mapped = input.format === 'ltrace' && input.syscalls === true;
  const processes = model.order.map((p) => processReport(p, attribution, t0, mapped));
  const u = attribution.unattributed;
  return {
    schemaVersion: 1,
    tool: { name: 'heaptrace', version: VERSION },
    input: {
      format: input.format,
      sources: input.sources,
      lines: input.counts.lines,
      events: input.counts.events,
      parsed: input.counts.parsed,
      ignored: input.counts.ignored,
      rejoined: input.counts.rejoined,
      unparsed: input.counts.unparsed,
      unparsedLines: input.counts.unparsedLines,
      timestamps: input.timestamps,
      startTime: Number.isNaN(t0) ? null : t0,
      duration: rel(input.lastTime, t0),
      truncated: input.truncated,
    },
    processes,
    files,
    unattributed: { peak: u.peak, net: u.net, growth: u.growth },
    warnings: problems.list().map((p) => ({ code: p.code, message: p.message, count: p.count, lines: p.lines })),
    timeline: timelineReport(model, timeline, mapped),
  };
}

function timelineReport(model: MemoryModel, timeline: Timeline, mapped: boolean): TimelineReport {
  const series: TimelineSeries[] = [];
  const activity: TimelineActivity[] = [];
  for (const proc of model.order) {
    const s = timeline.series.get(proc);
    if (!s) continue;
    const rows = s.rows();
    if (rows.length > 0) {
      const one: TimelineSeries = {
        pid: proc.pid,
        points: s.points,
        resolution: s.width,
        x: rows.map((r) => r.x),
        heap: rows.map((r) => r.heap),
        writable: rows.map((r) => r.writable),
      };
      if (mapped) one.mapped = rows.map((r) => r.mapped);
      series.push(one);
    }
    for (const a of s.activityReported()) {
      activity.push({
        x: a.x, pid: proc.pid, path: a.file?.path ?? null, summed: a.summed,
        reads: a.reads, bytesRead: a.bytesRead, heap: a.heap, growth: a.growth,
      });
    }
  }
  activity.sort((a, b) => a.x - b.x || a.pid - b.pid);
  return { axis: timeline.timed ? 'seconds' : 'events', series, activity };
}

function fileReport(f: FileStats, t0: number): FileReport {
  return {
    path: f.path,
    pids: [...new Set([...f.processes].map((p) => p.pid))].sort((a, b) => a - b),
    opens: f.opens,
    reads: f.reads,
    bytesRead: f.bytesRead,
    heap: { peak: f.heap.peak, net: f.heap.net, growth: f.heap.growth },
    amplification: f.bytesRead > 0 ? f.heap.peak / f.bytesRead : null,
    firstSeen: rel(f.firstSeen, t0),
  };
}

function processReport(p: ProcessState, attribution: Attribution, t0: number, mapped: boolean): ProcessReport {
  let topFile: string | null = null;
  let best = 0;
  const charges: Map<FileStats, Charge> | undefined = attribution.perProcess.get(p);
  if (charges) {
    for (const [file, c] of charges) {
      if (c.peak > best) {
        best = c.peak;
        topFile = file.path;
      }
    }
  }
  const report: ProcessReport = {
    pid: p.pid,
    parentPid: p.parentPid,
    command: p.command ?? p.comm,
    argv: p.argv,
    threads: p.threadIds.slice(),
    exit: p.exitCode === null && p.exitSignal === null ? null : { code: p.exitCode, signal: p.exitSignal, time: rel(p.exitTime, t0) },
    heap: { peak: p.heapPeak, end: p.heap, peakTime: rel(p.heapPeakTime, t0) },
    writable: { peak: p.writablePeak, end: p.writable, peakTime: rel(p.writablePeakTime, t0) },
    topFile,
  };
  if (mapped) {
    report.mapped = { peak: p.mappedPeak, end: p.mapped, peakTime: rel(p.mappedPeakTime, t0) };
    report.overhead = { end: p.mapped - p.heap, peak: p.mappedPeak - p.heapPeak };
  }
  return report;
}
