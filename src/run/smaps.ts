// `heaptrace run --smaps INTERVAL`: the kernel's resident view beside the syscall model. Every
// INTERVAL, each traced process that is alive has its /proc/PID/smaps_rollup read (Rss and
// Private_Dirty). Samples are reduced as they come, like the timeline (attribute/timeline.ts), so
// memory stays flat however long the program runs; the highest sample of each process survives.
import { readFile } from 'node:fs/promises';
import { ProcessSeries, Row } from '../attribute/timeline.js';
import { HeaptraceError } from '../errors.js';
import { MESSAGES } from '../messages.js';
import { rel } from '../report/build.js';
import type { ResidentSeries } from '../report/types.js';
import { formatBytes } from '../report/units.js';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** An interval such as 100ms, 0.5s or 2s, in milliseconds; at least 10ms. */
export function parseInterval(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * (UNITS[m[2] ?? ''] ?? NaN) : NaN;
  if (!(ms >= 10)) throw new HeaptraceError('HT_USAGE', MESSAGES.badInterval(text));
  return ms;
}

/** Rss and Private_Dirty in bytes from the text of smaps_rollup; null when either is missing. */
export function parseRollup(text: string): { rss: number; privateDirty: number } | null {
  const rss = /^Rss:\s+(\d+) kB$/m.exec(text);
  const dirty = /^Private_Dirty:\s+(\d+) kB$/m.exec(text);
  if (!rss || !dirty) return null;
  return { rss: Number(rss[1]) * 1024, privateDirty: Number(dirty[1]) * 1024 };
}

export class ResidentSampler {
  /** Sample times are kept in seconds since `origin` (epoch seconds), shifted to the trace's axis at the end. */
  private readonly origin = Date.now() / 1000;
  private readonly series = new Map<number, ProcessSeries>();
  private readonly gone = new Set<number>();
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(
    private readonly intervalMs: number,
    /** The processes to sample now: the traced ones believed alive. */
    private readonly pids: () => Iterable<number>,
    /** How a rollup is read (tests replace it to play errors the kernel gives only by chance). */
    private readonly read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Read every live process once; a tick that finds the previous one still reading is skipped. */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await Promise.all([...this.pids()].filter((p) => !this.gone.has(p)).map((p) => this.sampleOne(p)));
    } finally {
      this.busy = false;
    }
  }

  private async sampleOne(pid: number): Promise<void> {
    let text: string;
    try {
      text = await this.read(`/proc/${pid}/smaps_rollup`);
    } catch (err) {
      // Gone from /proc: exited and reaped, and a later process with the same pid is not this one.
      // Anything else only loses this sample: a read that races an execve fails with ESRCH while
      // the process has no memory map (seen with launcher scripts that exec the real program).
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.gone.add(pid);
      return;
    }
    const at = Date.now() / 1000 - this.origin;
    const v = parseRollup(text);
    // An exited process not yet reaped reads as empty: nothing to record.
    if (v === null) return;
    let s = this.series.get(pid);
    if (!s) {
      s = new ProcessSeries(1e-6);
      this.series.set(pid, s);
    }
    s.add(new Row(at, v.rss, v.privateDirty, this.seq++));
  }

  /** The series on the report's axis: seconds from the trace's first timestamp (epoch seconds). */
  result(traceStart: number): ResidentSeries[] {
    const out: ResidentSeries[] = [];
    for (const [pid, s] of this.series) {
      const rows = s.rows();
      if (rows.length === 0) continue;
      out.push({
        pid,
        x: rows.map((r) => rel(this.origin + r.x, traceStart) ?? 0),
        rss: rows.map((r) => r.heap),
        privateDirty: rows.map((r) => r.writable),
      });
    }
    return out.sort((a, b) => a.pid - b.pid);
  }
}

/** The text summary's lines for the resident view: the processes with the highest Rss first. */
export function formatResident(series: readonly ResidentSeries[], interval: string, top = 5): string {
  if (series.length === 0) return '';
  const peaks = series
    .map((s) => ({ pid: s.pid, rss: Math.max(...s.rss), dirty: Math.max(...s.privateDirty), samples: s.x.length }))
    .sort((a, b) => b.rss - a.rss || a.pid - b.pid);
  const lines = [`Resident memory (smaps_rollup every ${interval})`];
  for (const p of peaks.slice(0, top)) {
    lines.push(`  pid ${p.pid}: peak Rss ${formatBytes(p.rss)}, peak Private_Dirty ${formatBytes(p.dirty)} (${p.samples} samples kept)`);
  }
  if (peaks.length > top) lines.push(`  … ${peaks.length - top} more process(es) (--json lists all)`);
  return lines.join('\n') + '\n';
}
