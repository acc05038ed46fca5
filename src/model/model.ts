// The memory model: processes, threads, address spaces and descriptor tables, driven by trace
// events in trace order (SPEC §1). It reports what changed to a sink (the attribution stage)
// and never looks downstream itself.
import { AddressSpace, ATTR, UNKNOWN_ORIGIN } from './address-space.js';
import { LiveHeap, RELEASE } from './live-heap.js';
import { EVENT, type TraceEvent } from '../parse/events.js';
import { BITS } from '../parse/grammar.js';
import { detach, pageUp } from '../parse/scan.js';
import type { Problems } from '../problems.js';

interface FdEntry {
  name: string;
  cloexec: boolean;
}
type FdTable = Map<number, FdEntry>;

export class ProcessState {
  parentPid: number | null = null;
  command: string | null = null;
  argv: string[] | null = null;
  comm: string | null = null;
  /** Every thread id seen in this process, in order of appearance. */
  readonly threadIds: number[] = [];
  exitCode: number | null = null;
  exitSignal: string | null = null;
  /** When the process ended (its exit or kill line; else its exit_group call); NaN while running or without timestamps. */
  exitTime = NaN;
  /** The trace showed the process end (its leader's exit, or a kill). */
  ended = false;
  heapPeak = 0;
  heapPeakTime = NaN;
  writablePeak = 0;
  writablePeakTime = NaN;
  /** ltrace input: the SPEC §1 heap of the -S system calls, beside the requested bytes in `heap`. */
  mappedPeak = 0;
  mappedPeakTime = NaN;
  /** ltrace input: FILE* streams the process opened, by pointer, and the name behind each. */
  streams = new Map<number, string>();
  /** Set when the process's own pid has not been seen yet (lines without a pid prefix). */
  pidKnown = true;

  constructor(
    public pid: number,
    /** The address space the process runs in; a vfork child borrows its parent's until it execs. */
    public as: AddressSpace,
    public fds: FdTable,
  ) {}

  /** The process's heap now: its own address space's, or 0 while it only borrows one. */
  get heap(): number {
    return this.as.owner === this ? this.as.heap : 0;
  }

  get writable(): number {
    return this.as.owner === this ? this.as.writable : 0;
  }

  get mapped(): number {
    return this.as.owner === this ? this.as.mapped : 0;
  }
}

export class ThreadState {
  /**
   * ltrace input: made a thread of `proc` by default, because ltrace -f shows a new pid without
   * saying whether a pthread_create or a fork made it. An exec shows it was a process.
   */
  guessed = false;

  constructor(
    public tid: number,
    public proc: ProcessState,
  ) {}
}

/** What the model tells the attribution stage. */
export interface ModelSink {
  /** The heap and/or writable total of `proc`'s address space changed because `thread` made a call. */
  change(thread: ThreadState, dHeap: number, dWritable: number, e: TraceEvent): void;
  /** `thread` opened, read or mapped the file `name` (bytes: what a read returned). */
  touch(thread: ThreadState, name: string, kind: 'open' | 'read' | 'map', bytes: number, e: TraceEvent): void;
  /** A new thread or process started from `parent`. */
  spawn(parent: ThreadState, child: ThreadState, e: TraceEvent): void;
  /** `thread` executed a new program. */
  exec(thread: ThreadState, e: TraceEvent): void;
  /** `proc` ended (e: the exit or kill line of its last thread). */
  ended?(proc: ProcessState, e: TraceEvent): void;
  /** Every call event after the model applied it. */
  applied?(e: TraceEvent, thread: ThreadState): void;
}

interface PendingSpawn {
  parent: ThreadState;
  /** The call that spawns: 'thread' for pthread_create, whose own clone (ltrace -S) may return first. */
  effect: string | null;
  flags: number;
  /** The child adopted before the call returned, if one appeared. */
  child: ThreadState | null;
  /** A hint left by a pthread_create that returned before its thread's first line: done once adopted. */
  hint?: boolean;
}

export class MemoryModel {
  readonly threads = new Map<number, ThreadState>();
  /** Processes in order of appearance, for the report. */
  readonly order: ProcessState[] = [];
  private readonly spawns: PendingSpawn[] = [];
  /** The thread that lines without a pid prefix belong to. */
  private mainThread: ThreadState | null = null;
  /** The thread of the latest event (ltrace: the likely parent of a pid that appears unannounced). */
  private lastThread: ThreadState | null = null;
  /**
   * ltrace input: the heap series counts live requested bytes (malloc … free) and attribution
   * comes from library calls. Set before the first event.
   */
  requested = false;

