// The report's charts as one Vega-Lite v6 spec, data inline (docs/html-report.md): the timeline of
// each process's heap and writable bytes with the file activity on it and the peak marked, an
// overview to brush a time range on, and the cost of each file as bars. Built from the Report alone,
// so the JSON report can be charted again later.
//
// Trace text (paths, commands) only ever goes into the data, never into expressions or titles
// that Vega parses as code.
import { labelOf, memoryKinds, processLabels, type MemoryKinds } from './labels.js';
import type { ProcessReport, Report, TimelineActivity, TimelineSeries } from './types.js';
import { formatBytes, formatCount, formatSeconds, sizeUnit } from './units.js';

/** A Vega-Lite spec as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Files coloured by name on the timeline; the others are drawn as "other files". */
export const TOP_FILES = 8;
/** Files in the cost chart. */
export const COST_FILES = 20;
/**
 * Processes on the timeline, at most: as many as its legend lists. A trace of a shell loop or a
 * build has thousands, and drawn together they were a wall of colour that took 10 s to render.
 */
export const TOP_PROCESSES = 12;

export const OTHER_FILES = 'other files';
export const NO_FILE = 'no file';

// tableau10 without its grey, which "other files" uses.
const FILE_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];
const PROCESS_COLOURS = ['#1b4f72', '#7d3c98', '#117864', '#935116', '#2e4053', '#943126', '#1d8348', '#6e2c00'];

export interface VegaLiteOptions {
  /** The small overview chart under the timeline, brushed to zoom; static renderings leave it out. */
  overview?: boolean;
}

/** The highest heap any process reached, where and when (the timeline keeps it exactly). */
export interface GlobalPeak {
  pid: number;
  x: number;
  bytes: number;
}

export function globalPeak(report: Report): GlobalPeak | null {
  let best: GlobalPeak | null = null;
  for (const s of report.timeline.series) {
    for (let i = 0; i < s.x.length; i++) {
      const h = s.heap[i] as number;
      if (best === null || h > best.bytes) best = { pid: s.pid, x: s.x[i] as number, bytes: h };
    }
  }
  return best;
}

/**
 * Short, still distinct names for paths: the last path segment, with more segments for names that
 * would otherwise collide ("…/a/x.py" and "…/b/x.py").
 */
export function shortNames(paths: readonly string[]): Map<string, string> {
  const segs = new Map(paths.map((p) => [p, p.split('/').filter((s) => s !== '')] as const));
  const depth = new Map(paths.map((p) => [p, 1]));
  const label = (p: string): string => {
    const s = segs.get(p) ?? [];
    const d = depth.get(p) ?? 1;
    if (s.length <= d) return p;
    return '…/' + s.slice(s.length - d).join('/');
  };
  for (;;) {
    const byLabel = new Map<string, string[]>();
    for (const p of paths) {
      const l = label(p);
      byLabel.set(l, [...(byLabel.get(l) ?? []), p]);
    }
    let grew = false;
    for (const group of byLabel.values()) {
      if (group.length < 2) continue;
      for (const p of group) {
        const d = depth.get(p) ?? 1;
        if (d < (segs.get(p)?.length ?? 0)) {
          depth.set(p, d + 1);
          grew = true;
        }
      }
    }
    if (!grew) break;
  }
  return new Map(paths.map((p) => [p, label(p)]));
}

/** Processes by heap peak, highest first; a tie keeps the report's order (of appearance). */
export function byHeapPeak(processes: readonly ProcessReport[]): ProcessReport[] {
  return [...processes].sort((a, b) => b.heap.peak - a.heap.peak);
}

/** The processes the timeline draws, and how many tie at the last place (see drawnProcesses). */
export interface Drawn {
  pids: Set<number>;
  /** Processes sharing the heap peak of the last place, more than are drawn of them (0: no such tie). */
  tied: number;
  /** How many of those are drawn. */
  tiedDrawn: number;
}

/**
 * The processes the timeline draws: all of them when at most TOP_PROCESSES have a series, else the
 * TOP_PROCESSES with the highest heap peak. When more processes share the last place's peak than
 * there are places left (a shell loop's children, or forked workers that all peak at the copy of
 * their parent's heap), the places go to tied processes spread evenly over the report's order,
 * the order in which the trace shows them, first and last included: the first dozen would all
 * sit at the start of the trace. The series follow the report's order, so a tie for the highest
 * peak goes the way it does in globalPeak, and the process of the peak is always drawn.
 */
