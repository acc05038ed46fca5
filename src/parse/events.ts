// What the parsers hand to the model: one fixed-shape record per trace event. Every field exists on
// every event (numbers default to NaN, names to null) so the model's hot loop stays monomorphic.
import type { Effect } from './grammar.js';

/** Which tracer wrote the input. */
export const TRACE_FORMATS = ['strace', 'ltrace'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** How the trace's lines are timestamped (strace -t/-tt, -ttt, -r, or none). */
export const TIMESTAMP_KINDS = ['none', 'relative', 'time-of-day', 'epoch'] as const;
export type TimestampKind = (typeof TIMESTAMP_KINDS)[number];

export const EVENT = {
  /** A completed system call (or library call) in the grammar. */
  CALL: 0,
  /** A clone/fork/vfork that has started but not returned: its child may appear before it returns. */
  SPAWN_START: 1,
  /** +++ exited with N +++ */
  EXITED: 2,
  /** +++ killed by SIG… +++ */
  KILLED: 3,
  /** +++ superseded by execve in pid N +++: thread `tid` took over the leader `other`. */
  SUPERSEDED: 4,
  /** --- SIG… --- */
  SIGNAL: 5,
} as const;
export type EventType = (typeof EVENT)[keyof typeof EVENT];

export class TraceEvent {
  type: EventType = EVENT.CALL;
  /** Thread id as the trace shows it; -1 when the line carries no pid (single-process traces). */
  tid = -1;
  /** Absolute seconds (epoch, since midnight, or cumulative -r); NaN without timestamps. */
  time = NaN;
  /** The thread's name when strace -Y showed it. */
  comm: string | null = null;
  name = '';
  effect: Effect | null = null;
  ret = NaN;
  failed = false;
  /**
   * The -y decoration on the return value (openat(...) = 3</etc/x>), decoded. Like fdName, a string
   * of its own, never a view into the line (the model keeps it without copying), and the same
   * string object each time a descriptor shows the same name.
   */
  retName: string | null = null;
  /** Library calls (ltrace): the block allocated, freed or resized (NaN when ltrace did not show it). */
  addr = NaN;
  /** Library calls (ltrace): bytes requested (alloc, realloc) or read (fread). */
  length = NaN;
  newLength = NaN;
  prot = NaN;
  flags = NaN;
  fd = NaN;
  newFd = NaN;
  /** A FILE* stream (ltrace: fopen's return, fread's argument). */
  stream = NaN;
  /** The call's path argument, decoded (open, execve). */
  path: string | null = null;
  /** The -y decoration of the fd argument, decoded; a string of its own, as retName. */
  fdName: string | null = null;
  /** pipe/pipe2's two descriptors and their -y names. */
  fds: number[] | null = null;
  fdNames: (string | null)[] | null = null;
  argv: string[] | null = null;
  /** EXITED: status; SUPERSEDED: the old thread id; SIGNAL/KILLED: unused. */
  code = NaN;
  signal: string | null = null;
  /** Set by the model: the file this call opened, read or mapped, by -y name or descriptor table. */
  resolved: string | null = null;
  /** Where it came from, for messages: source name and 1-based line. */
  source = '';
  line = 0;

  /** Back to defaults, so one object can carry every event of a parser (the model never keeps it). */
  reset(): this {
    this.type = EVENT.CALL;
    this.tid = -1;
    this.time = NaN;
    this.comm = null;
    this.name = '';
    this.effect = null;
    this.ret = NaN;
    this.failed = false;
    this.retName = null;
    this.addr = NaN;
    this.length = NaN;
    this.newLength = NaN;
    this.prot = NaN;
    this.flags = NaN;
    this.fd = NaN;
    this.newFd = NaN;
    this.stream = NaN;
    this.path = null;
    this.fdName = null;
    this.fds = null;
    this.fdNames = null;
    this.argv = null;
    this.code = NaN;
    this.signal = null;
    this.resolved = null;
    this.source = '';
    this.line = 0;
    return this;
  }
}