  constructor(
    private readonly sink: ModelSink,
    private readonly problems: Problems,
  ) {}

  apply(e: TraceEvent): void {
    let thread = this.threadFor(e);
    // Only a process execs: a pid taken for a thread by default was a child process after all.
    if (thread.guessed && e.effect === 'exec') thread = this.separate(thread);
    this.lastThread = thread;
    if (e.comm !== null && e.comm !== thread.proc.comm) thread.proc.comm = detach(e.comm);
    switch (e.type) {
      case EVENT.CALL:
        if (!e.failed) this.call(e, thread);
        this.sink.applied?.(e, thread);
        return;
      case EVENT.SPAWN_START:
        // An ltrace pthread_create starts alongside its thread's hint from an earlier one that returned.
        if (e.effect === 'thread' || !this.spawns.some((s) => s.parent === thread)) {
          this.spawns.push({ parent: thread, effect: e.effect, flags: e.flags, child: null });
        }
        return;
      case EVENT.EXITED:
      case EVENT.KILLED:
        this.threadEnded(thread, e);
        return;
      case EVENT.SUPERSEDED: {
        // Thread e.code exec'd and took over the leader's pid (this thread's).
        const old = this.threads.get(e.code);
        if (old && old !== thread) this.threads.delete(e.code);
        return;
      }
      default:
        return;
    }
  }

  /** Called when the input is over. */
  finish(): void {
    this.spawns.length = 0;
  }

  private threadFor(e: TraceEvent): ThreadState {
    if (e.tid < 0) {
      if (this.mainThread) return this.mainThread;
      const t = this.newProcess(0, null);
      t.proc.pidKnown = false;
      this.mainThread = t;
      return t;
    }
    const known = this.threads.get(e.tid);
    if (known) return known;
    // The main process of a trace whose first lines had no pid prefix (strace -f writing to stderr
    // prefixes lines only once a second process exists): its pid is the first unknown one that is
    // not a child we are waiting for.
    const main = this.mainThread;
    if (main && !main.proc.pidKnown && this.spawns.length === 0) {
      this.renameMain(e.tid);
      return main;
    }
    // A child that shows up before the clone/fork that made it has returned in its parent.
    // The latest call still without a child: with two unfinished, the first child to appear may
    // belong to either, and the one after it must still find the other.
    const spawn = this.spawns.findLast((s) => s.child === null);
    if (spawn) {
      const child = this.createChild(spawn.parent, e.tid, spawn.flags, e);
      spawn.child = child;
      if (spawn.hint) {
        this.spawns.splice(this.spawns.indexOf(spawn), 1);
        // A hint is an inference (the thread may have been adopted already, by -S's SYS_clone):
        // an exec still shows the pid was a process.
        child.guessed = true;
      }
      return child;
    }
    if (this.requested && this.lastThread !== null) {
      const child = new ThreadState(e.tid, this.lastThread.proc);
      child.guessed = true;
      child.proc.threadIds.push(e.tid);
      this.threads.set(e.tid, child);
      this.sink.spawn(this.lastThread, child, e);
      this.problems.add('HT_LTRACE_GUESSED_THREAD', `${e.source}:${e.line}`);
      return child;
    }
    if (this.order.length > 0) this.problems.add('HT_UNKNOWN_PARENT', `${e.source}:${e.line}`);
    const t = this.newProcess(e.tid, null);
    if (this.mainThread === null) this.mainThread = t;
    return t;
  }

  private renameMain(tid: number): void {
    const main = this.mainThread;
    if (!main) return;
    const proc = main.proc;
    this.threads.delete(main.tid);
    main.tid = tid;
    proc.pid = tid;
    proc.pidKnown = true;
    const k = proc.threadIds.indexOf(0);
    if (k >= 0) proc.threadIds[k] = tid;
    for (const p of this.order) if (p.parentPid === 0 && p !== proc) p.parentPid = tid;
    this.threads.set(tid, main);
  }

  /**
   * A thread taken for one of `thread.proc`'s is a child process (of `parent`: the process whose
   * clone returned its pid, else the one it was taken for): give it its own process.
   */
  private separate(thread: ThreadState, parent = thread.proc): ThreadState {
    const k = thread.proc.threadIds.indexOf(thread.tid);
    if (k >= 0) thread.proc.threadIds.splice(k, 1);
    this.threads.delete(thread.tid);
    const copy = parent.as.clone();
    const child = this.newProcess(thread.tid, parent, copy, new Map(parent.fds));
    copy.owner = child.proc;
    return child;
  }

  private newSpace(): AddressSpace {
    return new AddressSpace(this.requested ? new LiveHeap() : null);
  }

