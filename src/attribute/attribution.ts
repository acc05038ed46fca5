// Attribution (SPEC §2): every thread has a current file, set by opening, reading or mapping it;
// every change to the heap series is charged to the current file of the thread that made it.
import type { ModelSink, ProcessState, ThreadState } from '../model/model.js';
import type { TraceEvent } from '../parse/events.js';
import { detach } from '../parse/scan.js';
import type { Timeline } from './timeline.js';

/** Slots in Attribution's table of recently used names (a power of two). */
const RECENT = 64;

export class Charge {
  net = 0;
  growth = 0;
  peak = 0;

  add(delta: number): void {
    this.net += delta;
    if (delta > 0) this.growth += delta;
    if (this.net > this.peak) this.peak = this.net;
  }
}

export class FileStats {
  readonly heap = new Charge();
  readonly processes = new Set<ProcessState>();
  /** The process that touched it last: repeated touches skip the set. */
  lastProcess: ProcessState | null = null;
  opens = 0;
  reads = 0;
  bytesRead = 0;
  /** Absolute time of the first open or read; NaN without timestamps. */
  firstSeen = NaN;

  constructor(readonly path: string) {}
}

/** A listener for every charged heap change, for timelines. */
export type ChangeListener = (
  thread: ThreadState, file: FileStats | null, dHeap: number, dWritable: number, e: TraceEvent,
) => void;

export class Attribution implements ModelSink {
  readonly files = new Map<string, FileStats>();
  /** Heap changes made before the thread had any current file. */
  readonly unattributed = new Charge();
  /** Per process, the running charge of each file within it (to name each process's top file). */
  readonly perProcess = new Map<ProcessState, Map<FileStats, Charge>>();
  private readonly current = new WeakMap<ThreadState, FileStats>();
  /**
   * Files by the very string objects last used to name them. The model hands over the same
   * string for a descriptor's name on every call (see NameCache), and comparing it with the one
   * in a slot is a pointer test, where a lookup in `files` compares the text.
   */
  private readonly recentNames: Array<string | null> = new Array<string | null>(RECENT).fill(null);
  private readonly recentFiles: Array<FileStats | null> = new Array<FileStats | null>(RECENT).fill(null);
  private readonly listeners: ChangeListener[] = [];
  private readonly callListeners: Array<(e: TraceEvent, thread: ThreadState) => void> = [];
  /** Set by the pipeline when a timeline is wanted. */
  timeline: Timeline | null = null;

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  onCall(listener: (e: TraceEvent, thread: ThreadState) => void): void {
    this.callListeners.push(listener);
  }

  currentFile(thread: ThreadState): FileStats | null {
    return this.current.get(thread) ?? null;
  }

  change(thread: ThreadState, dHeap: number, dWritable: number, e: TraceEvent): void {
    const file = this.current.get(thread) ?? null;
    if (dHeap !== 0) {
      if (file) {
        file.heap.add(dHeap);
        let inProc = this.perProcess.get(thread.proc);
        if (!inProc) {
          inProc = new Map();
          this.perProcess.set(thread.proc, inProc);
        }
        let c = inProc.get(file);
        if (!c) {
          c = new Charge();
          inProc.set(file, c);
        }
        c.add(dHeap);
      } else {
        this.unattributed.add(dHeap);
      }
    }
    this.timeline?.changed(thread, file, dHeap, e);
    for (const l of this.listeners) l(thread, file, dHeap, dWritable, e);
  }

  touch(thread: ThreadState, name: string, kind: 'open' | 'read' | 'map', bytes: number, e: TraceEvent): void {
    // The slot: length and a character near the end (data-7.xml and data-8.xml differ there).
    const slot = (name.length + name.charCodeAt(name.length - 5)) & (RECENT - 1);
    let f = this.recentNames[slot] === name ? this.recentFiles[slot] : undefined;
    if (!f) {
      f = this.files.get(name);
      if (!f) {
        f = new FileStats(detach(name));
        this.files.set(f.path, f);
      }
      this.recentNames[slot] = name;
      this.recentFiles[slot] = f;
    }
    if (f.lastProcess !== thread.proc) {
      f.processes.add(thread.proc);
      f.lastProcess = thread.proc;
    }
    if (kind === 'open') f.opens++;
    else if (kind === 'read') {
      f.reads++;
      f.bytesRead += bytes;
      this.timeline?.read(thread, f, bytes, e);
    }
    if (kind !== 'map' && Number.isNaN(f.firstSeen)) f.firstSeen = e.time;
    this.current.set(thread, f);
  }

  spawn(parent: ThreadState, child: ThreadState, e: TraceEvent): void {
    const f = this.current.get(parent);
    if (f) this.current.set(child, f);
    this.timeline?.spawned(child, e);
  }

  exec(thread: ThreadState, e: TraceEvent): void {
    this.current.delete(thread);
    this.timeline?.execed(thread, e);
  }

  ended(proc: ProcessState, e: TraceEvent): void {
    this.timeline?.ended(proc, e);
  }

  applied(e: TraceEvent, thread: ThreadState): void {
    for (const l of this.callListeners) l(e, thread);
  }
}
