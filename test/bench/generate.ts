// A synthetic but realistic `strace -f -tt -T -y -o FILE` trace of a long-running threaded daemon,
// of any size, for the benchmark (`npm run bench`). Usable on its own:
//
//   node dist/test/bench/generate.js --size 100MB --out bench-data/trace.strace [--seed 1]
//
// The shapes are copied from real captures (/work/shared/shapes: 03-threads-f-tt-T.txt,
// 23-combined-prefixes.txt, 08a/08b -y/-yy, 05a signals): `PID ` prefix padded `%-5u `, time of
// day stamps, `<0.000012>` durations, `= ` aligned at column 40, unfinished/resumed pairs between
// threads, clone3 threads, forked and exec'd children with SIGCHLD, failing calls, strings holding
// `) = 0` and escapes. What is made is bounded on purpose, like a daemon in its steady state:
// every mapping is unmapped again within a few requests, brk and thread arenas grow and shrink
// between limits, files, sockets and pipes come from fixed pools. So a model of the trace stays
// small whatever the size, and the benchmark can show whether heaptrace's memory does too.
//
// Deterministic: the same size and seed give the same bytes (sfc32 PRNG, no clock, no Math.random).
// Streaming: lines are written in ~1 MiB chunks; memory use does not depend on the size.

import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Bumped whenever the output for a given size and seed changes, so cached traces are remade. */
export const GENERATOR_VERSION = 2;

export interface GenerateOptions {
  /** Target size in bytes; the file ends within a few kB above it (the shutdown sequence). */
  size: number;
  seed?: number;
  /** Output path; written to `OUT.partial` and renamed when complete. */
  out: string;
  /**
   * The same population whatever the size: helpers forked and threads churned a fixed number of
   * times over the trace, so a bigger trace is the same processes over a longer time. Without it
   * both happen every few MB past 100 MB, as a daemon's would, and processes grow with the size.
   */
  steady?: boolean;
}

export interface GenerateResult {
  path: string;
  bytes: number;
  lines: number;
  /** Processes seen (the daemon, its cache child, every exec'd helper). */
  processes: number;
  /** Thread ids seen, processes' own pids included. */
  tasks: number;
}

// ---------------------------------------------------------------------------------------------
// Sizes: the same syntax as heaptrace's (SPEC §3): bytes, kB/MB/GB (1000s), KiB/MiB/GiB (1024s).

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? (m[2] ?? '').toLowerCase() : '';
  const factor = m ? (unit === '' ? 1 : UNITS[unit]) : undefined;
  if (!m || factor === undefined) {
    throw new Error(`got "${text}": sizes are a number with B, kB, MB, GB, KiB, MiB or GiB`);
  }
  return Math.round(Number(m[1]) * factor);
}

export function formatSize(bytes: number): string {
  if (bytes >= 1e9 && bytes % 1e9 === 0) return `${bytes / 1e9}GB`;
  if (bytes >= 1e6 && bytes % 1e6 === 0) return `${bytes / 1e6}MB`;
  if (bytes >= 1e3 && bytes % 1e3 === 0) return `${bytes / 1e3}kB`;
  return `${bytes}B`;
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness: sfc32 (small, fast, passes PractRand; 32-bit integer arithmetic only).

class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = seed >>> 0;
    for (let i = 0; i < 16; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  float(): number {
    return this.u32() / 4294967296;
  }

  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return at(xs, Math.floor(this.float() * xs.length));
  }
}

function at<T>(xs: readonly T[], i: number): T {
  const x = xs[i];
  if (x === undefined) throw new Error(`generator bug: index ${i} outside 0..${xs.length - 1}`);
  return x;
}

// ---------------------------------------------------------------------------------------------
// Text helpers

const PAGE = 4096;
const KiB = 1024;
const MiB = 1024 * 1024;
const ARENA = 64 * MiB; // glibc HEAP_MAX_SIZE on 64-bit
const STACK = 8392704; // glibc's default thread stack mapping (8 MiB + guard page)
const CHUNK = 65536;

const hex = (n: number): string => '0x' + n.toString(16);
const pageUp = (n: number): number => Math.ceil(n / PAGE) * PAGE;

/** strace's string quoting with the default `-s 32`: escapes, octal for the rest, `...` when cut. */
export function quote(raw: string, limit = 32): string {
  const n = Math.min(raw.length, limit);
  let out = '"';
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x0b) out += '\\v';
    else if (c === 0x0c) out += '\\f';
    else if (c >= 0x20 && c < 0x7f) out += raw[i];
    else {
      const next = i + 1 < n ? raw.charCodeAt(i + 1) : 0;
      const oct = (c & 0xff).toString(8);
      out += '\\' + (next >= 0x30 && next <= 0x37 ? oct.padStart(3, '0') : oct);
    }
  }
  return out + (raw.length > limit ? '"...' : '"');
}

/** A buffer of `n` bytes that starts with `raw` (repeated as needed), as strace -s 32 shows it. */
function data(raw: string, n: number): string {
  let head = raw;
  while (head.length < Math.min(n, 32)) head += raw;
  return quote(head.slice(0, Math.min(n, 32)), 32) + (n > 32 ? '...' : '');
}

const PADS: string[] = [];
for (let i = 0; i <= 40; i++) PADS.push(' '.repeat(i));