  private newProcess(pid: number, parent: ProcessState | null, as?: AddressSpace, fds?: FdTable): ThreadState {
    const space = as ?? this.newSpace();
    const proc = new ProcessState(pid, space, fds ?? new Map());
    if (!as) space.owner = proc;
    proc.parentPid = parent ? parent.pid : null;
    if (parent) {
      proc.command = parent.command;
      proc.argv = parent.argv;
      proc.comm = parent.comm;
    }
    const t = new ThreadState(pid, proc);
    proc.threadIds.push(pid);
    this.threads.set(pid, t);
    this.order.push(proc);
    return t;
  }

  private createChild(parent: ThreadState, tid: number, flags: number, e: TraceEvent): ThreadState {
    let child: ThreadState;
    if (flags & BITS.CLONE_THREAD) {
      child = new ThreadState(tid, parent.proc);
      parent.proc.threadIds.push(tid);
      this.threads.set(tid, child);
    } else {
      const pp = parent.proc;
      const fds = flags & BITS.CLONE_FILES ? pp.fds : new Map(pp.fds);
      if (flags & BITS.CLONE_VM) {
        child = this.newProcess(tid, pp, pp.as, fds);
      } else {
        const copy = pp.as.clone();
        child = this.newProcess(tid, pp, copy, fds);
        child.proc.streams = new Map(pp.streams);
        copy.owner = child.proc;
        this.notePeak(child.proc, e.time);
      }
    }
    this.sink.spawn(parent, child, e);
    return child;
  }

  private threadEnded(thread: ThreadState, e: TraceEvent): void {
    const proc = thread.proc;
    this.threads.delete(thread.tid);
    if (thread.tid === proc.pid || e.type === EVENT.KILLED) {
      if (e.type === EVENT.EXITED) proc.exitCode = e.code;
      else proc.exitSignal = e.signal;
      // A kill ends every thread of the process, each with its own line: the first one tells.
      if (!proc.ended) {
        proc.ended = true;
        if (!Number.isNaN(e.time)) proc.exitTime = e.time;
        this.sink.ended?.(proc, e);
      }
      if (proc.as.owner === proc) proc.as.release();
    }
  }