export function drawnProcesses(report: Report): Drawn {
  const withSeries = new Set(report.timeline.series.map((s) => s.pid));
  if (withSeries.size <= TOP_PROCESSES) return { pids: withSeries, tied: 0, tiedDrawn: 0 };
  // A stable sort: processes of equal peak keep the report's order.
  const ranked = byHeapPeak(report.processes).filter((p) => withSeries.has(p.pid));
  if (ranked.length <= TOP_PROCESSES) return { pids: new Set(ranked.map((p) => p.pid)), tied: 0, tiedDrawn: 0 };
  const last = (ranked[TOP_PROCESSES - 1] as ProcessReport).heap.peak;
  const above = ranked.filter((p) => p.heap.peak > last);
  const tied = ranked.filter((p) => p.heap.peak === last);
  const places = TOP_PROCESSES - above.length;
  if (tied.length === places) return { pids: new Set(ranked.slice(0, TOP_PROCESSES).map((p) => p.pid)), tied: 0, tiedDrawn: 0 };
  const spread = Array.from({ length: places }, (_, k) =>
    tied[places === 1 ? 0 : Math.round((k * (tied.length - 1)) / (places - 1))] as ProcessReport);
  return { pids: new Set([...above, ...spread].map((p) => p.pid)), tied: tied.length, tiedDrawn: places };
}

/**
 * What the charts and the page around them share, worked out once per report: the memory series,
 * the processes' labels, the peak and the processes drawn.
 */
export interface ChartContext {
  kinds: MemoryKinds;
  labels: Map<number, string>;
  peak: GlobalPeak | null;
  /** The pids of the processes drawn. */
  drawn: Set<number>;
  /** Of those, how many were picked among processes tied at the last place (see drawnProcesses). */
  ties: Pick<Drawn, 'tied' | 'tiedDrawn'>;
}

export function chartContext(report: Report): ChartContext {
  const { pids, tied, tiedDrawn } = drawnProcesses(report);
  return { kinds: memoryKinds(report), labels: processLabels(report), peak: globalPeak(report), drawn: pids, ties: { tied, tiedDrawn } };
}

/** The heap of a series just after x (the last point at or before x), for placing activity on the line. */
function heapAt(s: TimelineSeries, x: number): number {
  let lo = 0;
  let hi = s.x.length - 1;
  if (hi < 0) return 0;
  if ((s.x[0] as number) > x) return s.heap[0] as number;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((s.x[mid] as number) <= x) lo = mid;
    else hi = mid - 1;
  }
  return s.heap[lo] as number;
}

/** The file whose growth last came before the peak in that process: what the peak's tooltip names. */
function peakFile(activity: readonly TimelineActivity[], peak: GlobalPeak): string | null {
  let best: TimelineActivity | null = null;
  for (const a of activity) {
    if (a.pid !== peak.pid || a.growth <= 0 || a.x > peak.x) continue;
    if (best === null || a.x >= best.x) best = a;
  }
  return best === null ? null : activityPath(best);
}

interface Datasets {
  memory: Record<string, unknown>[];
  activity: Record<string, unknown>[];
  peak: Record<string, unknown>[];
  costs: Record<string, unknown>[];
}

/**
 * The memory series' names as the legend shows them (memoryKinds), then the kernel's resident
 * series when they were sampled.
 */
export function seriesKinds(kinds: MemoryKinds, resident: boolean): string[] {
  const names: string[] = [kinds.heap];
  if (kinds.mapped) names.push('mapped');
  if (kinds.writable) names.push('writable');
  if (resident) names.push('resident', 'private dirty');
  return names;
}

/** Activity drawn as a dot: something was read or the heap changed. */
function drawnActivity(a: TimelineActivity): boolean {
  return a.reads > 0 || a.heap !== 0 || a.growth > 0;
}

/** What an activity entry is about: its file, the sum of files its bucket could not list, or no file. */
function activityPath(a: Pick<TimelineActivity, 'path' | 'summed'>): string {
  return a.path ?? (a.summed ? OTHER_FILES : NO_FILE);
}

