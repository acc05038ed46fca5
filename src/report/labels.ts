// What the renderers call things, decided once for the text summary, the HTML page and the charts:
// which memory series a report has, and how each process is named.
import { posix } from 'node:path';
import type { Report } from './types.js';

/** The memory series a report holds, as every renderer shows them. */
export interface MemoryKinds {
  /**
   * The name of `heap`: "heap" for strace input (brk + private anonymous writable), "requested" for
   * ltrace input (live requested bytes, malloc … free).
   */
  heap: 'heap' | 'requested';
  /** ltrace -S input: the mapped heap of the system calls (and the overhead, mapped − requested) beside the requested bytes. */
  mapped: boolean;
  /** Writable bytes come from system calls: strace input, or ltrace with -S. Plain ltrace sees none (always 0). */
  writable: boolean;
}

export function memoryKinds(report: Report): MemoryKinds {
  const ltrace = report.input.format === 'ltrace';
  // build.ts gives processes[].mapped and timeline.series[].mapped together, for ltrace -S input; the
  // processes are read because every process has a summary, not every one a timeline.
  const mapped = ltrace && report.processes.some((p) => p.mapped !== undefined);
  return { heap: ltrace ? 'requested' : 'heap', mapped, writable: !ltrace || mapped };
}

/**
 * "pid 123 python3.11" for every process of the report (the command's last path part), "pid 123"
 * when no command was seen. Built once: the renderers look labels up per point.
 */
export function processLabels(report: Report): Map<number, string> {
  return new Map(report.processes.map((p) => [p.pid, p.command ? `pid ${p.pid} ${posix.basename(p.command) || p.command}` : `pid ${p.pid}`]));
}

/** A pid's label, also for a pid the report has no process for. */
export function labelOf(labels: ReadonlyMap<number, string>, pid: number): string {
  return labels.get(pid) ?? `pid ${pid}`;
}