  /** Apply a successful call. Memory calls break out of the switch to report their change; the rest return. */
  private call(e: TraceEvent, thread: ThreadState): void {
    const proc = thread.proc;
    const as = proc.as;
    const heap0 = as.heap;
    const writable0 = as.writable;
    switch (e.effect) {
      case 'brk':
        if (!(e.ret > 0)) return;
        as.setBreak(e.ret);
        break;
      case 'map': {
        // ltrace -S shows no descriptor (NaN): the flags alone tell a file mapping.
        const anon = (e.flags & BITS.MAP_ANONYMOUS) !== 0 || e.fd < 0 || (Number.isNaN(e.fd) && !this.requested);
        if (!anon && !Number.isNaN(e.fd)) {
          e.resolved = this.fdName(proc, e.fd, e.fdName);
          this.sink.touch(thread, e.resolved, 'map', 0, e);
        }
        if (!(e.ret >= 0)) return;
        let attrs = 0;
        if (e.prot & BITS.PROT_WRITE) attrs |= ATTR.WRITABLE;
        // MAP_SHARED_VALIDATE (3) has the shared bit; private is "not shared".
        if (!(e.flags & BITS.MAP_SHARED)) attrs |= ATTR.PRIVATE;
        if (anon) attrs |= ATTR.ANONYMOUS;
        if (e.flags & BITS.MAP_GROWSDOWN) attrs |= ATTR.GROWSDOWN;
        const start = e.ret;
        as.map(start, start + pageUp(e.length), attrs);
        break;
      }
      case 'unmap':
        if (e.ret !== 0) return;
        as.remove(e.addr, e.addr + pageUp(e.length));
        break;
      case 'protect':
        if (e.ret !== 0) return;
        as.protect(e.addr, e.addr + pageUp(e.length), (e.prot & BITS.PROT_WRITE) !== 0);
        break;
      case 'remap':
        if (!(e.ret >= 0)) return;
        {
          const attrs = as.attrsAt(e.addr) ?? UNKNOWN_ORIGIN;
          if (!(e.flags & BITS.MREMAP_DONTUNMAP)) as.remove(e.addr, e.addr + pageUp(e.length));
          as.map(e.ret, e.ret + pageUp(e.newLength), attrs);
        }
        break;
      case 'clone':
      case 'fork':
      case 'vfork':
        this.spawned(thread, e);
        return;
      case 'thread':
        this.threadCreated(thread, e);
        return;
      case 'alloc':
        if (!as.live) return;
        as.live.allocate(e.addr, e.length);
        if (Number.isNaN(e.addr)) this.problems.add('HT_LTRACE_NO_POINTER', `${e.source}:${e.line}`);
        break;
      case 'free':
        if (!as.live || e.addr === 0) return;
        this.release(as.live, e);
        break;
      case 'realloc':
        if (!as.live) return;
        if (e.addr !== 0) this.release(as.live, e);
        // realloc(p, 0) may free and return NULL; otherwise the block now lives at the returned address.
        if (e.ret !== 0) as.live.allocate(e.ret, e.length);
        break;
      case 'fopen': {
        if (!Number.isNaN(e.stream)) proc.streams.delete(e.stream);
        const name = detach(e.path ?? `stream:0x${e.ret.toString(16)}`);
        proc.streams.set(e.ret, name);
        e.resolved = name;
        this.sink.touch(thread, name, 'open', 0, e);
        return;
      }
      case 'fdopen':
        proc.streams.set(e.ret, detach(this.fdName(proc, e.fd, null)));
        return;
      case 'fclose':
        e.resolved = this.streamName(proc, e.stream);
        proc.streams.delete(e.stream);
        return;
      case 'fread':
        e.resolved = this.streamName(proc, e.stream);
        this.sink.touch(thread, e.resolved, 'read', e.length, e);
        return;
      case 'exec':
        this.exec(thread, e);
        return;
      case 'exitGroup':
        proc.exitCode = e.code;
        // The exit line that follows, if the trace has it, tells the end itself.
        proc.exitTime = e.time;
        return;
      case 'exit':
        if (thread.tid === proc.pid) proc.exitCode = e.code;
        return;
      case 'self':
        if (!proc.pidKnown && thread === this.mainThread && e.ret > 0) this.renameMain(e.ret);
        return;
      case 'open': {
        if (!(e.ret >= 0)) return;
        // The -y name is already a string of its own (and the one later reads on this descriptor
        // bring again, which the attribution finds by identity); the path is a view into the line.
        const name = e.retName ?? detach(e.path ?? `fd:${e.ret}`);
        proc.fds.set(e.ret, { name, cloexec: (e.flags & BITS.O_CLOEXEC) !== 0 });
        e.resolved = name;
        this.sink.touch(thread, name, 'open', 0, e);
        return;
      }
      case 'read': {
        if (!(e.ret >= 0)) return;
        e.resolved = this.fdName(proc, e.fd, e.fdName);
        this.sink.touch(thread, e.resolved, 'read', e.ret, e);
        return;
      }
      case 'close':
        if (e.ret === 0) {
          e.resolved = this.fdName(proc, e.fd, e.fdName);
          proc.fds.delete(e.fd);
        }
        return;
      case 'dup':
      case 'fcntl': {
        if (e.effect === 'fcntl' && e.flags !== BITS.F_DUPFD && e.flags !== BITS.F_DUPFD_CLOEXEC) return;
        if (!(e.ret >= 0)) return;
        const name = this.fdName(proc, e.fd, e.fdName);
        const cloexec = e.effect === 'fcntl' ? e.flags === BITS.F_DUPFD_CLOEXEC : (e.flags & BITS.O_CLOEXEC) !== 0;
        proc.fds.set(e.ret, { name, cloexec });
        e.resolved = name;
        return;
      }
      case 'pipe':
        if (e.ret === 0 && e.fds) {
          e.fds.forEach((fd, k) => {
            proc.fds.set(fd, { name: detach(e.fdNames?.[k] ?? 'pipe'), cloexec: (e.flags & BITS.O_CLOEXEC) !== 0 });
          });
        }
        return;
      case 'socket':
      case 'accept':
        if (e.ret >= 0) {
          const name = e.retName ?? detach(e.effect === 'socket' && e.path ? `socket:[${e.path}]` : 'socket');
          proc.fds.set(e.ret, { name, cloexec: (e.flags & BITS.O_CLOEXEC) !== 0 });
        }
        return;
      default:
        return;
    }
    // Only the memory calls get here: report what their change did to the two series.
    const dHeap = as.heap - heap0;
    const dWritable = as.writable - writable0;
    if (dHeap === 0 && dWritable === 0) return;
    if (as.owner) this.notePeak(as.owner, e.time);
    this.sink.change(thread, dHeap, dWritable, e);
  }

  /** A stream's name: the file fopen opened, else stream:0xADDR (stdin, or opened before the trace). */
  private streamName(proc: ProcessState, stream: number): string {
    return proc.streams.get(stream) ?? `stream:0x${stream.toString(16)}`;
  }