function pad6(n: number): string {
  return ('00000' + n).slice(-6);
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

// ---------------------------------------------------------------------------------------------
// What a thread does next: a system call (maybe left unfinished while others run), or a line of
// strace's own (`--- SIGCHLD … ---`, `+++ exited with 0 +++`).

interface Syscall {
  kind: 'call';
  name: string;
  args: string;
  /** Where strace cuts the arguments when the call is left unfinished (before the output
   * arguments, after their `, `); -1: after all of them. */
  split: number;
  ret: string;
  /** Microseconds inside the call when it completes on one line. */
  dur: number;
  /** Blocks (epoll_wait, poll, futex wait…): usually printed unfinished, resumed much later. */
  block: boolean;
  /** Blocks until this thread has exited (pthread_join, wait4). */
  waitFor: Thread | null;
}

interface Line {
  kind: 'line';
  text: string;
  /** `+++ exited with N +++`: the thread is gone after this line. */
  exit: boolean;
}

type Step = Syscall | Line;
type Task = Generator<Step, void, void>;

function call(name: string, args: string, ret: string, dur: number, split = -1, block = false): Syscall {
  return { kind: 'call', name, args, split, ret, dur, block, waitFor: null };
}

/** A call whose output arguments start after `before` (strace prints `before` when it is cut). */
function callOut(name: string, before: string, after: string, ret: string, dur: number, block = false): Syscall {
  return { kind: 'call', name, args: before + after, split: before.length, ret, dur, block, waitFor: null };
}

const ENOENT = '-1 ENOENT (No such file or directory)';
const EAGAIN = '-1 EAGAIN (Resource temporarily unavailable)';
const RW = 'PROT_READ|PROT_WRITE';
const ANON = 'MAP_PRIVATE|MAP_ANONYMOUS';

// ---------------------------------------------------------------------------------------------
// Address spaces and threads

interface Slot {
  /** Thread stack mapping (reused by the next thread: glibc's stack cache). */
  stack: number;
  /** 64 MiB-aligned arena of this slot's malloc; 0 until the thread's first malloc. */
  arena: number;
  /** Bytes at the arena's start that are PROT_READ|PROT_WRITE. */
  arenaRw: number;
  /** Large chunks (mmap'd by malloc) kept between requests: address → length. */
  kept: Map<number, number>;
}

interface Child {
  thread: Thread;
  pipeR: number;
}

class Proc {
  readonly pid: number;
  readonly cwd = '/srv/app';
  /** Descriptor table: fd → the name strace -y shows. */
  fds: (string | undefined)[] = [];
  brkBase: number;
  brk: number;
  /** Long-lived mappings (libraries, stacks, arenas) are taken downwards from here. */
  staticNext: number;
  /** Short-lived mappings live in [winLow, winHigh), taken downwards from `cursor`, wrapping. */
  readonly winHigh: number;
  readonly winLow: number;
  cursor: number;
  /** Short-lived mappings currently mapped: address → length (a few dozen at most). */
  readonly live = new Map<number, number>();
  readonly threads = new Set<Thread>();
  readonly freeSlots: Slot[] = [];
  readonly children = new Map<Thread, Child>();
  parent: Thread | null = null;
  /** Address of malloc'd mutexes and condition variables, for futex calls. */
  readonly locks: number[];

  constructor(pid: number, rng: Rng, top: number, brkBase: number) {
    this.pid = pid;
    this.brkBase = brkBase;
    this.brk = brkBase;
    this.staticNext = top;
    this.winHigh = top - 3 * 1024 * MiB;
    this.winLow = this.winHigh - 16 * 1024 * MiB;
    this.cursor = this.winHigh;
    this.locks = [];
    for (let i = 0; i < 6; i++) this.locks.push(brkBase + 0x2a0 + rng.int(0, 0x1f000) * 8);
  }

  openFd(name: string): number {
    let fd = 0;
    while (this.fds[fd] !== undefined) fd++;
    this.fds[fd] = name;
    return fd;
  }

  closeFd(fd: number): void {
    this.fds[fd] = undefined;
  }

  /** `fd<name>`, as strace -y prints a descriptor. */
  d(fd: number): string {
    const name = this.fds[fd];
    return name === undefined ? String(fd) : `${fd}<${name}>`;
  }

  takeStatic(len: number): number {
    this.staticNext -= pageUp(len);
    return this.staticNext;
  }

  /** An address for a short-lived mapping that overlaps nothing live. */
  map(len: number): number {
    const size = pageUp(len);
    for (let wraps = 0; ; ) {
      let addr = this.cursor - size;
      if (addr < this.winLow) {
        if (++wraps > 2) throw new Error(`generator bug: no room for ${size} bytes`);
        this.cursor = this.winHigh;
        addr = this.cursor - size;
      }
      let clash = -1;
      for (const [a, l] of this.live) {
        if (a < addr + size && addr < a + pageUp(l)) {
          clash = a;
          break;
        }
      }
      if (clash < 0) {
        this.cursor = addr;
        this.live.set(addr, size);
        return addr;
      }
      this.cursor = clash;
    }
  }

  unmap(addr: number): void {
    this.live.delete(addr);
  }
}

interface Pending {
  call: Syscall;
  start: number;
  wake: number;
}

type Role = 'leader' | 'worker' | 'cache' | 'helper';

class Thread {
  readonly tid: number;
  proc: Proc;
  readonly role: Role;
  readonly weight: number;
  readonly prefix: string;
  pending: Pending | null = null;
  readonly inbox: Step[] = [];
  task: Task | null = null;
  quit = false;
  exited = false;
  slot: Slot | null = null;
  readonly waiters: Thread[] = [];
  /** The thread pointer (FS base, struct pthread). glibc's fields sit at fixed offsets from it:
   * the tid word (CLONE_CHILD_CLEARTID, joined with futex) at +0x2d0, the robust list at +0x2e0,
   * the rseq area at +0x920 (as in the captures). */
  fs: number;

  constructor(tid: number, proc: Proc, role: Role, fs: number) {
    this.tid = tid;
    this.proc = proc;
    this.role = role;
    this.weight = role === 'worker' ? 1 : role === 'leader' ? 0.6 : role === 'cache' ? 0.35 : 1.2;
    // strace -o: "%-5u " then the line
    this.prefix = String(tid).padEnd(5, ' ') + ' ';
    this.fs = fs;
  }
}

// ---------------------------------------------------------------------------------------------
// Fixed pools: what the daemon serves and logs. Built once, so lines cost little to make.

interface DataFile {
  path: string;
  size: number;
  head: string; // quoted first bytes
}

const REQUESTS = [
  'GET /api/v1/data/%d HTTP/1.1\r\nHost: app.internal:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n',
  'GET /api/v1/data/%d?fields=id,name&lang=fr HTTP/1.1\r\nHost: app.internal\r\nAccept: application/xml\r\nConnection: keep-alive\r\n\r\n',
  'POST /api/v1/data/%d/refresh HTTP/1.1\r\nHost: app.internal\r\nContent-Length: 0\r\n\r\n',
  'HEAD /api/v1/data/%d HTTP/1.1\r\nHost: app.internal\r\nX-Request-Id: 4f1c\x09a\r\n\r\n',
];

// Log lines whose first 32 bytes hold what trips naive parsers: `) = 0`, quotes, backslashes,
// octal escapes of UTF-8 and control bytes.
const LOG_LINES = [
  'close(%d) = 0 after "data-%d.xml" \\ ok\n',
  'parse(x) = 0) = -1 ENOENT ("tmp")\n',
  'caf\xc3\xa9 menu: parse(\x01\x02) = 0 \t[ok] worker %d\n',
  'W%d "quoted \\"inner\\" text" ) = 0\n',
  'GET /api/v1/data/%d -> 200 (%d bytes) in 3ms\n',
  '{"event":"served","file":"data-%d.xml","rc":0}\n',
  '\x1b[32mINFO\x1b[0m cache hit %d/%d, ratio=0.93\n',
];

const XML_CHUNKS = [
  '    <item key="k%d" value="\xc3\xa9t\xc3\xa9" ref="#/items/%d"/>\n',
  '  </group>\n  <group name="g%d" weight="0.%d">\n',
  '<![CDATA[ if (a < b) { return x(y) = 0; } %d %d ]]>\n',
  '    <blob encoding="base64">QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=%d%d</blob>\n',
];

const DB_PAGES = [
  '\x0d\x00\x00\x00\x12\x0f\x9c\x00\x0f\xf6\x0f\xec\x0f\xe2\x0f\xd8\x0f\xce\x0f\xc4\x0f\xba\x0f\xb0\x0f\xa6\x0f\x9c',
  'SQLite format 3\x00\x10\x00\x01\x01\x00@  \x00\x00\x00\x17\x00\x00\x00\x2a',
  '\x05\x00\x00\x00\x03\x0f\xeb\x00\x00\x00\x00\x1b\x0f\xfb\x0f\xf6\x0f\xf1\x0f\xec\x0f\xeb\x00\x00\x00\x00',
];

const GZIP = '\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xec\xbd\x5b\x93\xdb\x36\xb2\x2e\xfa\x7e\x7e\x05\x2a\x0f\xc9\x49\xc5\x52\x89\xd4\x45';

function fill(template: string, a: number, b: number): string {
  return template.replace('%d', String(a)).replace('%d', String(b));
}

// ---------------------------------------------------------------------------------------------
// The world: processes, threads, the clock, the scheduler and the output.

class World {
  readonly rng: Rng;
  readonly fd: number;
  readonly size: number;
  readonly stopAt: number;
  buf = '';
  bytes = 0;
  lines = 0;
  /** Microseconds since midnight. */
  now: number;
  private stampSec = -1;
  private stampText = '';
  readonly threads: Thread[] = [];
  lastTid = -1;
  nextPid: number;
  ending = false;
  processes = 0;
  tasks = 0;
  readonly files: DataFile[] = [];
  /** Socket and pipe names come from fixed pools (inode numbers), so the set of files stays small. */
  readonly sockBase: number;
  readonly pipeBase: number;
  conns = 0;
  pipes = 0;
  readonly forkEvery: number;
  readonly churnEvery: number;
  nextFork: number;
  nextChurn: number;
  leader!: Thread;
  cache: Thread | null = null;
  private readonly cand: Thread[] = [];

  constructor(fd: number, size: number, seed: number, steady: boolean) {
    this.rng = new Rng(seed);
    this.fd = fd;
    this.size = size;
    this.stopAt = size; // the shutdown that follows adds a few kB: the file is never smaller than asked
    const r = this.rng;
    this.now = (9 * 3600 + r.int(0, 3599)) * 1e6 + r.int(0, 999999);
    this.nextPid = r.int(2000, 30000);
    ({ forkEvery: this.forkEvery, churnEvery: this.churnEvery } = cadence(size, steady));
    this.nextFork = this.forkEvery / 2;
    this.nextChurn = this.churnEvery;
    for (let k = 0; k < 200; k++) {
      const size = Math.round(Math.exp(Math.log(4 * KiB) + r.float() * Math.log(192)));
      const raw = `<?xml version="1.0" encoding="UTF-8"?>\n<catalog id="data-${k}" version="${r.int(1, 9)}">\n`;
      this.files.push({ path: `/usr/share/app/data-${k}.xml`, size, head: quote(raw) });
    }
    this.sockBase = r.int(40000, 90000);
    this.pipeBase = this.sockBase + 4096;
  }

  // -- output --------------------------------------------------------------------------------

  private stamp(): string {
    const sec = Math.floor(this.now / 1e6);
    if (sec !== this.stampSec) {
      this.stampSec = sec;
      const s = sec % 86400;
      this.stampText = `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}.`;
    }
    return this.stampText + pad6(this.now - sec * 1e6) + ' ';
  }

  private put(s: string): void {
    this.buf += s + '\n';
    this.bytes += s.length + 1;
    this.lines++;
    if (this.buf.length >= MiB) this.flush();
  }

  flush(): void {
    if (this.buf.length > 0) writeSync(this.fd, this.buf);
    this.buf = '';
  }

  private putCall(t: Thread, head: string, ret: string, dur: number): void {
    let s = t.prefix + this.stamp() + head;
    if (s.length < 39) s += at(PADS, 39 - s.length);
    s += ' = ' + ret;
    if (ret !== '?') {
      const sec = Math.floor(dur / 1e6);
      s += ' <' + sec + '.' + pad6(dur - sec * 1e6) + '>';
    }
    this.put(s);
  }

  // -- threads -------------------------------------------------------------------------------

  newPid(): number {
    // Other processes on the machine take pids too.
    this.nextPid += this.rng.chance(0.2) ? this.rng.int(2, 40) : 1;
    return this.nextPid;
  }

  addThread(t: Thread, task: Task): void {
    t.task = task;
    t.proc.threads.add(t);
    this.threads.push(t);
    this.tasks++;
  }

  private exitThread(t: Thread): void {
    t.exited = true;
    const i = this.threads.indexOf(t);
    if (i >= 0) this.threads.splice(i, 1);
    const proc = t.proc;
    proc.threads.delete(t);
    if (t.slot) proc.freeSlots.push(t.slot);
    for (const w of t.waiters) {
      if (w.pending && w.pending.call.waitFor === t) w.pending.wake = this.now + this.rng.int(8, 60);
    }
    if (proc.threads.size === 0 && proc.parent) this.reap(proc.parent, t);
  }

  /** The parent hears of a child's exit: SIGCHLD, then it reaps it (unless already in wait4). */
  private reap(parent: Thread, child: Thread): void {
    const pp = parent.proc;
    const rec = pp.children.get(child);
    pp.children.delete(child);
    const status = this.exitStatus(child);
    parent.inbox.push({
      kind: 'line',
      text: `--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=${child.tid}, si_uid=998, si_status=${status}, si_utime=${this.rng.int(0, 3)}, si_stime=${this.rng.int(0, 2)}} ---`,
      exit: false,
    });
    const joining = parent.pending !== null && parent.pending.call.waitFor === child;
    if (joining || !rec) return;
    const more = pp.children.size > 0 || (this.cache !== null && !this.cache.exited);
    parent.inbox.push(
      callOut('wait4', '-1, ', `[{WIFEXITED(s) && WEXITSTATUS(s) == ${status}}], WNOHANG, NULL`, String(child.tid), 9),
      callOut('wait4', '-1, ', `${hex(0x7ffd00000000 + this.rng.int(0, 0xffffff) * 16)}, WNOHANG, NULL`, more ? '0' : '-1 ECHILD (No child processes)', 5),
    );
    const n = this.rng.int(1, 8) * 4096;
    parent.inbox.push(callOut('read', `${pp.d(rec.pipeR)}, `, `${data(GZIP, n)}, 65536`, String(n), 12));
    parent.inbox.push(callOut('read', `${pp.d(rec.pipeR)}, `, '"", 65536', '0', 4));
    parent.inbox.push(call('close', pp.d(rec.pipeR), '0', 6));
    pp.closeFd(rec.pipeR);
  }

  readonly statuses = new Map<number, number>();
  exitStatus(t: Thread): number {
    return this.statuses.get(t.tid) ?? 0;
  }

  // -- scheduling ----------------------------------------------------------------------------

  /** Can another thread print a line before `t` returns from a call? Then `t` may be cut. */
  private othersCanRun(t: Thread): boolean {
    for (const u of this.threads) {
      if (u !== t && (u.pending === null || u.pending.wake !== Infinity)) return true;
    }
    return false;
  }

  step(): void {
    const cand = this.cand;
    cand.length = 0;
    let total = 0;
    for (const t of this.threads) {
      if (t.pending === null || (t.pending.wake <= this.now && t.tid !== this.lastTid)) {
        cand.push(t);
        total += t.weight;
      }
    }
    let t: Thread | undefined;
    if (cand.length === 0) {
      // Everyone is inside a call: time passes until the first one returns.
      // (The thread that printed the last line goes last: strace would not have cut its call.)
      let other: Thread | undefined;
      let self: Thread | undefined;
      let otherWake = Infinity;
      for (const u of this.threads) {
        if (u.pending === null || u.pending.wake === Infinity) continue;
        if (u.tid === this.lastTid) self = u;
        else if (u.pending.wake < otherWake) {
          other = u;
          otherWake = u.pending.wake;
        }
      }
      t = other ?? self;
      if (t === undefined || t.pending === null) throw new Error('generator bug: every thread waits for another');
      this.now = Math.max(this.now, t.pending.wake);
    } else {
      let x = this.rng.float() * total;
      for (const u of cand) {
        x -= u.weight;
        t = u;
        if (x < 0) break;
      }
    }
    if (t === undefined) throw new Error('generator bug: no thread chosen');
    this.run(t);
  }

  private run(t: Thread): void {
    const r = this.rng;
    const pending = t.pending;
    if (pending !== null) {
      const c = pending.call;
      const post = c.split < 0 ? '' : c.args.slice(c.split);
      const dur = Math.max(1, this.now - pending.start - r.int(0, 4));
      this.putCall(t, `<... ${c.name} resumed>${post})`, c.ret, dur);
      t.pending = null;
      this.lastTid = t.tid;
      this.now += r.int(2, 12);
      return;
    }
    const s = this.next(t);
    this.lastTid = t.tid;
    if (s.kind === 'line') {
      this.put(t.prefix + this.stamp() + s.text);
      this.now += r.int(3, 25);
      if (s.exit) this.exitThread(t);
      return;
    }
    if (s.waitFor !== null && s.waitFor.exited) {
      // already gone: pthread_join's futex finds the tid word cleared, wait4 returns at once
      if (s.name === 'futex') s.ret = EAGAIN;
      s.waitFor = null;
      s.block = false;
      s.dur = r.int(3, 12);
    }
    // blocking calls are nearly always cut; so is clone, as the child starts printing at once
    const p = s.block ? 0.9 : s.name === 'clone3' || s.name === 'clone' ? 0.8 : 0.14;
    const cut = this.othersCanRun(t) && (s.waitFor !== null || r.chance(p));
    if (s.waitFor !== null && !cut) throw new Error('generator bug: a wait with nobody to wait for');
    if (cut) {
      const before = s.split < 0 ? s.args : s.args.slice(0, s.split);
      this.put(t.prefix + this.stamp() + `${s.name}(${before} <unfinished ...>`);
      let wake: number;
      if (s.waitFor !== null) {
        wake = Infinity;
        s.waitFor.waiters.push(t);
      } else if (s.block) {
        wake = this.now + (r.chance(0.7) ? r.int(40, 900) : r.int(1000, 25000));
      } else {
        wake = this.now + s.dur + r.int(3, 40);
      }
      t.pending = { call: s, start: this.now, wake };
      this.now += r.int(2, 15);
    } else {
      this.putCall(t, `${s.name}(${s.args})`, s.ret, s.dur);
      this.now += s.dur + r.int(2, 30);
    }
  }

  private next(t: Thread): Step {
    const queued = t.inbox.shift();
    if (queued !== undefined) return queued;
    for (;;) {
      if (t.task === null) t.task = this.newTask(t);
      const it = t.task.next();
      if (!it.done) return it.value;
      t.task = null;
    }
  }

  private newTask(t: Thread): Task {
    switch (t.role) {
      case 'leader':
        return this.leaderTask(t);
      case 'worker':
        return t.quit ? this.threadExit(t) : this.request(t);
      case 'cache':
        return this.cacheTask(t);
      case 'helper':
        throw new Error('generator bug: helpers run one task');
    }
  }

  // -- pieces of behaviour -------------------------------------------------------------------

  private dur(lo = 3, hi = 25): number {
    return this.rng.int(lo, hi);
  }

  private at_(p: Proc): string {
    return `AT_FDCWD<${p.cwd}>`;
  }

  /** ld.so loading libc, as in every captured trace; `p` is the fresh address space. */
  private *loader(t: Thread, p: Proc): Task {
    const r = this.rng;
    const a1 = p.takeStatic(8192);
    yield call('brk', 'NULL', hex(p.brk), this.dur(3, 8));
    yield call('mmap', `NULL, 8192, ${RW}, ${ANON}, -1, 0`, hex(a1), this.dur(5, 12));
    yield call('access', '"/etc/ld.so.preload", R_OK', ENOENT, this.dur(4, 9));
    let fd = p.openFd('/etc/ld.so.cache');
    yield call('openat', `${this.at_(p)}, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC`, p.d(fd), this.dur(6, 12));
    yield callOut('newfstatat', `${p.d(fd)}, "", `, '{st_mode=S_IFREG|0644, st_size=34547, ...}, AT_EMPTY_PATH', '0', this.dur(4, 9));
    const cacheMap = p.takeStatic(34547);
    yield call('mmap', `NULL, 34547, PROT_READ, MAP_PRIVATE, ${p.d(fd)}, 0`, hex(cacheMap), this.dur(5, 12));
    yield call('close', p.d(fd), '0', this.dur(4, 9));
    p.closeFd(fd);
    fd = p.openFd('/usr/lib/x86_64-linux-gnu/libc.so.6');
    yield call('openat', `${this.at_(p)}, "/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY|O_CLOEXEC`, p.d(fd), this.dur(6, 12));
    yield callOut('read', `${p.d(fd)}, `, `${data('\x7fELF\x02\x01\x01\x03\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00\x01\x00\x00\x00\x10t\x02\x00\x00\x00\x00\x00\x00', 832)}, 832`, '832', this.dur(4, 9));
    const phdr = `${data('\x06\x00\x00\x00\x04\x00\x00\x00@\x00\x00\x00\x00\x00\x00\x00@\x00\x00\x00\x00\x00\x00\x00@\x00\x00\x00\x00\x00\x00\x00', 784)}, 784, 64`;
    yield callOut('pread64', `${p.d(fd)}, `, phdr, '784', this.dur(4, 9));
    yield callOut('newfstatat', `${p.d(fd)}, "", `, '{st_mode=S_IFREG|0755, st_size=1926232, ...}, AT_EMPTY_PATH', '0', this.dur(4, 9));
    yield callOut('pread64', `${p.d(fd)}, `, phdr, '784', this.dur(4, 9));
    const lib = p.takeStatic(1974096);
    const df = p.d(fd);
    yield call('mmap', `NULL, 1974096, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, ${df}, 0`, hex(lib), this.dur(6, 12));
    yield call('mmap', `${hex(lib + 0x26000)}, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, ${df}, 0x26000`, hex(lib + 0x26000), this.dur(8, 14));
    yield call('mmap', `${hex(lib + 0x17c000)}, 339968, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, ${df}, 0x17c000`, hex(lib + 0x17c000), this.dur(8, 14));
    yield call('mmap', `${hex(lib + 0x1cf000)}, 24576, ${RW}, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, ${df}, 0x1cf000`, hex(lib + 0x1cf000), this.dur(8, 14));
    yield call('mmap', `${hex(lib + 0x1d5000)}, 53072, ${RW}, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0`, hex(lib + 0x1d5000), this.dur(6, 12));
    yield call('close', p.d(fd), '0', this.dur(4, 9));
    p.closeFd(fd);
    const tls = p.takeStatic(12288);
    yield call('mmap', `NULL, 12288, ${RW}, ${ANON}, -1, 0`, hex(tls), this.dur(5, 10));
    t.fs = tls + 0x740;
    yield call('arch_prctl', `ARCH_SET_FS, ${hex(t.fs)}`, '0', this.dur(3, 7));
    yield call('set_tid_address', hex(tls + 0xa10), String(t.tid), this.dur(3, 7));
    yield call('set_robust_list', `${hex(tls + 0xa20)}, 24`, '0', this.dur(3, 7));
    yield call('rseq', `${hex(tls + 0x1060)}, 0x20, 0, 0x53053053`, '0', this.dur(4, 9));
    yield call('mprotect', `${hex(lib + 0x1cf000)}, 16384, PROT_READ`, '0', this.dur(8, 20));
    yield call('mprotect', `${hex(p.brkBase - 0x13fa4000 + r.int(0, 64) * PAGE)}, 4096, PROT_READ`, '0', this.dur(6, 12));
    yield call('mprotect', `${hex(a1 + 0x3b000)}, 8192, PROT_READ`, '0', this.dur(6, 12));
    yield call('prlimit64', '0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}', '0', this.dur(4, 9));
    yield call('munmap', `${hex(cacheMap)}, 34547`, '0', this.dur(8, 16));
    let rnd = '';
    for (let i = 0; i < 8; i++) rnd += '\\x' + r.int(0, 255).toString(16).padStart(2, '0');
    yield call('getrandom', `"${rnd}", 8, GRND_NONBLOCK`, '8', this.dur(4, 9));
    yield call('brk', 'NULL', hex(p.brk), this.dur(3, 8));
    p.brk += 0x21000;
    yield call('brk', hex(p.brk), hex(p.brk), this.dur(4, 10));
  }

  private newAddressSpace(pid: number): Proc {
    const r = this.rng;
    // x86-64 user space: mmap_base just under 0x7fxxxxxxxxxx, a PIE's heap at 0x55…/0x56…
    const top = 0x7f0000000000 + r.int(0x10, 0xf0) * 0x100000000 + r.int(0, 0xfffff) * PAGE;
    const brk = 0x550000000000 + r.int(0x100, 0x1ffffff) * 0x10000 + r.int(0, 15) * PAGE;
    return new Proc(pid, r, top, brk);
  }

  /** Moves brk up or down within [base + 132 KiB, base + cap], glibc's main-arena pattern. */
  private *brkChange(p: Proc, cap: number): Task {
    const r = this.rng;
    const used = p.brk - p.brkBase;
    if (used > 0x21000 && (used > cap || r.chance(0.3))) {
      // free() at the top of the heap: malloc_trim gives back whole pages, keeping 128 KiB
      const to = p.brkBase + pageUp(0x21000 + r.float() * (used - 0x21000) * 0.7);
      p.brk = to;
      yield call('brk', hex(to), hex(to), this.dur(8, 40));
      return;
    }
    if (cap >= 32 * MiB && r.chance(0.003)) {
      // a huge malloc: brk refuses (returns the old break), malloc falls back to mmap
      yield call('brk', hex(p.brk + 0x40021000), hex(p.brk), this.dur(5, 12));
      yield* this.bigChunk(p, null, r.int(256, 512) * MiB, true);
      return;
    }
    p.brk += 0x21000 * r.int(1, 6) + (r.chance(0.5) ? r.int(1, 30) * PAGE : 0);
    yield call('brk', hex(p.brk), hex(p.brk), this.dur(5, 20));
  }

  /** malloc of a large block: its own mapping, freed at once or kept in `slot` for later. */
  private *bigChunk(p: Proc, slot: Slot | null, len: number, freeNow: boolean): Task {
    const r = this.rng;
    const size = pageUp(len + 16);
    const addr = p.map(size);
    yield call('mmap', `NULL, ${size}, ${RW}, ${ANON}, -1, 0`, hex(addr), this.dur(6, 20));
    let cur = addr;
    let curLen = size;
    if (size <= 64 * MiB && r.chance(0.25)) {
      // realloc: grow and move, or shrink in place
      if (r.chance(0.7)) {
        const bigger = pageUp(size * (1.2 + r.float()));
        const moved = p.map(bigger);
        p.unmap(cur);
        yield call('mremap', `${hex(cur)}, ${curLen}, ${bigger}, MREMAP_MAYMOVE`, hex(moved), this.dur(10, 60));
        cur = moved;
        curLen = bigger;
      } else {
        const smaller = pageUp(curLen / 2);
        p.live.set(cur, smaller);
        yield call('mremap', `${hex(cur)}, ${curLen}, ${smaller}, MREMAP_MAYMOVE`, hex(cur), this.dur(8, 30));
        curLen = smaller;
      }
    }
    if (!freeNow && slot !== null) {
      slot.kept.set(cur, curLen);
      if (slot.kept.size > 6) {
        for (const [a, l] of slot.kept) {
          slot.kept.delete(a);
          p.unmap(a);
          yield call('munmap', `${hex(a)}, ${l}`, '0', this.dur(10, 50));
          break;
        }
      }
      return;
    }
    p.unmap(cur);
    yield call('munmap', `${hex(cur)}, ${curLen}`, '0', this.dur(10, 50));
  }

  /** glibc's per-thread arena: the 128 MiB PROT_NONE reservation trimmed to an aligned 64 MiB. */
  private *newArena(p: Proc, slot: Slot): Task {
    const res = p.takeStatic(2 * ARENA);
    const aligned = Math.ceil(res / ARENA) * ARENA;
    yield call('mmap', `NULL, ${2 * ARENA}, PROT_NONE, ${ANON}|MAP_NORESERVE, -1, 0`, hex(res), this.dur(8, 20));
    if (aligned > res) yield call('munmap', `${hex(res)}, ${aligned - res}`, '0', this.dur(10, 40));
    if (res + 2 * ARENA > aligned + ARENA) yield call('munmap', `${hex(aligned + ARENA)}, ${res + 2 * ARENA - aligned - ARENA}`, '0', this.dur(10, 40));
    p.staticNext = Math.min(p.staticNext, aligned);
    slot.arena = aligned;
    slot.arenaRw = 0x21000;
    yield call('mprotect', `${hex(aligned)}, 135168, ${RW}`, '0', this.dur(8, 20));
  }

  /** Arena growth (mprotect) or shrink (MAP_FIXED PROT_NONE over the top), bounded by `cap`. */
  private *arenaChange(slot: Slot, cap: number): Task {
    const r = this.rng;
    if (slot.arenaRw > cap || (slot.arenaRw > 4 * MiB && r.chance(0.15))) {
      const keep = pageUp(0x21000 + r.float() * slot.arenaRw * 0.3);
      const len = slot.arenaRw - keep;
      slot.arenaRw = keep;
      yield call('mmap', `${hex(slot.arena + keep)}, ${len}, PROT_NONE, ${ANON}|MAP_NORESERVE|MAP_FIXED, -1, 0`, hex(slot.arena + keep), this.dur(10, 40));
      return;
    }
    const add = Math.min(ARENA - slot.arenaRw, r.chance(0.6) ? r.int(1, 17) * PAGE : r.int(17, 160) * PAGE);
    if (add <= 0) return;
    yield call('mprotect', `${hex(slot.arena + slot.arenaRw)}, ${add}, ${RW}`, '0', this.dur(8, 40));
    slot.arenaRw += add;
  }

  private *futexNoise(t: Thread): Task {
    const r = this.rng;
    const lock = hex(r.pick(t.proc.locks));
    const x = r.float();
    if (x < 0.45) yield call('futex', `${lock}, FUTEX_WAKE_PRIVATE, 1`, String(r.int(0, 1)), this.dur(3, 15));
    else if (x < 0.8) yield call('futex', `${lock}, FUTEX_WAIT_PRIVATE, 2, NULL`, r.chance(0.3) ? EAGAIN : '0', this.dur(10, 300), -1, true);
    else yield call('futex', `${lock}, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, {tv_sec=${1732000000 + r.int(0, 99999)}, tv_nsec=${r.int(0, 999999999)}}, FUTEX_BITSET_MATCH_ANY`, r.chance(0.5) ? '-1 ETIMEDOUT (Connection timed out)' : '0', this.dur(50, 3000), -1, true);
  }

  private clock(): Syscall {
    const r = this.rng;
    const which = r.chance(0.6) ? 'CLOCK_MONOTONIC' : 'CLOCK_REALTIME';
    const sec = which === 'CLOCK_MONOTONIC' ? 86400 + Math.floor(this.now / 1e6) : 1732147200 + Math.floor(this.now / 1e6);
    const nsec = (this.now % 1e6) * 1000 + r.int(0, 999);
    return callOut('clock_gettime', `${which}, `, `{tv_sec=${sec}, tv_nsec=${nsec}}`, '0', this.dur(2, 6));
  }

  private logLine(p: Proc, a: number, b: number): Syscall {
    const raw = fill(this.rng.pick(LOG_LINES), a, b);
    return call('write', `${p.d(2)}, ${quote(raw)}, ${raw.length}`, String(raw.length), this.dur(6, 30));
  }

  private pickFile(): DataFile {
    const u = this.rng.float();
    return at(this.files, Math.floor(u * u * this.files.length)); // a few files are hot
  }

  // -- roles ---------------------------------------------------------------------------------

  /** A worker serves one request: accept, read the request, read a data file, build, reply. */
  private *request(t: Thread): Task {
    const r = this.rng;
    const p = t.proc;
    const slot = t.slot;
    if (slot === null) throw new Error('generator bug: worker without a slot');
    yield callOut('epoll_wait', `${p.d(4)}, `, '[{events=EPOLLIN, data={u32=3, u64=3}}], 64, 1000', '1', this.dur(20, 4000), true);
    if (r.chance(0.1)) {
      // another worker took the connection first
      yield callOut('accept4', `${p.d(3)}, `, 'NULL, NULL, SOCK_CLOEXEC|SOCK_NONBLOCK', EAGAIN, this.dur(4, 10));
      if (r.chance(0.5)) yield* this.futexNoise(t);
      return;
    }
    const conn = p.openFd(`socket:[${this.sockBase + 1 + (this.conns++ % 1024)}]`);
    yield callOut('accept4', `${p.d(3)}, `, `{sa_family=AF_INET, sin_port=htons(${r.int(32768, 60999)}), sin_addr=inet_addr("10.0.${r.int(0, 9)}.${r.int(2, 250)}")}, [16], SOCK_CLOEXEC|SOCK_NONBLOCK`, p.d(conn), this.dur(6, 20));
    yield call('setsockopt', `${p.d(conn)}, SOL_TCP, TCP_NODELAY, [1], 4`, '0', this.dur(3, 8));
    const file = this.pickFile();
    const k = this.files.indexOf(file);
    const req = fill(r.pick(REQUESTS), k, 0);
    if (r.chance(0.05)) yield callOut('read', `${p.d(conn)}, `, '0x7f' + r.int(0x10000000, 0x7fffffff).toString(16) + '000, 8192', EAGAIN, this.dur(3, 8));
    yield callOut('read', `${p.d(conn)}, `, `${quote(req)}, 8192`, String(req.length), this.dur(5, 20));
    yield this.clock();
    if (r.chance(0.25)) yield* this.arenaChange(slot, r.int(4, 24) * MiB);
    if (r.chance(0.08)) yield call('openat', `${this.at_(p)}, "${file.path}.gz", O_RDONLY|O_CLOEXEC`, ENOENT, this.dur(6, 20));
    yield callOut('newfstatat', `${this.at_(p)}, "${file.path}", `, `{st_mode=S_IFREG|0644, st_size=${file.size}, ...}, 0`, '0', this.dur(5, 15));
    const fd = p.openFd(file.path);
    yield call('openat', `${this.at_(p)}, "${file.path}", O_RDONLY|O_CLOEXEC`, p.d(fd), this.dur(8, 30));
    let fileMap = 0;
    if (r.chance(0.15)) {
      fileMap = p.map(file.size);
      yield call('mmap', `NULL, ${file.size}, PROT_READ, MAP_PRIVATE, ${p.d(fd)}, 0`, hex(fileMap), this.dur(6, 20));
    } else {
      yield callOut('newfstatat', `${p.d(fd)}, "", `, `{st_mode=S_IFREG|0644, st_size=${file.size}, ...}, AT_EMPTY_PATH`, '0', this.dur(3, 9));
      let off = 0;
      while (off < file.size) {
        const n = Math.min(CHUNK, file.size - off);
        const head = off === 0 ? file.head : data(fill(r.pick(XML_CHUNKS), off, k), n);
        yield callOut('read', `${p.d(fd)}, `, `${head}, ${CHUNK}`, String(n), this.dur(8, 60));
        off += n;
        // the parser allocates as it reads
        if (r.chance(0.3)) yield* this.arenaChange(slot, r.int(4, 24) * MiB);
      }
      yield callOut('read', `${p.d(fd)}, `, `"", ${CHUNK}`, '0', this.dur(3, 8));
    }
    yield call('close', p.d(fd), '0', this.dur(4, 12));
    p.closeFd(fd);
    // building the response: the DOM and the serialised reply
    // (above malloc's mmap threshold, 128 KiB)
    if (file.size > 64 * KiB || r.chance(0.2)) yield* this.bigChunk(p, slot, Math.max(file.size * r.int(2, 5), 160 * KiB), r.chance(0.75));
    if (r.chance(0.3)) yield* this.arenaChange(slot, r.int(4, 24) * MiB);
    if (r.chance(0.35)) {
      const off = r.int(0, 4095) * 4096;
      yield callOut('pread64', `${p.d(6)}, `, `${data(r.pick(DB_PAGES), 4096)}, 4096, ${off}`, '4096', this.dur(6, 40));
    }
    if (r.chance(0.5)) yield* this.futexNoise(t);
    if (r.chance(0.4)) yield this.logLine(p, r.chance(0.5) ? conn : k, file.size);
    const hdr = `HTTP/1.1 200 OK\r\nServer: appd/2.4\r\nContent-Type: application/xml\r\nContent-Length: ${file.size}\r\n\r\n`;
    if (r.chance(0.1)) {
      yield call('writev', `${p.d(conn)}, [{iov_base=${quote(hdr)}, iov_len=${hdr.length}}], 1`, EAGAIN, this.dur(5, 15));
      yield call('poll', `[{fd=${p.d(conn)}, events=POLLOUT}], 1, 30000`, `1 ([{fd=${conn}, revents=POLLOUT}])`, this.dur(50, 2000), -1, true);
    }
    yield call('writev', `${p.d(conn)}, [{iov_base=${quote(hdr)}, iov_len=${hdr.length}}, {iov_base=${file.head}, iov_len=${file.size}}], 2`, String(hdr.length + file.size), this.dur(10, 120));
    if (fileMap !== 0) {
      p.unmap(fileMap);
      yield call('munmap', `${hex(fileMap)}, ${file.size}`, '0', this.dur(8, 30));
    }
    if (r.chance(0.3)) yield this.clock();
    yield call('close', p.d(conn), '0', this.dur(5, 20));
    p.closeFd(conn);
  }

  private *threadStart(t: Thread, fresh: boolean): Task {
    const r = this.rng;
    const slot = t.slot;
    if (slot === null) throw new Error('generator bug: thread without a slot');
    yield call('rseq', `${hex(t.fs + 0x920)}, 0x20, 0, 0x53053053`, '0', this.dur(3, 20));
    yield call('set_robust_list', `${hex(t.fs + 0x2e0)}, 24`, '0', this.dur(3, 15));
    yield callOut('rt_sigprocmask', 'SIG_SETMASK, [], ', 'NULL, 8', '0', this.dur(3, 15));
    if (fresh) yield* this.newArena(t.proc, slot);
    if (r.chance(0.5)) yield this.clock();
  }

  private *threadExit(t: Thread): Task {
    const slot = t.slot;
    if (slot !== null) yield call('madvise', `${hex(slot.stack)}, ${STACK - 24576}, MADV_DONTNEED`, '0', this.dur(10, 40));
    yield call('exit', '0', '?', 0);
    yield { kind: 'line', text: '+++ exited with 0 +++', exit: true };
  }

  /** The leader starts a worker thread: a cached stack and arena when one is free (glibc's caches). */
  private *spawnWorker(t: Thread): Task {
    const p = t.proc;
    let slot = p.freeSlots.pop();
    const fresh = slot === undefined;
    if (slot === undefined) {
      const stack = p.takeStatic(STACK);
      slot = { stack, arena: 0, arenaRw: 0, kept: new Map() };
      yield call('mmap', `NULL, ${STACK}, PROT_NONE, ${ANON}|MAP_STACK, -1, 0`, hex(stack), this.dur(6, 14));
      yield call('mprotect', `${hex(stack + PAGE)}, ${STACK - PAGE}, ${RW}`, '0', this.dur(6, 16));
    }
    yield callOut('rt_sigprocmask', 'SIG_BLOCK, ~[], ', '[], 8', '0', this.dur(3, 9));
    const tid = this.newPid();
    const fs = slot.stack + 0x8006c0;
    const w = new Thread(tid, p, 'worker', fs);
    w.slot = slot;
    this.addThread(w, this.threadStart(w, fresh));
    const args = `{flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=${hex(fs + 0x2d0)}, parent_tid=${hex(fs + 0x2d0)}, exit_signal=0, stack=${hex(slot.stack)}, stack_size=0x7fff80, tls=${hex(fs)}}`;
    yield callOut('clone3', args, ` => {parent_tid=[${tid}]}, 88`, String(tid), this.dur(40, 90));
    yield callOut('rt_sigprocmask', 'SIG_SETMASK, [], ', 'NULL, 8', '0', this.dur(3, 9));
  }

  /** The leader joins a thread (pthread_join's futex wait on the thread's tid word). */
  private join(w: Thread): Syscall {
    const c = call('futex', `${hex(w.fs + 0x2d0)}, FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME, ${w.tid}, NULL, FUTEX_BITSET_MATCH_ANY`, '0', 0, -1, true);
    c.waitFor = w;
    return c;
  }

  private *leaderStart(t: Thread, cmd: string[]): Task {
    const r = this.rng;
    const p = t.proc;
    const argv = '[' + cmd.map((a) => `"${a}"`).join(', ') + ']';
    yield call('execve', `"${at(cmd, 0)}", ${argv}, ${hex(0x7ffc00000000 + r.int(0, 0xffffff) * 8)} /* 23 vars */`, '0', this.dur(120, 400));
    yield* this.loader(t, p);
    let fd = p.openFd('/etc/app/appd.conf');
    yield call('openat', `${this.at_(p)}, "/etc/app/appd.conf", O_RDONLY|O_CLOEXEC`, p.d(fd), this.dur(8, 20));
    yield callOut('newfstatat', `${p.d(fd)}, "", `, '{st_mode=S_IFREG|0644, st_size=2817, ...}, AT_EMPTY_PATH', '0', this.dur(4, 9));
    yield callOut('read', `${p.d(fd)}, `, `${data('# appd configuration\nlisten = 0.0.0.0:8080\nworkers = 4\n', 2817)}, 4096`, '2817', this.dur(6, 14));
    yield* this.brkChange(p, 32 * MiB);
    yield callOut('read', `${p.d(fd)}, `, '"", 4096', '0', this.dur(3, 8));
    yield call('close', p.d(fd), '0', this.dur(4, 9));
    p.closeFd(fd);
    yield call('access', '"/etc/app/conf.d/override.conf", R_OK', ENOENT, this.dur(4, 9));
    fd = p.openFd('/var/log/app/app.log');
    yield call('openat', `${this.at_(p)}, "/var/log/app/app.log", O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC, 0640`, p.d(fd), this.dur(8, 30));
    p.fds[2] = '/var/log/app/app.log';
    yield call('dup2', `${p.d(fd)}, 2</dev/pts/0>`, p.d(2), this.dur(4, 9));
    yield call('close', p.d(fd), '0', this.dur(4, 9));
    p.closeFd(fd);
    const listen = p.openFd(`socket:[${this.sockBase}]`); // 3
    yield call('socket', 'AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP', p.d(listen), this.dur(8, 20));
    yield call('setsockopt', `${p.d(listen)}, SOL_SOCKET, SO_REUSEADDR, [1], 4`, '0', this.dur(3, 8));
    yield call('bind', `${p.d(listen)}, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("0.0.0.0")}, 16`, '0', this.dur(6, 14));
    yield call('listen', `${p.d(listen)}, 4096`, '0', this.dur(4, 9));
    const ep = p.openFd('anon_inode:[eventpoll]'); // 4
    yield call('epoll_create1', 'EPOLL_CLOEXEC', p.d(ep), this.dur(4, 9));
    yield call('epoll_ctl', `${p.d(ep)}, EPOLL_CTL_ADD, ${p.d(listen)}, {events=EPOLLIN|EPOLLEXCLUSIVE, data={u32=3, u64=3}}`, '0', this.dur(4, 9));
    const tfd = p.openFd('anon_inode:[timerfd]'); // 5
    yield call('timerfd_create', 'CLOCK_MONOTONIC, TFD_CLOEXEC|TFD_NONBLOCK', p.d(tfd), this.dur(4, 9));
    yield call('timerfd_settime', `${p.d(tfd)}, 0, {it_interval={tv_sec=0, tv_nsec=50000000}, it_value={tv_sec=0, tv_nsec=50000000}}, NULL`, '0', this.dur(4, 9));
    const db = p.openFd('/var/lib/app/index.db'); // 6
    yield call('openat', `${this.at_(p)}, "/var/lib/app/index.db", O_RDWR|O_CLOEXEC`, p.d(db), this.dur(8, 30));
    // the cache process: forked, not exec'd; talks to the leader through a pipe
    const pipe = `pipe:[${this.pipeBase}]`;
    const pr = p.openFd(pipe);
    const pw = p.openFd(pipe);
    yield call('pipe2', `[${p.d(pr)}, ${p.d(pw)}], O_CLOEXEC`, '0', this.dur(5, 12));
    if (pr !== 7 || pw !== 8) throw new Error('generator bug: the cache pipe must be fds 7 and 8');
    const { child, clone } = this.fork(t, 'cache');
    this.cache = child;
    this.addThread(child, this.cacheStart(child));
    yield clone;
    yield call('close', p.d(pr), '0', this.dur(4, 9));
    p.closeFd(pr);
    yield call('rt_sigaction', `SIGRT_1, {sa_handler=${hex(p.staticNext + 0x86720)}, sa_mask=[], sa_flags=SA_RESTORER|SA_ONSTACK|SA_RESTART|SA_SIGINFO, sa_restorer=${hex(p.staticNext + 0x3c050)}}, NULL, 8`, '0', this.dur(3, 8));
    yield call('rt_sigprocmask', 'SIG_UNBLOCK, [RTMIN RT_1], NULL, 8', '0', this.dur(3, 8));
    yield call('rt_sigaction', `SIGCHLD, {sa_handler=${hex(p.brkBase - 0x13fa0000 + 0x31e9)}, sa_mask=[], sa_flags=SA_RESTORER|SA_RESTART|SA_NOCLDSTOP, sa_restorer=${hex(p.staticNext + 0x3c050)}}, NULL, 8`, '0', this.dur(3, 8));
    for (let i = 0; i < 4; i++) yield* this.spawnWorker(t);
  }

  /** fork(): a child with a copy of the address space and descriptors; it runs from the moment
   * the returned clone call is printed (so its first lines may come before clone returns). */
  private fork(t: Thread, role: Role): { child: Thread; clone: Syscall } {
    const p = t.proc;
    const pid = this.newPid();
    const cp = new Proc(pid, this.rng, p.winLow - 1024 * MiB, p.brkBase);
    cp.brk = p.brk;
    cp.fds = p.fds.slice();
    cp.parent = t;
    this.processes++;
    const child = new Thread(pid, cp, role, t.fs);
    const clone = callOut('clone', 'child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD', `, child_tidptr=${hex(t.fs + 0x2d0)}`, String(pid), this.dur(60, 200));
    return { child, clone };
  }

  /** The cache process reads requests from the leader on fd 7 (the pipe's read end). */
  private *cacheStart(t: Thread): Task {
    const p = t.proc;
    yield call('set_robust_list', `${hex(t.fs + 0x2e0)}, 24`, '0', this.dur(3, 8));
    yield call('close', p.d(8), '0', this.dur(3, 8));
    p.closeFd(8);
  }

  private *cacheTask(t: Thread): Task {
    const r = this.rng;
    const p = t.proc;
    yield call('poll', `[{fd=${p.d(7)}, events=POLLIN}], 1, 5000`, t.quit ? `1 ([{fd=7, revents=POLLHUP}])` : `1 ([{fd=7, revents=POLLIN}])`, this.dur(100, 5000), -1, true);
    if (t.quit) {
      yield callOut('read', `${p.d(7)}, `, '"", 8', '0', this.dur(3, 8));
      yield call('close', p.d(6), '0', this.dur(5, 20));
      yield call('exit_group', '0', '?', 0);
      yield { kind: 'line', text: '+++ exited with 0 +++', exit: true };
      return;
    }
    yield callOut('read', `${p.d(7)}, `, `${quote('\x02\x00\x00\x00' + String.fromCharCode(r.int(0, 255)) + '\x00\x00\x00')}, 8`, '8', this.dur(4, 10));
    const n = r.int(1, 5);
    for (let i = 0; i < n; i++) {
      const off = r.int(0, 16383) * 4096;
      yield callOut('pread64', `${p.d(6)}, `, `${data(r.pick(DB_PAGES), 4096)}, 4096, ${off}`, '4096', this.dur(6, 80));
      if (r.chance(0.3)) yield* this.brkChange(p, 24 * MiB);
    }
    if (r.chance(0.15)) {
      const len = r.int(16, 256) * 4096;
      const off = r.int(0, 4000) * 4096;
      const a = p.map(len);
      yield call('mmap', `NULL, ${len}, PROT_READ, MAP_SHARED, ${p.d(6)}, ${hex(off)}`, hex(a), this.dur(6, 20));
      yield call('madvise', `${hex(a)}, ${len}, MADV_SEQUENTIAL`, '0', this.dur(3, 8));
      p.unmap(a);
      yield call('munmap', `${hex(a)}, ${len}`, '0', this.dur(8, 30));
    }
    if (r.chance(0.2)) {
      const off = r.int(0, 16383) * 4096;
      yield call('pwrite64', `${p.d(6)}, ${data(r.pick(DB_PAGES), 4096)}, 4096, ${off}`, '4096', this.dur(8, 60));
      yield call('fdatasync', p.d(6), '0', this.dur(200, 4000), -1, true);
    }
    if (r.chance(0.2)) yield this.clock();
  }

  private *helperStart(t: Thread, pr: number, pw: number): Task {
    const r = this.rng;
    let p = t.proc;
    yield call('set_robust_list', `${hex(t.fs + 0x2e0)}, 24`, '0', this.dur(3, 8));
    p.fds[1] = p.fds[pw];
    yield call('dup2', `${p.d(pw)}, 1</dev/null>`, p.d(1), this.dur(3, 8));
    yield call('close', p.d(pr), '0', this.dur(3, 8));
    p.closeFd(pr);
    yield call('close', p.d(pw), '0', this.dur(3, 8));
    p.closeFd(pw);
    const gen = r.int(1, 9);
    const argv = `["gzip", "-6", "-c", "/var/log/app/app.log.${gen}"]`;
    const env = hex(0x7ffc00000000 + r.int(0, 0xffffff) * 8);
    yield call('execve', `"/usr/local/sbin/gzip", ${argv}, ${env} /* 17 vars */`, ENOENT, this.dur(10, 30));
    yield call('execve', `"/usr/local/bin/gzip", ${argv}, ${env} /* 17 vars */`, ENOENT, this.dur(10, 30));
    // success: a new, empty address space; close-on-exec descriptors are gone
    const np = this.newAddressSpace(p.pid);
    np.parent = p.parent;
    np.fds = [p.fds[0], p.fds[1], p.fds[2]];
    p.threads.delete(t);
    np.threads.add(t);
    t.proc = np;
    p = np;
    yield call('execve', `"/usr/bin/gzip", ${argv}, ${env} /* 17 vars */`, '0', this.dur(150, 500));
    yield* this.loader(t, p);
    const path = `/var/log/app/app.log.${gen}`;
    if (r.chance(0.1)) {
      // rotated away already
      yield call('openat', `${this.at_(p)}, "${path}", O_RDONLY|O_NOCTTY|O_NONBLOCK`, ENOENT, this.dur(6, 20));
      yield call('write', `${p.d(2)}, ${quote(`gzip: ${path}: No such file or directory\n`)}, ${`gzip: ${path}: No such file or directory\n`.length}`, String(`gzip: ${path}: No such file or directory\n`.length), this.dur(5, 20));
      this.statuses.set(t.tid, 1);
    } else {
      const fd = p.openFd(path);
      const size = r.int(4, 64) * CHUNK + r.int(0, CHUNK - 1);
      yield call('openat', `${this.at_(p)}, "${path}", O_RDONLY|O_NOCTTY|O_NONBLOCK`, p.d(fd), this.dur(6, 20));
      yield callOut('newfstatat', `${p.d(fd)}, "", `, `{st_mode=S_IFREG|0640, st_size=${size}, ...}, AT_EMPTY_PATH`, '0', this.dur(3, 9));
      yield call('fcntl', `${p.d(fd)}, F_SETFL, O_RDONLY|O_NOCTTY`, '0', this.dur(3, 8));
      let off = 0;
      while (off < size) {
        const n = Math.min(CHUNK, size - off);
        yield callOut('read', `${p.d(fd)}, `, `${data(fill('%d.%d 09:14:07 appd[1]: close(3) = 0 "served"\n', off, n), n)}, ${CHUNK}`, String(n), this.dur(8, 40));
        off += n;
        if (off <= 4 * CHUNK && r.chance(0.5)) yield* this.brkChange(p, 4 * MiB);
        if (r.chance(0.4)) yield call('write', `${p.d(1)}, ${data(GZIP, 32768)}, 32768`, '32768', this.dur(10, 80));
      }
      yield callOut('read', `${p.d(fd)}, `, `"", ${CHUNK}`, '0', this.dur(3, 8));
      const last = r.int(100, 32767);
      yield call('write', `${p.d(1)}, ${data(GZIP, last)}, ${last}`, String(last), this.dur(10, 80));
      yield call('close', p.d(fd), '0', this.dur(3, 8));
      p.closeFd(fd);
    }
    const code = this.exitStatus(t);
    yield call('exit_group', String(code), '?', 0);
    yield { kind: 'line', text: `+++ exited with ${code} +++`, exit: true };
  }

  private *forkHelper(t: Thread): Task {
    const p = t.proc;
    const pipe = `pipe:[${this.pipeBase + 1 + (this.pipes++ % 64)}]`;
    const pr = p.openFd(pipe);
    const pw = p.openFd(pipe);
    yield call('pipe2', `[${p.d(pr)}, ${p.d(pw)}], O_CLOEXEC`, '0', this.dur(5, 12));
    const { child, clone } = this.fork(t, 'helper');
    this.statuses.set(child.tid, this.rng.chance(0.1) ? 1 : 0);
    this.addThread(child, this.helperStart(child, pr, pw));
    p.children.set(child, { thread: child, pipeR: pr });
    yield clone;
    yield call('close', p.d(pw), '0', this.dur(4, 9));
    p.closeFd(pw);
  }

  private *leaderTask(t: Thread): Task {
    const r = this.rng;
    const p = t.proc;
    if (this.ending) {
      yield* this.shutdown(t);
      return;
    }
    if (this.bytes >= this.nextFork) {
      this.nextFork += this.forkEvery * (0.5 + r.float());
      yield* this.forkHelper(t);
      return;
    }
    if (this.bytes >= this.nextChurn) {
      this.nextChurn += this.churnEvery * (0.5 + r.float());
      // retire the oldest worker, start a fresh one (its stack and arena are reused)
      const w = this.threads.find((u) => u.role === 'worker' && u.proc === p);
      if (w !== undefined) {
        w.quit = true;
        yield call('futex', `${hex(r.pick(p.locks))}, FUTEX_WAKE_PRIVATE, 2147483647`, '1', this.dur(4, 12));
        if (!w.exited) yield this.join(w);
        yield* this.spawnWorker(t);
      }
      return;
    }
    // housekeeping tick
    yield call('poll', `[{fd=${p.d(5)}, events=POLLIN}], 1, -1`, '1 ([{fd=5, revents=POLLIN}])', this.dur(100, 5000), -1, true);
    yield callOut('read', `${p.d(5)}, `, `${quote('\x01\x00\x00\x00\x00\x00\x00\x00')}, 8`, '8', this.dur(3, 8));
    yield this.clock();
    const x = r.float();
    if (x < 0.35) {
      yield* this.brkChange(p, 32 * MiB);
      if (r.chance(0.3)) yield* this.brkChange(p, 32 * MiB);
    } else if (x < 0.55) {
      yield call('write', `${p.d(8)}, ${quote('\x02\x00\x00\x00' + String.fromCharCode(r.int(0, 255)) + '\x00\x00\x00')}, 8`, '8', this.dur(4, 12));
    } else if (x < 0.65) {
      yield this.logLine(p, r.int(0, 4), r.int(100, 999));
    } else if (x < 0.72) {
      yield callOut('newfstatat', `${this.at_(p)}, "/etc/app/appd.conf", `, '{st_mode=S_IFREG|0644, st_size=2817, ...}, 0', '0', this.dur(5, 15));
      yield call('access', '"/etc/app/conf.d/override.conf", R_OK', ENOENT, this.dur(4, 9));
    } else if (x < 0.74) {
      // config reload: attributes a little brk growth to appd.conf
      const fd = p.openFd('/etc/app/appd.conf');
      yield call('openat', `${this.at_(p)}, "/etc/app/appd.conf", O_RDONLY|O_CLOEXEC`, p.d(fd), this.dur(8, 20));
      yield callOut('read', `${p.d(fd)}, `, `${data('# appd configuration\nlisten = 0.0.0.0:8080\nworkers = 4\n', 2817)}, 4096`, '2817', this.dur(6, 14));
      yield* this.brkChange(p, 32 * MiB);
      yield callOut('read', `${p.d(fd)}, `, '"", 4096', '0', this.dur(3, 8));
      yield call('close', p.d(fd), '0', this.dur(4, 9));
      p.closeFd(fd);
    } else if (x < 0.78) {
      yield call('unlink', '"/run/appd/stale.sock"', ENOENT, this.dur(4, 12));
    } else {
      yield* this.futexNoise(t);
    }
  }

  private *shutdown(t: Thread): Task {
    const p = t.proc;
    yield this.logLine(p, 0, 0);
    const workers = this.threads.filter((u) => u.role === 'worker' && u.proc === p);
    for (const w of workers) w.quit = true;
    yield call('futex', `${hex(at(p.locks, 0))}, FUTEX_WAKE_PRIVATE, 2147483647`, String(workers.length), this.dur(4, 12));
    for (const w of workers) if (!w.exited) yield this.join(w);
    const cache = this.cache;
    if (cache !== null && this.threads.includes(cache)) {
      cache.quit = true;
      yield call('close', p.d(8), '0', this.dur(4, 12));
      const c = callOut('wait4', `${cache.tid}, `, '[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL', String(cache.tid), 0, true);
      c.waitFor = cache;
      yield c;
    }
    for (const [h, rec] of p.children) {
      if (!this.threads.includes(h)) continue;
      const c = callOut('wait4', `${h.tid}, `, `[{WIFEXITED(s) && WEXITSTATUS(s) == ${this.exitStatus(h)}}], 0, NULL`, String(h.tid), 0, true);
      c.waitFor = h;
      yield c;
      yield call('close', p.d(rec.pipeR), '0', this.dur(4, 9));
    }
    yield call('unlink', '"/run/appd/appd.pid"', '0', this.dur(10, 30));
    yield call('exit_group', '0', '?', 0);
    yield { kind: 'line', text: '+++ exited with 0 +++', exit: true };
  }

  /** SIGTERM to the daemon: the leader's wait is cut short, and it shuts everything down. */
  private terminate(): void {
    this.ending = true;
    const l = this.leader;
    if (l.pending !== null && l.pending.wake !== Infinity) l.pending.wake = Math.min(l.pending.wake, this.now + 30);
    l.inbox.push({ kind: 'line', text: '--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=1, si_uid=0} ---', exit: false });
  }

  run_(): void {
    const pid = this.newPid();
    const proc = this.newAddressSpace(pid);
    this.processes++;
    this.leader = new Thread(pid, proc, 'leader', 0); // fs set by the loader
    proc.fds = ['/dev/null', '/dev/null', '/dev/pts/0'];
    this.addThread(this.leader, this.leaderStart(this.leader, ['/usr/sbin/appd', '--foreground', '--config', '/etc/app/appd.conf']));
    const limit = this.size * 1.5 + 4 * MiB;
    while (this.threads.length > 0) {
      if (!this.ending && this.bytes >= this.stopAt) this.terminate();
      if (this.bytes > limit) throw new Error(`generator bug: still going at ${this.bytes} bytes`);
      this.step();
    }
    this.flush();
  }
}

/**
 * Bytes of trace between helper forks and between thread churns: about 25 and 12 of each over a
 * trace of 1 MB to 100 MB. Past 100 MB a daemon's helpers and threads keep coming every few MB, so
 * processes grow with the size, unless the trace is steady (GenerateOptions.steady).
 */
export function cadence(size: number, steady: boolean): { forkEvery: number; churnEvery: number } {
  return {
    forkEvery: Math.max(40e3, steady ? size / 25 : Math.min(4e6, size / 25)),
    churnEvery: Math.max(60e3, steady ? size / 12 : Math.min(8e6, size / 12)),
  };
}

/** Writes a trace of about `size` bytes to `out` (through `out.partial`, renamed at the end). */
export function generateTrace(options: GenerateOptions): GenerateResult {
  const seed = options.seed ?? 1;
  if (!Number.isFinite(options.size) || options.size < 10_000) {
    throw new Error(`got size ${options.size}: the generator needs at least 10kB`);
  }
  const tmp = options.out + '.partial';
  const fd = openSync(tmp, 'w');
  let world: World;
  try {
    world = new World(fd, options.size, seed, options.steady === true);
    world.run_();
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, options.out);
  return { path: options.out, bytes: world.bytes, lines: world.lines, processes: world.processes, tasks: world.tasks };
}

// ---------------------------------------------------------------------------------------------
// Command line

const USAGE =
  'usage: node dist/test/bench/generate.js --size SIZE --out FILE [--seed N] [--steady]\n' +
  '  SIZE: bytes, or with kB, MB, GB, KiB, MiB, GiB (default 100MB)\n' +
  '  --steady: the same processes and threads whatever the size (see GenerateOptions.steady)\n';

function main(argv: string[]): number {
  let size = 100e6;
  let out: string | undefined;
  let seed = 1;
  let steady = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (a === '--steady') {
      steady = true;
      continue;
    }
    if ((a === '--size' || a === '--out' || a === '--seed') && v === undefined) {
      process.stderr.write(`${a} needs a value\n${USAGE}`);
      return 2;
    }
    if (a === '--size' && v !== undefined) size = parseSize(v);
    else if (a === '--out' && v !== undefined) out = v;
    else if (a === '--seed' && v !== undefined) seed = Number.parseInt(v, 10);
    else {
      process.stderr.write(`unknown argument "${a}"\n${USAGE}`);
      return 2;
    }
    i++;
  }
  if (out === undefined) {
    process.stderr.write(`--out is required\n${USAGE}`);
    return 2;
  }
  const t0 = performance.now();
  const r = generateTrace({ size, seed, out, steady });
  const s = (performance.now() - t0) / 1000;
  process.stderr.write(`${r.path}: ${r.bytes} bytes, ${r.lines} lines, ${r.processes} processes, ${r.tasks} threads, in ${s.toFixed(1)} s\n`);
  return 0;
}

const self = process.argv[1];
if (self !== undefined && import.meta.url === pathToFileURL(self).href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  }
}