function datasets(report: Report, context: ChartContext, fileLabel: (a: TimelineActivity) => string): Datasets {
  const { kinds, labels, drawn } = context;
  const memory: Record<string, unknown>[] = [];
  for (const s of report.timeline.series) {
    if (!drawn.has(s.pid)) continue;
    const proc = labelOf(labels, s.pid);
    for (let i = 0; i < s.x.length; i++) {
      memory.push({ t: s.x[i], proc, kind: kinds.heap, bytes: s.heap[i] });
      if (kinds.mapped && s.mapped) memory.push({ t: s.x[i], proc, kind: 'mapped', bytes: s.mapped[i] });
      if (kinds.writable) memory.push({ t: s.x[i], proc, kind: 'writable', bytes: s.writable[i] });
    }
  }
  for (const r of report.timeline.resident ?? []) {
    if (!drawn.has(r.pid)) continue;
    const proc = labelOf(labels, r.pid);
    for (let i = 0; i < r.x.length; i++) {
      memory.push({ t: r.x[i], proc, kind: 'resident', bytes: r.rss[i] });
      memory.push({ t: r.x[i], proc, kind: 'private dirty', bytes: r.privateDirty[i] });
    }
  }
  const seriesOf = new Map(report.timeline.series.map((s) => [s.pid, s]));
  const activity = report.timeline.activity
    .filter((a) => drawn.has(a.pid) && drawnActivity(a))
    .map((a) => {
      const s = seriesOf.get(a.pid);
      return {
        t: a.x,
        pid: a.pid,
        proc: labelOf(labels, a.pid),
        file: fileLabel(a),
        path: activityPath(a),
        change: a.heap,
        growth: a.growth,
        reads: a.reads,
        bytesRead: a.bytesRead,
        bytes: s ? heapAt(s, a.x) : 0,
      };
    });
  const p = context.peak;
  const peak = p === null
    ? []
    : [{
      t: p.x,
      pid: p.pid,
      proc: labelOf(labels, p.pid),
      bytes: p.bytes,
      path: peakFile(report.timeline.activity, p) ?? NO_FILE,
      label: `peak ${formatBytes(p.bytes)}`,
    }];
  const costFiles = report.files.filter((f) => f.heap.peak > 0 || f.heap.net !== 0).slice(0, COST_FILES);
  const names = shortNames(costFiles.map((f) => f.path));
  const costs: Record<string, unknown>[] = [];
  costFiles.forEach((f, rank) => {
    const common = {
      rank,
      name: names.get(f.path),
      path: f.path,
      peak: f.heap.peak,
      net: f.heap.net,
      bytesRead: f.bytesRead,
      amplification: f.amplification === null ? null : Math.round(f.amplification * 100) / 100,
    };
    costs.push({ ...common, measure: 'heap peak', bytes: f.heap.peak });
    costs.push({ ...common, measure: 'net', bytes: f.heap.net });
  });
  return { memory, activity, peak, costs };
}

/** `bytes` in the axis's unit (sizeUnit of the largest value it shows), as the field `amount`. */
const inUnit = (unit: { size: number }) => ({ calculate: `datum.bytes / ${unit.size}`, as: 'amount' });

const largest = (rows: Record<string, unknown>[]): number => rows.reduce((m, r) => Math.max(m, Math.abs(r['bytes'] as number)), 0);

/**
 * The Vega-Lite spec of a report's charts. A page that shows more of the report passes the context
 * it worked out for itself, so nothing is computed twice.
 */