  /** free, or realloc's old block: an address never allocated, or freed twice, is counted, never subtracted. */
  private release(live: LiveHeap, e: TraceEvent): void {
    const r = live.release(e.addr);
    if (r === RELEASE.UNKNOWN) this.problems.add('HT_UNKNOWN_FREE', `${e.source}:${e.line}`);
    else if (r === RELEASE.DOUBLE) this.problems.add('HT_DOUBLE_FREE', `${e.source}:${e.line}`);
  }

  /**
   * pthread_create returned. Its thread may have appeared already (adopted while it was
   * unfinished); if not, the next new pid is that thread.
   */
  private threadCreated(thread: ThreadState, e: TraceEvent): void {
    const k = this.spawns.findIndex((s) => s.parent === thread && !s.hint);
    const pending = k >= 0 ? this.spawns[k] : undefined;
    if (pending && pending.child !== null) this.spawns.splice(k, 1);
    else if (pending) pending.hint = true;
    else this.spawns.push({ parent: thread, effect: e.effect, flags: e.flags, child: null, hint: true });
  }

  /** A descriptor's name: the -y decoration when strace printed one, else the table, else fd:N. */
  private fdName(proc: ProcessState, fd: number, decorated: string | null): string {
    if (decorated !== null) return decorated;
    return proc.fds.get(fd)?.name ?? `fd:${fd}`;
  }

  private notePeak(proc: ProcessState, time: number): void {
    const as = proc.as;
    if (as.heap > proc.heapPeak) {
      proc.heapPeak = as.heap;
      proc.heapPeakTime = time;
    }
    if (as.writable > proc.writablePeak) {
      proc.writablePeak = as.writable;
      proc.writablePeakTime = time;
    }
    // strace input reports no mapped side (it is the heap there): skip the comparison on its hot path.
    if (this.requested && as.mapped > proc.mappedPeak) {
      proc.mappedPeak = as.mapped;
      proc.mappedPeakTime = time;
    }
  }

  private spawned(thread: ThreadState, e: TraceEvent): void {
    const k = this.spawns.findIndex((s) => s.parent === thread);
    const pending = k >= 0 ? this.spawns[k] : undefined;
    // ltrace -S: the clone inside an unfinished pthread_create. Its spawn stays, with the child set,
    // until pthread_create returns (threadCreated removes it) so that return leaves no hint behind
    // for an unrelated pid to take.
    const inCreate = pending !== undefined && pending.effect === 'thread' && !pending.hint && e.ret > 0;
    if (pending && !inCreate) this.spawns.splice(k, 1);
    if (!(e.ret > 0)) return;
    const child = this.spawnedChild(thread, e, pending);
    if (inCreate && pending.child === null) pending.child = child;
  }

  /** The child a successful clone/fork returned: made now, or adopted before the call returned. */
  private spawnedChild(thread: ThreadState, e: TraceEvent, pending: PendingSpawn | undefined): ThreadState {
    const existing = this.threads.get(e.ret);
    if (!existing) return this.createChild(thread, e.ret, e.flags, e);
    if (existing === pending?.child) return existing;
    // ltrace -S: a pid taken for a thread by default, and its clone shows it was a process.
    if (existing.guessed && !(e.flags & BITS.CLONE_THREAD)) {
      const child = this.separate(existing, thread.proc);
      this.notePeak(child.proc, e.time);
      return child;
    }
    // Seen before its parent's clone returned and not adopted: at least record who made it.
    if (existing.proc.pid === e.ret && existing.proc.parentPid === null && existing.proc !== thread.proc) {
      existing.proc.parentPid = thread.proc.pid;
    }
    return existing;
  }

  private exec(thread: ThreadState, e: TraceEvent): void {
    const proc = thread.proc;
    // After execve only the exec'ing thread remains, under the process's pid.
    for (const tid of proc.threadIds) {
      const t = this.threads.get(tid);
      if (t && t !== thread && t.proc === proc) this.threads.delete(tid);
    }
    if (thread.tid !== proc.pid) {
      this.threads.delete(thread.tid);
      thread.tid = proc.pid;
      this.threads.set(proc.pid, thread);
    }
    proc.command = e.path === null ? null : detach(e.path);
    proc.argv = e.argv === null ? null : e.argv.map(detach);
    const as = this.newSpace();
    as.owner = proc;
    proc.as = as;
    proc.streams = new Map();
    // A vfork child that shared its parent's table gets its own now; close-on-exec descriptors go.
    const fds: FdTable = new Map();
    for (const [fd, entry] of proc.fds) if (!entry.cloexec) fds.set(fd, entry);
    proc.fds = fds;
    this.sink.exec(thread, e);
  }
}
