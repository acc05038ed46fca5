// Hold a report to check rules: one result per rule, pass or fail, with the measured value, the
// files it concerns and a one-line message.
import { labelOf, processLabels } from '../report/labels.js';
import type { FileReport, ProcessReport, Report } from '../report/types.js';
import { formatBytes, formatRatio } from '../report/units.js';
import { basename, compileGlob } from './glob.js';
import { isFileRuleKind, type FileRuleKind, type Rule } from './rules.js';

export type CheckStatus = 'pass' | 'fail';

export interface CheckResult {
  rule: Rule;
  status: CheckStatus;
  /** The worst value among the matching files (or the largest process peak); null when nothing matched. */
  measured: number | null;
  limit: number;
  /** Matching file paths, worst first (process rules: empty). */
  files: string[];
  /** The process with the largest peak, for max-heap and max-writable; null otherwise. */
  pid: number | null;
  message: string;
  /** A rule the user gave, or a comparison with a --baseline report. */
  origin: 'rule' | 'baseline';
}

export interface CheckOptions {
  /** A file rule that matches no file passes instead of failing. */
  allowMissing?: boolean;
}

export interface CheckOutcome {
  passed: boolean;
  results: CheckResult[];
}

function fileValue(kind: FileRuleKind, f: FileReport): number | null {
  switch (kind) {
    case 'max-delta':
      return f.heap.peak;
    case 'max-net':
      return f.heap.net;
    case 'max-growth':
      return f.heap.growth;
    case 'max-amplification':
      return f.amplification;
  }
}

export function formatLimit(rule: Rule, value: number): string {
  return rule.kind === 'max-amplification' ? formatRatio(value) : formatBytes(value);
}

/** "max-delta registry.xml ≤ 2 MiB". */
export function ruleTitle(rule: Rule): string {
  return `${rule.kind}${rule.glob === null ? '' : ` ${rule.glob}`} ≤ ${formatLimit(rule, rule.limit)}`;
}

/** Levenshtein distance, two rows. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The paths whose basenames are nearest to the glob's last segment, at most `n`. */
export function nearestPaths(report: Report, glob: string, n = 3): string[] {
  const want = basename(glob).toLowerCase();
  return report.files
    .map((f) => ({ path: f.path, d: editDistance(want, basename(f.path).toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.path.localeCompare(b.path))
    .slice(0, n)
    .map((x) => x.path);
}

/** The report's files that a glob matches, largest heap peak first. */
export function matchingFiles(report: Report, glob: string): FileReport[] {
  const g = compileGlob(glob);
  return report.files.filter((f) => g.test(f.path)).sort((a, b) => b.heap.peak - a.heap.peak);
}

function fileDetail(f: FileReport): string {
  return `${f.path}, ${formatBytes(f.bytesRead)} read, ${formatRatio(f.amplification)}`;
}

function checkFileRule(report: Report, rule: Rule & { kind: FileRuleKind }, glob: string, opts: CheckOptions): CheckResult {
  const title = ruleTitle(rule);
  const matches = matchingFiles(report, glob);
  if (matches.length === 0) {
    const near = nearestPaths(report, glob);
    const hint = near.length > 0 ? `; nearest: ${near.join(', ')}` : '; the trace read no files';
    const status: CheckStatus = opts.allowMissing === true ? 'pass' : 'fail';
    const why = opts.allowMissing === true ? 'no file matches (allowed by --allow-missing)' : `no file matches${hint}`;
    return { rule, status, measured: null, limit: rule.limit, files: [], pid: null, message: `${label(status)}${title}: ${why}`, origin: 'rule' };
  }
  // Worst first; files with no value (amplification of a file never read) cannot break the rule.
  const valued = matches
    .map((f) => ({ f, v: fileValue(rule.kind, f) }))
    .sort((a, b) => (b.v ?? -Infinity) - (a.v ?? -Infinity));
  const worst = valued[0];
  const measured = worst?.v ?? null;
  const status: CheckStatus = measured !== null && measured > rule.limit ? 'fail' : 'pass';
  const shown = measured === null ? 'nothing read' : formatLimit(rule, measured);
  const worstFile = worst?.f;
  const detail = worstFile === undefined ? '' : status === 'fail' ? fileDetail(worstFile) : worstFile.path;
  const more = matches.length > 1 ? `; worst of ${matches.length} files` : '';
  return {
    rule,
    status,
    measured,
    limit: rule.limit,
    files: valued.map((x) => x.f.path),
    pid: null,
    message: `${label(status)}${title}: ${shown} (${detail})${more}`,
    origin: 'rule',
  };
}

function checkProcessRule(report: Report, rule: Rule): CheckResult {
  const title = ruleTitle(rule);
  const value = (p: ProcessReport): number => (rule.kind === 'max-heap' ? p.heap.peak : p.writable.peak);
  const worst = [...report.processes].sort((a, b) => value(b) - value(a))[0];
  const measured = worst === undefined ? 0 : value(worst);
  const status: CheckStatus = measured > rule.limit ? 'fail' : 'pass';
  const who = worst === undefined ? 'no process' : labelOf(processLabels(report), worst.pid);
  const top = status === 'fail' && worst?.topFile != null ? `, top file ${worst.topFile}` : '';
  return {
    rule,
    status,
    measured,
    limit: rule.limit,
    files: [],
    pid: worst?.pid ?? null,
    message: `${label(status)}${title}: ${formatBytes(measured)} (${who}${top})`,
    origin: 'rule',
  };
}

/** The start of every result line: "PASS  " or "FAIL  ". */
export const label = (s: CheckStatus): string => (s === 'pass' ? 'PASS  ' : 'FAIL  ');

/** Every rule against the report; passed when all hold. */
export function evaluate(report: Report, rules: readonly Rule[], opts: CheckOptions = {}): CheckOutcome {
  const results = rules.map((rule) =>
    isFileRuleKind(rule.kind) && rule.glob !== null
      ? checkFileRule(report, rule as Rule & { kind: FileRuleKind }, rule.glob, opts)
      : checkProcessRule(report, rule),
  );
  return { passed: results.every((r) => r.status === 'pass'), results };
}