export function vegaLiteSpec(report: Report, options: VegaLiteOptions = {}, context: ChartContext = chartContext(report)): VegaLiteSpec {
  const overview = options.overview ?? true;
  const timed = report.timeline.axis === 'seconds';

  // Colour by file: the files with the highest heap peak that appear on the timeline, then the rest.
  const onTimeline = new Set(report.timeline.activity.filter((a) => context.drawn.has(a.pid)).map((a) => a.path));
  const top = report.files.filter((f) => f.heap.peak > 0 && onTimeline.has(f.path)).slice(0, TOP_FILES).map((f) => f.path);
  const topNames = shortNames(top);
  const fileLabel = (a: TimelineActivity): string => (a.path === null ? activityPath(a) : topNames.get(a.path) ?? OTHER_FILES);
  const data = datasets(report, context, fileLabel);
  const fileDomain = [...top.map((p) => topNames.get(p) as string), OTHER_FILES, NO_FILE];
  const fileRange = [...FILE_COLOURS.slice(0, top.length), '#9d9d9d', '#d4d4d4'];

  const heapKind = context.kinds.heap;
  const kinds = seriesKinds(context.kinds, report.timeline.resident !== undefined);
  const dashes = [[1, 0], [4, 2], [2, 2], [8, 4], [8, 3, 2, 3]].slice(0, kinds.length);
  const procs = [...new Set(data.memory.map((m) => m.proc as string))];

  const xTitle = timed ? 'seconds from the start of the trace' : 'trace events (the trace has no timestamps)';
  const tField = { field: 't', type: 'quantitative' as const, title: timed ? 'time (s)' : 'event', format: timed ? '.6f' : ',d' };
  const x = {
    field: 't',
    type: 'quantitative',
    title: xTitle,
    scale: overview ? { domain: { param: 'brush' }, nice: false } : { nice: false },
    axis: { grid: true, format: timed ? ',.6~f' : ',d' },
  };
  // Labels are left to the axis, which gives them as many decimals as its tick step needs (a fixed
  // number repeats labels once the range is small or zoomed in).
  // The series hold the peak: the reduction keeps each one's maximum, and the peak's process is drawn.
  const unit = sizeUnit(largest(data.memory));
  const y = { field: 'amount', type: 'quantitative', title: unit.name };

  const lines = {
    name: 'memory',
    data: { name: 'memory' },
    transform: [inUnit(unit)],
    params: [{ name: 'procPick', select: { type: 'point', fields: ['proc'] }, bind: 'legend' }],
    // No ARIA label per point: thousands of generated labels cost more to draw than the points.
    mark: { type: 'line', interpolate: 'step-after', clip: true, strokeWidth: 1.8, aria: false },
    encoding: {
      x,
      y,
      color: {
        field: 'proc',
        type: 'nominal',
        title: 'process',
        scale: { domain: procs, range: PROCESS_COLOURS },
        // Past a dozen processes the legend would push the overview away; the rest are summarised.
        legend: { symbolType: 'stroke', labelLimit: 180, orient: 'right', symbolLimit: 12 },
      },
      strokeDash: {
        field: 'kind',
        type: 'nominal',
        title: 'line',
        scale: { domain: kinds, range: dashes },
        legend: { symbolType: 'stroke', orient: 'right' },
      },
      opacity: { condition: { param: 'procPick', value: 0.95 }, value: 0.12 },
      tooltip: [
        tField,
        { field: 'proc', title: 'process' },
        { field: 'kind', title: 'series' },
        { field: 'bytes', type: 'quantitative', title: 'bytes', format: ',' },
      ],
    },
  };

  const dots = {
    name: 'activity',
    data: { name: 'activity' },
    transform: [inUnit(unit)],
    params: [{ name: 'filePick', select: { type: 'point', fields: ['file'] }, bind: 'legend' }],
    mark: { type: 'circle', clip: true, stroke: 'white', strokeWidth: 0.6, aria: false },
    encoding: {
      x,
      y,
      color: {
        field: 'file',
        type: 'nominal',
        title: 'file read',
        scale: { domain: fileDomain, range: fileRange },
        legend: { labelLimit: 180, orient: 'right' },
      },
      size: { field: 'growth', type: 'quantitative', scale: { type: 'sqrt', range: [20, 360], zero: true }, legend: null },
      opacity: {
        condition: { test: { and: [{ param: 'filePick' }, { param: 'procPick' }] }, value: 0.9 },
        value: 0.08,
      },
      tooltip: [
        tField,
        { field: 'pid', type: 'nominal', title: 'pid' },
        { field: 'path', type: 'nominal', title: 'file' },
        { field: 'change', type: 'quantitative', title: 'heap change (bytes)', format: ',' },
        { field: 'bytesRead', type: 'quantitative', title: 'bytes read', format: ',' },
        { field: 'reads', type: 'quantitative', title: 'reads', format: ',' },
      ],
    },
  };

  const peakTooltip = [
    tField,
    { field: 'pid', type: 'nominal', title: 'pid' },
    { field: 'label', type: 'nominal', title: 'heap' },
    { field: 'bytes', type: 'quantitative', title: 'bytes', format: ',' },
    { field: 'path', type: 'nominal', title: 'last growth from' },
  ];
  const peakRule = {
    data: { name: 'peak' },
    mark: { type: 'rule', color: '#c0392b', strokeDash: [4, 3], clip: true },
    encoding: { x },
  };
  const peakPoint = {
    name: 'peak',
    data: { name: 'peak' },
    transform: [inUnit(unit)],
    mark: { type: 'point', shape: 'diamond', size: 260, filled: true, color: '#c0392b', stroke: 'white', strokeWidth: 1.5, clip: true },
    encoding: { x, y, tooltip: peakTooltip },
  };
  const peakText = {
    data: { name: 'peak' },
    transform: [inUnit(unit)],
    mark: { type: 'text', align: 'left', dx: 10, dy: -10, fontWeight: 'bold', color: '#c0392b', clip: true },
    encoding: { x, y, text: { field: 'label' } },
  };

  const peak = context.peak;
  const series = report.timeline.series.length;
  // One line of what is drawn, one of how to explore it (a subtitle does not wrap by itself).
  const subtitle = [
    peak === null
      ? 'no memory changes in the trace'
      : `peak ${heapKind} ${formatBytes(peak.bytes)} in pid ${peak.pid} at ${timed ? formatSeconds(peak.x) : `event ${peak.x}`}` +
        (context.drawn.size < series ? ` · drawn: the ${context.drawn.size} of ${formatCount(report.processes.length)} processes with the highest ${heapKind} peak` : '') +
        (context.ties.tied > 0 ? ` (${context.ties.tiedDrawn} of the ${formatCount(context.ties.tied)} that tie, spread over the trace)` : ''),
  ];
  if (overview && peak !== null) subtitle.push('drag on the overview below to zoom · click a legend entry to isolate it, an empty spot to show all');
  const timeline = {
    title: {
      text: heapKind === 'requested'
        ? context.kinds.mapped
          ? 'Live requested bytes (malloc and friends), mapped and writable memory per process, with the file reads'
          : 'Live requested bytes (malloc and friends) per process, with the file reads'
        : 'Heap and writable memory per process, with the file reads',
      subtitle,
      anchor: 'start',
    },
    width: 700,
    height: 300,
    layer: [lines, dots, peakRule, peakPoint, peakText],
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  };

  const overviewChart = {
    width: 700,
    height: 60,
    data: { name: 'memory' },
    transform: [{ filter: { field: 'kind', equal: heapKind } }, inUnit(unit)],
    params: [{ name: 'brush', select: { type: 'interval', encodings: ['x'] } }],
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1, aria: false },
    encoding: {
      x: { field: 't', type: 'quantitative', title: timed ? 'overview: drag to zoom the timeline (seconds)' : 'overview: drag to zoom the timeline (events)', scale: { nice: false }, axis: { format: timed ? ',.6~f' : ',d' } },
      y: { field: 'amount', type: 'quantitative', title: null, axis: { tickCount: 2 } },
      color: { field: 'proc', type: 'nominal', scale: { domain: procs, range: PROCESS_COLOURS }, legend: null },
      detail: { field: 'proc' },
    },
  };

  const costUnit = sizeUnit(largest(data.costs));
  const costs = {
    title: { text: 'Heap charged to each file', subtitle: `the ${COST_FILES} files with the highest heap peak; net is what stayed charged at the end`, anchor: 'start' },
    width: 620,
    height: { step: 11 },
    data: { name: 'costs' },
    transform: [inUnit(costUnit)],
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      y: {
        field: 'name',
        type: 'nominal',
        title: null,
        sort: { field: 'rank', op: 'min', order: 'ascending' },
        axis: { labelLimit: 200 },
      },
      yOffset: { field: 'measure', type: 'nominal', sort: ['heap peak', 'net'] },
      x: { field: 'amount', type: 'quantitative', title: costUnit.name },
      color: {
        field: 'measure',
        type: 'nominal',
        title: null,
        scale: { domain: ['heap peak', 'net'], range: ['#c0392b', '#5d6d7e'] },
        legend: { orient: 'top' },
      },
      tooltip: [
        { field: 'path', type: 'nominal', title: 'file' },
        { field: 'peak', type: 'quantitative', title: 'heap peak (bytes)', format: ',' },
        { field: 'net', type: 'quantitative', title: 'net (bytes)', format: ',' },
        { field: 'bytesRead', type: 'quantitative', title: 'bytes read', format: ',' },
        { field: 'amplification', type: 'quantitative', title: 'amplification (peak / bytes read)', format: ',.2f' },
      ],
    },
  };

  const charts: unknown[] = [timeline];
  if (overview) charts.push(overviewChart);
  if (data.costs.length > 0) charts.push(costs);
  return {
    $schema: VEGA_LITE_SCHEMA,
    description: 'heaptrace: heap and writable bytes per process over time, from system calls (not resident memory)',
    datasets: data,
    vconcat: charts,
    spacing: 24,
    resolve: { scale: { color: 'independent', x: 'independent', y: 'independent' }, legend: { color: 'independent' } },
    config: {
      font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
      view: { stroke: '#e5e5e5' },
      axis: { labelColor: '#444', titleColor: '#333', gridColor: '#eeeeee', titleFontWeight: 'normal' },
      legend: { labelColor: '#333', titleColor: '#333', titleFontWeight: 'normal' },
      title: { fontSize: 15, subtitleColor: '#555' },
    },
  };
}
