// Baselines: hold a trace to a stored report. Every file's heap peak and every program's largest
// heap peak may exceed the baseline's only by the tolerance. Processes are matched by command
// (pids differ between runs), files by path.
import { HeaptraceError } from '../errors.js';
import { MESSAGES } from '../messages.js';
import { validateReport } from '../report/schema.js';
import type { Report } from '../report/types.js';
import { formatBytes } from '../report/units.js';
import { label, type CheckResult } from './evaluate.js';
import { parseSize } from './size.js';

export interface Tolerance {
  /** Fraction of the baseline value allowed on top of it (0.1 for 10%). */
  relative: number;
  /** Bytes allowed on top of it. */
  absolute: number;
  text: string;
}

/** "10%", "64KiB", or both: "10%+64KiB". */
export function parseTolerance(text: string): Tolerance {
  const t: Tolerance = { relative: 0, absolute: 0, text: text.trim() };
  for (const part of text.split('+')) {
    const p = part.trim();
    const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(p);
    if (pct) t.relative += Number(pct[1]) / 100;
    else {
      try {
        t.absolute += parseSize(p);
      } catch {
        throw new HeaptraceError('HT_USAGE', MESSAGES.badTolerance(text));
      }
    }
  }
  return t;
}

export function allowance(base: number, t: Tolerance): number {
  return Math.floor(base * (1 + t.relative)) + t.absolute;
}

/** Read a stored report; it must be a heaptrace JSON report. */
export function parseBaseline(file: string, text: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new HeaptraceError('HT_BAD_RULE', MESSAGES.badBaseline(file, (err as Error).message));
  }
  const problems = validateReport(data);
  if (problems !== null) throw new HeaptraceError('HT_BAD_RULE', MESSAGES.badBaseline(file, problems.split('\n')[0] ?? ''));
  return data as Report;
}

function programPeaks(report: Report): Map<string, number> {
  const peaks = new Map<string, number>();
  for (const p of report.processes) {
    const key = p.command ?? `pid ${p.pid}`;
    peaks.set(key, Math.max(peaks.get(key) ?? 0, p.heap.peak));
  }
  return peaks;
}

/**
 * One result per file and per program that has a heap peak in either report. A file or program
 * new since the baseline is compared with 0 (plus the tolerance's absolute part).
 */
export function compareBaseline(report: Report, baseline: Report, t: Tolerance): CheckResult[] {
  const results: CheckResult[] = [];
  const result = (kind: 'max-delta' | 'max-heap', name: string, base: number, measured: number, files: string[]): CheckResult => {
    const limit = allowance(base, t);
    const status = measured > limit ? 'fail' : 'pass';
    const what = kind === 'max-delta' ? 'heap peak of' : 'largest heap peak of';
    return {
      rule: { kind, glob: kind === 'max-delta' ? name : null, limit },
      status,
      measured,
      limit,
      files,
      pid: null,
      origin: 'baseline',
      message:
        `${label(status)}baseline ${what} ${name} ≤ ${formatBytes(limit)}: ${formatBytes(measured)} ` +
        `(baseline ${formatBytes(base)}, tolerance ${t.text})`,
    };
  };
  const before = new Map(baseline.files.map((f) => [f.path, f.heap.peak]));
  const now = new Map(report.files.map((f) => [f.path, f.heap.peak]));
  for (const path of new Set([...before.keys(), ...now.keys()])) {
    const b = before.get(path) ?? 0;
    const m = now.get(path) ?? 0;
    if (b === 0 && m === 0) continue;
    results.push(result('max-delta', path, b, m, [path]));
  }
  const pb = programPeaks(baseline);
  const pn = programPeaks(report);
  for (const cmd of new Set([...pb.keys(), ...pn.keys()])) {
    const b = pb.get(cmd) ?? 0;
    const m = pn.get(cmd) ?? 0;
    if (b === 0 && m === 0) continue;
    results.push(result('max-heap', cmd, b, m, []));
  }
  return results;
}
