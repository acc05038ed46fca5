// The live progress line of `heaptrace run`, `report` and `check` on a terminal's stderr, redrawn
// in place.
import { basename } from 'node:path';
import { printable } from '../report/text.js';
import { formatBytes, formatCount } from '../report/units.js';
import type { RunProgress } from './live.js';

/** Redraws one status line; calls per second are measured between two redraws. */
export class ProgressLine {
  private last: { elapsed: number; events: number } = { elapsed: 0, events: 0 };
  private shown = false;

  constructor(private readonly out: NodeJS.WritableStream) {}

  update(p: RunProgress): void {
    const dt = p.elapsed - this.last.elapsed;
    const rate = dt > 0 ? Math.round((p.events - this.last.events) / dt) : 0;
    this.last = { elapsed: p.elapsed, events: p.events };
    this.out.write(`\r\u001b[K${formatProgress(p, rate)}`);
    this.shown = true;
  }

  /** Erase the line before the report is written. */
  clear(): void {
    if (this.shown) this.out.write('\r\u001b[K');
    this.shown = false;
  }
}

export function formatProgress(p: RunProgress, callsPerSecond: number): string {
  const parts = [`heaptrace ${p.elapsed.toFixed(1)}s`];
  if (p.read) parts.push(formatRead(p.read.bytes, p.read.total));
  parts.push(`${formatCount(callsPerSecond)} calls/s`);
  if (p.largest !== null) parts.push(`pid ${p.largest.pid} heap ${formatBytes(p.largest.heap)}`);
  if (p.costliest !== null) parts.push(`most: ${printable(basename(p.costliest.path))} ${formatBytes(p.costliest.peak)}`);
  return parts.join(' · ');
}

/**
 * How far through the input: a share of its size when that is known (a gzip file's is the
 * estimate its trailer gives, so the share stops short of 100% until the end), else the bytes.
 */
function formatRead(bytes: number, total: number | null): string {
  if (total === null || total <= 0 || bytes > total) return `${formatBytes(bytes)} read`;
  return `${Math.min(99, Math.floor((100 * bytes) / total))}% of ${formatBytes(total)}`;
}
