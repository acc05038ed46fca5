// The state of an analysis under way, read on timers: by `run` (the program's processes, the
// progress line) and by `report` and `check` on a terminal (the progress line).
import type { Attribution } from '../attribute/attribution.js';
import type { MemoryModel, ProcessState } from '../model/model.js';

/** What the live progress line shows. */
export interface RunProgress {
  /** Seconds since the program (`run`) or the analysis (`report`, `check`) started. */
  elapsed: number;
  /** Trace events (calls, exits, signals) the model has applied so far. */
  events: number;
  /** The process with the most heap now, or null before the first. */
  largest: { pid: number; heap: number } | null;
  /** The file with the highest heap peak charged so far, or null. */
  costliest: { path: string; peak: number } | null;
  /** `report` and `check`: the bytes of text read so far, of about `total` (null: unknown, standard input). */
  read?: { bytes: number; total: number | null };
}

/**
 * What `run` and the progress line read of an analysis while it goes on, straight from the model
 * and the attribution on their timers: the model already follows every thread to its end (exits,
 * kills, execs), so no bookkeeping of its own, and nothing done per event.
 */
export class Live {
  private model: MemoryModel | null = null;
  private attribution: Attribution | null = null;
  /** Trace events the model has applied so far. */
  events: () => number = () => 0;
  /** Bytes of trace text read so far. */
  read: () => number = () => 0;

  readonly attach = (model: MemoryModel, attribution: Attribution, events: () => number, read: () => number): void => {
    this.model = model;
    this.attribution = attribution;
    this.events = events;
    this.read = read;
  };

  /** What the progress line shows, `elapsed` seconds in. */
  progress(elapsed: number): RunProgress {
    return { elapsed, events: this.events(), largest: this.largest(), costliest: this.costliest() };
  }

  /** The program: the first process of the trace, once its pid is known. */
  get rootPid(): number | null {
    const root = this.model?.order[0];
    return root !== undefined && root.pidKnown ? root.pid : null;
  }

  /** Per process with a thread still running, the ids of those threads. */
  threadsByProcess(): Map<ProcessState, number[]> {
    const by = new Map<ProcessState, number[]>();
    if (this.model === null) return by;
    for (const [tid, t] of this.model.threads) {
      const ids = by.get(t.proc);
      if (ids) ids.push(tid);
      else by.set(t.proc, [tid]);
    }
    return by;
  }

  /** The processes with a thread still running. */
  processes(): Iterable<ProcessState> {
    return this.threadsByProcess().keys();
  }

  largest(): { pid: number; heap: number } | null {
    let best: { pid: number; heap: number } | null = null;
    for (const p of this.processes()) if (best === null || p.heap > best.heap) best = { pid: p.pid, heap: p.heap };
    return best;
  }

  costliest(): { path: string; peak: number } | null {
    let best: { path: string; peak: number } | null = null;
    if (this.attribution === null) return best;
    for (const f of this.attribution.files.values()) {
      if (f.heap.peak > 0 && (best === null || f.heap.peak > best.peak)) best = { path: f.path, peak: f.heap.peak };
    }
    return best;
  }
}
