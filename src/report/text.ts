// The text summary: what a person reads in a terminal. The biggest files first, then processes,
// then how the input was read, all in human units.
import { memoryKinds } from './labels.js';
import type { Report } from './types.js';
import { formatBytes, formatCount, formatRatio, formatSeconds } from './units.js';

export interface TextOptions {
  /** How many files and processes to list (the rest are counted in one line). */
  top: number;
  /** Bold headings (a terminal without NO_COLOR). */
  color: boolean;
}

/** Pad cells into aligned columns: numbers right-aligned, the last column (a name) left as is. */
function table(rows: string[][], rightAligned: number): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, k) => (widths[k] = Math.max(widths[k] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, k) => (k === r.length - 1 ? c : k < rightAligned ? c.padStart(widths[k] ?? 0) : c.padEnd(widths[k] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** Control characters in names from the trace would move the cursor or clear the screen: show them escaped. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function formatText(report: Report, opts: TextOptions): string {
  const h = (s: string): string => (opts.color ? `\u001b[1m${s}\u001b[0m` : s);
  const out: string[] = [];
  const inp = report.input;
  const span = inp.duration !== null ? `, ${formatSeconds(inp.duration)}` : '';
  out.push(
    `${h('heaptrace')} ${inp.sources.map(printable).join(', ')}: ${inp.format}, ${formatCount(inp.lines)} lines, ` +
      `${formatCount(report.processes.length)} process${report.processes.length === 1 ? '' : 'es'}${span}`,
  );
  out.push('');

  const charged = report.files.filter((f) => f.heap.peak > 0 || f.heap.growth > 0);
  out.push(h('Heap growth by file') + ' (peak = max heap delta while this file was the one being read)');
  if (charged.length === 0) {
    out.push('  no heap growth was charged to any file');
  } else {
    const shown = charged.slice(0, opts.top);
    const rows = [['PEAK', 'NET', 'GROWTH', 'READ', 'AMPL', 'FILE']];
    for (const f of shown) {
      rows.push([
        formatBytes(f.heap.peak), formatBytes(f.heap.net), formatBytes(f.heap.growth), formatBytes(f.bytesRead),
        formatRatio(f.amplification), printable(f.path),
      ]);
    }
    out.push(...table(rows, 5).map((l) => '  ' + l));
    if (charged.length > shown.length) {
      out.push(`  … ${formatCount(charged.length - shown.length)} more file(s) with heap growth (--top N shows more, --json all)`);
    }
  }
  const u = report.unattributed;
  if (u.growth > 0) out.push(`  before any file was read: peak ${formatBytes(u.peak)}, growth ${formatBytes(u.growth)}`);
  out.push('');

  const { heap, mapped, writable } = memoryKinds(report);
  out.push(
    h('Processes') +
      (heap === 'heap'
        ? ' (heap: brk + private anonymous writable; writable: all private writable = VmData)'
        : mapped
          ? ' (heap: live requested bytes; mapped: brk + private anonymous writable, from -S; overhead: mapped - heap; writable: all private writable = VmData)'
          : ' (heap: live requested bytes, malloc … free; capture with ltrace -S for the mapped side)'),
  );
  const header = ['PID', 'PARENT', 'HEAP PEAK', 'HEAP END'];
  if (mapped) header.push('MAPPED PEAK', 'MAPPED END', 'OVERHEAD');
  if (writable) header.push('WRIT PEAK', 'WRIT END');
  header.push('EXIT', 'COMMAND');
  const prow = [header];
  const biggest = [...report.processes].sort((a, b) => b.writable.peak - a.writable.peak || b.heap.peak - a.heap.peak || a.pid - b.pid).slice(0, opts.top);
  for (const p of report.processes.filter((x) => biggest.includes(x))) {
    const exit = p.exit === null ? '-' : p.exit.signal ?? String(p.exit.code);
    const threads = p.threads.length > 1 ? ` (${p.threads.length} threads)` : '';
    const row = [String(p.pid), p.parentPid === null ? '-' : String(p.parentPid), formatBytes(p.heap.peak), formatBytes(p.heap.end)];
    if (mapped) {
      row.push(
        p.mapped ? formatBytes(p.mapped.peak) : '-', p.mapped ? formatBytes(p.mapped.end) : '-',
        p.overhead ? formatBytes(p.overhead.end) : '-',
      );
    }
    if (writable) row.push(formatBytes(p.writable.peak), formatBytes(p.writable.end));
    row.push(exit, printable(p.command ?? '?') + threads);
    prow.push(row);
  }
  out.push(...table(prow, header.length - 2).map((l) => '  ' + l));
  if (report.processes.length > biggest.length) {
    out.push(`  … ${formatCount(report.processes.length - biggest.length)} more process(es) with smaller peaks (--json lists all)`);
  }
  out.push('');

  out.push(
    `${h('Input')}: ${formatCount(inp.lines)} lines: ${formatCount(inp.parsed)} parsed, ${formatCount(inp.ignored)} ignored, ` +
      `${formatCount(inp.rejoined)} rejoined, ${formatCount(inp.unparsed)} unparsed` +
      (inp.unparsedLines.length > 0 ? ` (first at ${inp.unparsedLines.slice(0, 3).map(printable).join(', ')})` : '') +
      `; timestamps: ${inp.timestamps}${inp.truncated ? '; the input ends mid-line' : ''}`,
  );
  return out.join('\n') + '\n';
}

/** One line per kind of input problem, for stderr. */
export function formatWarnings(report: Report): string {
  return report.warnings
    .map((w) => `heaptrace: warning: ${w.count} × ${w.message}${w.lines.length > 0 ? ` (first at ${w.lines.slice(0, 3).map(printable).join(', ')})` : ''}\n`)
    .join('');
}
