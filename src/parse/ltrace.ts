// The ltrace line parser: one line in, zero or more events out, with the same interface and event
// type as StraceParser, so the model and everything downstream take either.
//
// ltrace's lines: an optional pid ("PID " with -o, "[pid N] " on stderr), timestamp (-t/-tt/-ttt/-r),
// return address ("[0x…] ", -i), then a library call "[lib->]name[@lib](args) = ret [<secs>]", a
// system call "SYS_name(raw ints) = raw ret" (-S), "--- SIG… (text) ---", "--- Called exec() ---" or
// "+++ exited (status N) +++". Calls that other calls interrupt are left "<unfinished ...>" and
// closed by "<... name resumed> ) = ret"; unlike strace, ltrace nests them, so each thread keeps a
// stack. What the calls mean comes from grammars/libcalls.json (and syscalls.json for -S lines).
import { EVENT, TraceEvent } from './events.js';
import {
  isHeapCall, lookupLibcall, lookupSyscall, type LibArgRole, type LibcallDef, type SyscallDef,
} from './grammar.js';
import { ArgScan, CH, decodeQuoted, detach, isDigit, returnAt, pageUp, parseIntAt, skipString, UNFINISHED } from './scan.js';
import { LineParser, Status, type LtraceCalls, type TraceParser } from './parser.js';
import { decodeSyscallArgs, effectFlags, spawnFlags } from './syscall-args.js';

interface Pending {
  /** The call's name as its "<... NAME resumed>" line will give it (library decorations removed). */
  name: string;
  /** Arguments printed before "<unfinished ...>". */
  args: string;
  /** An allocation call: calls it makes itself (the libc symbol behind a PLT entry) are its own work. */
  heap: boolean;
}

const NO_RETURN = '<no return ...>';
/** -S prints system call returns raw: -4095 … -1 (or the same as an unsigned address) are -errno. */
const MAX_ERRNO = 4095;
const ERRNO_AS_ADDRESS = 2 ** 64 - MAX_ERRNO - 1;
const AT = 64; // '@'

/** System call effects an -S line feeds to the address-space model; the rest are ltrace's business. */
const SYSCALL_EFFECTS = new Set(['brk', 'map', 'unmap', 'protect', 'remap', 'advise', 'clone', 'fork', 'vfork']);

export class LtraceParser extends LineParser implements TraceParser {
  // ltrace has no messages of its own in the log, no summary tables: these stay at their defaults.
  readonly straceMessages = 0;
  readonly lastStraceMessage = '';
  readonly sawSummary = false;
  /** Allocation calls (malloc … operator delete) seen: none means ltrace could not see them. */
  heapCalls = 0;
  /** -S system call lines seen: the log shows mapped bytes beside requested ones. */
  syscalls = 0;

  override get ltraceCalls(): LtraceCalls {
    return { heap: this.heapCalls, syscalls: this.syscalls };
  }

  private readonly pending = new Map<number, Pending[]>();
  private readonly event = new TraceEvent();
  private readonly args = new ArgScan();

  push(text: string): void {
    this.tally(this.parseLine(this.take(text)));
  }

  end(): void {
    this.noteTruncation(false);
    let open = 0;
    for (const stack of this.pending.values()) open += stack.length;
    if (open > 0) this.problems.add('HT_UNFINISHED_AT_END', `${this.source}:${this.lineNo}`, open);
    this.pending.clear();
  }

  private parseLine(line: string): Status {
    const n = line.length;
    if (n === 0) return Status.Ignored;
    let i = 0;
    let tid = this.defaultTid;
    if (line.startsWith('[pid ')) {
      i = 5;
      while (line.charCodeAt(i) === CH.SPACE) i++;
      const start = i;
      let v = 0;
      for (; i < n && isDigit(line.charCodeAt(i)); i++) v = v * 10 + line.charCodeAt(i) - CH.ZERO;
      if (i === start || line.charCodeAt(i) !== CH.RBRACKET) return Status.Unparsed;
      tid = v;
      i++;
    } else if (isDigit(line.charCodeAt(0))) {
      let j = 0;
      let v = 0;
      for (; j < n && isDigit(line.charCodeAt(j)); j++) v = v * 10 + line.charCodeAt(j) - CH.ZERO;
      // "PID " (-o with -f); a number followed by anything else is a timestamp, read below.
      if (line.charCodeAt(j) === CH.SPACE) {
        tid = v;
        i = j;
      }
    }
    while (i < n && line.charCodeAt(i) === CH.SPACE) i++;
    let time = NaN;
    if (isDigit(line.charCodeAt(i))) {
      const end = this.clock.read(line, i);
      if (end > i) {
        time = this.clock.value;
        i = end;
        while (i < n && line.charCodeAt(i) === CH.SPACE) i++;
      }
    }
    // -i: the caller's address.
    if (line.startsWith('[0x', i)) {
      const close = line.indexOf(']', i);
      if (close < 0) return Status.Unparsed;
      i = close + 1;
      while (i < n && line.charCodeAt(i) === CH.SPACE) i++;
    }
    if (i >= n) return Status.Unparsed;
    if (line.startsWith('<... ', i)) return this.parseResumed(line, i, tid, time);
    if (line.startsWith('+++ ', i)) return this.parseExit(line, i, tid, time);
    if (line.startsWith('--- ', i)) return this.parseSignal(line, i, tid, time);
    if (line.startsWith('unexpected breakpoint at ', i)) {
      // ltrace's own complaint, in the log: it lost track of a breakpoint and the tracee may crash.
      this.problems.add('HT_LTRACE_BROKE_TRACEE', `${this.source}:${this.lineNo}`);
      return Status.Ignored;
    }

    let open = line.indexOf('(', i);
    if (open <= i) return Status.Unparsed;
    // The scan that finds the arguments' close also splits them (parseCall uses it), except for a
    // demangled C++ name, which carries its own parameter list: "operator new(unsigned long)(40, …)".
    let close = this.args.scan(line, open + 1);
    if (close >= 0 && line.charCodeAt(close + 1) === CH.LPAREN) {
      open = close + 1;
      close = this.args.scan(line, open + 1);
    }
    let nameStart = i;
    let nameEnd = open;
    // "prog->malloc" (the PLT of prog, with -e) and "malloc@libc.so.6" (the symbol, with -x).
    for (let k = i; k < open; k++) {
      const c = line.charCodeAt(k);
      if (c === CH.MINUS && line.charCodeAt(k + 1) === CH.GT) nameStart = k + 2;
      else if (c === AT && nameEnd === open) nameEnd = k;
    }
    if (nameEnd <= nameStart) return Status.Unparsed;
    return this.parseCall(line, nameStart, nameEnd, open, close, tid, time, false);
  }

  private parseResumed(line: string, i: number, tid: number, time: number): Status {
    const mark = line.indexOf(' resumed>', i);
    if (mark < 0) return Status.Unparsed;
    const name = line.slice(i + 5, mark);
    const stack = this.pending.get(tid);
    let k = stack === undefined ? -1 : stack.length - 1;
    while (k >= 0 && (stack as Pending[])[k]?.name !== name) k--;
    if (k < 0) {
      if (this.known(name, 0, name.length)) this.problems.add('HT_ORPHAN_RESUMED', `${this.source}:${this.lineNo}`);
      return Status.Parsed;
    }
    const pending = (stack as Pending[]).splice(k, 1)[0] as Pending;
    if ((stack as Pending[]).length === 0) this.pending.delete(tid);
    const combined = name + '(' + pending.args + line.slice(mark + 9);
    return this.parseCall(combined, 0, name.length, name.length, this.args.scan(combined, name.length + 1), tid, time, true);
  }

  private known(line: string, start: number, end: number): boolean {
    if (line.startsWith('SYS_', start)) return lookupSyscall(line, start + 4, end) !== undefined;
    return lookupLibcall(line, start, end) !== undefined;
  }

  private parseExit(line: string, i: number, tid: number, time: number): Status {
    const body = line.slice(i + 4);
    const e = this.start(tid, time);
    let m: RegExpExecArray | null;
    if ((m = /^exited \(status (-?\d+)\) \+\+\+/.exec(body)) !== null) {
      e.type = EVENT.EXITED;
      e.code = Number(m[1]);
    } else if ((m = /^killed by (SIG[A-Z0-9+-]+)/.exec(body)) !== null) {
      e.type = EVENT.KILLED;
      e.signal = m[1] ?? null;
    } else {
      return Status.Unparsed;
    }
    this.pending.delete(tid);
    return this.send(e);
  }

  private parseSignal(line: string, i: number, tid: number, time: number): Status {
    const rest = line.slice(i);
    if (rest.startsWith('--- Called exec() ---')) {
      // ltrace saw the process exec: a new program, a new address space.
      const e = this.start(tid, time);
      e.name = 'execve';
      e.effect = 'exec';
      this.pending.delete(tid);
      return this.send(e);
    }
    const m = /^--- (SIG[A-Z0-9+-]+)/.exec(rest);
    if (m === null) return rest.trimEnd().endsWith('---') ? Status.Ignored : Status.Unparsed;
    const e = this.start(tid, time);
    e.type = EVENT.SIGNAL;
    e.signal = m[1] ?? null;
    return this.send(e);
  }

  private start(tid: number, time: number): TraceEvent {
    const e = this.event.reset();
    e.tid = tid;
    e.time = time;
    e.source = this.source;
    e.line = this.lineNo;
    return e;
  }

  private send(e: TraceEvent): Status {
    this.counts.events++;
    this.emit(e);
    return Status.Parsed;
  }

  /** A call whose arguments this.args has just scanned from `open`; `close` is where they end (-1: unfinished). */
  private parseCall(
    line: string, nameStart: number, nameEnd: number, open: number, close: number, tid: number, time: number, resumed: boolean,
  ): Status {
    const sys = line.startsWith('SYS_', nameStart);
    if (sys && !resumed) this.syscalls++;
    const sysDef = sys ? lookupSyscall(line, nameStart + 4, nameEnd) : undefined;
    const lib = sys ? undefined : lookupLibcall(line, nameStart, nameEnd);
    if (close < 0) {
      const trimmed = line.trimEnd();
      if (trimmed.endsWith(UNFINISHED) && !resumed) {
        let argsEnd = trimmed.length - UNFINISHED.length;
        while (argsEnd > open + 1 && line.charCodeAt(argsEnd - 1) === CH.SPACE) argsEnd--;
        let stack = this.pending.get(tid);
        if (!stack) {
          stack = [];
          this.pending.set(tid, stack);
        }
        // Copies, not views: a view would keep its whole chunk of input alive until the call resumes.
        stack.push({ name: detach(line.slice(nameStart, nameEnd)), args: detach(line.slice(open + 1, argsEnd)), heap: lib !== undefined && isHeapCall(lib) });
        const spawner = lib ?? sysDef;
        if (spawner && (spawner.effect === 'thread' || spawner.effect === 'fork' || spawner.effect === 'vfork' || spawner.effect === 'clone')) {
          // The child may run before the call returns: the model adopts it with these flags
          // (-S's SYS_clone shows them before "<unfinished ...>").
          const e = this.start(tid, time);
          e.type = EVENT.SPAWN_START;
          e.name = spawner.name;
          e.effect = spawner.effect;
          e.flags = sysDef !== undefined ? spawnFlags(sysDef, line.slice(open + 1, argsEnd)) : effectFlags(spawner.effect);
          this.send(e);
        }
        return Status.Parsed;
      }
      // The call never returned (exit, a crash inside it, a longjmp): it changed nothing we can know.
      if (trimmed.endsWith(NO_RETURN)) return Status.Parsed;
      return Status.Unparsed;
    }
    const i = returnAt(line, close);
    const n = line.length;
    if (i < 0) return Status.Unparsed;
    // ltrace sometimes prints no value at all (seen on a restarted system call): nothing to apply.
    if (i >= n) return Status.Ignored;
    if (lib === undefined && (sysDef === undefined || !SYSCALL_EFFECTS.has(sysDef.effect))) return Status.Parsed;
    const ret = line.startsWith('<void>', i) ? NaN : parseIntAt(line, i);
    const e = this.start(tid, time);
    if (sysDef !== undefined) {
      if (!this.syscallEvent(e, sysDef, line, ret, open, close)) return this.badArgs();
      return this.send(e);
    }
    const def = lib as LibcallDef;
    if (isHeapCall(def)) {
      this.heapCalls++;
      // The same allocation seen twice (the program's PLT call and the libc symbol it enters), or
      // an allocator calling itself: the outermost call is the one the program made.
      if (this.pending.get(tid)?.some((p) => p.heap)) return Status.Parsed;
    }
    e.name = def.name;
    e.effect = def.effect;
    e.ret = ret;
    if (!this.libcallEvent(e, def, line)) return this.badArgs();
    return this.send(e);
  }

  private badArgs(): Status {
    this.problems.add('HT_BAD_ARGS', `${this.source}:${this.lineNo}`);
    return Status.Parsed;
  }

  private text(line: string, pos: number | undefined): string | null {
    if (pos === undefined || pos >= this.args.count) return null;
    return line.slice(this.args.bounds[2 * pos] as number, this.args.bounds[2 * pos + 1] as number);
  }

  private num(line: string, pos: number | undefined): number {
    if (pos === undefined || pos >= this.args.count) return NaN;
    return parseIntAt(line, this.args.bounds[2 * pos] as number);
  }

  private arg(line: string, def: LibcallDef, role: LibArgRole): number {
    return this.num(line, def.args[role]);
  }

  /** Fill a library call's event from the roles grammars/libcalls.json names; false when one is unreadable. */
  private libcallEvent(e: TraceEvent, def: LibcallDef, line: string): boolean {
    const ret = e.ret;
    switch (def.effect) {
      case 'alloc': {
        let size: number;
        if (def.args.string !== undefined) {
          size = this.stringBytes(line, def.args.string, true);
          const most = this.arg(line, def, 'size');
          if (!Number.isNaN(most)) size = Math.min(size, most);
          size += 1;
        } else {
          size = this.arg(line, def, 'size');
          if (def.args.count !== undefined) size *= this.arg(line, def, 'count');
        }
        if (def.roundToPage) size = pageUp(size);
        e.length = size;
        if (def.returnsStatus) {
          e.failed = ret !== 0;
          e.addr = outPointer(this.text(line, def.args.out));
        } else {
          e.failed = !(ret > 0);
          e.addr = ret;
        }
        return !Number.isNaN(size);
      }
      case 'realloc': {
        e.addr = this.arg(line, def, 'ptr');
        let size = this.arg(line, def, 'size');
        if (def.args.count !== undefined) size *= this.arg(line, def, 'count');
        e.length = size;
        // NULL with a size: the allocation failed and the old block is untouched.
        e.failed = ret === 0 && size > 0;
        return !Number.isNaN(e.addr) && !Number.isNaN(size) && !Number.isNaN(ret);
      }
      case 'free':
        e.addr = this.arg(line, def, 'ptr');
        return !Number.isNaN(e.addr);
      case 'fopen': {
        e.path = this.pathArg(line, def);
        e.stream = this.arg(line, def, 'stream');
        e.failed = !(ret > 0);
        return e.path !== null;
      }
      case 'fdopen':
        e.fd = this.arg(line, def, 'fd');
        e.failed = !(ret > 0);
        return !Number.isNaN(e.fd);
      case 'fclose':
        e.stream = this.arg(line, def, 'stream');
        return !Number.isNaN(e.stream);
      case 'open': {
        e.path = this.pathArg(line, def);
        e.failed = !(ret >= 0);
        return e.path !== null;
      }
      case 'close':
      case 'read':
        e.fd = this.arg(line, def, 'fd');
        e.failed = !(ret >= 0);
        return !Number.isNaN(e.fd);
      case 'fread': {
        e.stream = this.arg(line, def, 'stream');
        if (def.bytes === 'string') {
          // fgets returns its buffer, or NULL at the end of the stream; the buffer shows what it read.
          e.failed = !(ret > 0);
          e.length = e.failed ? 0 : this.stringBytes(line, def.args.string, false);
        } else {
          e.failed = !(ret >= 0);
          e.length = def.bytes === 'retTimesSize' ? ret * this.arg(line, def, 'size') : ret;
        }
        return !Number.isNaN(e.stream) && (e.failed || !Number.isNaN(e.length));
      }
      case 'thread':
        e.failed = ret !== 0;
        e.flags = effectFlags(def.effect);
        return true;
      case 'fork':
      case 'vfork':
        e.failed = !(ret >= 0);
        e.flags = effectFlags(def.effect);
        return true;
      default:
        return true;
    }
  }

  /** A path argument, decoded; one ltrace cut short (-s) keeps "..." at its end and is counted. */
  private pathArg(line: string, def: LibcallDef): string | null {
    const t = this.text(line, def.args.path);
    if (t === null) return null;
    const s = decodeQuoted(t);
    if (s === null || !t.startsWith('...', skipString(t, 0))) return s;
    this.problems.add('HT_LTRACE_CUT_STRING', `${this.source}:${this.lineNo}`);
    return s + '...';
  }

  /**
   * Bytes in a string argument, decoded. ltrace cuts long strings ("abc"...); for a copy (strdup)
   * that makes the size a lower bound, which is counted as a problem.
   */
  private stringBytes(line: string, pos: number | undefined, copy: boolean): number {
    const t = this.text(line, pos);
    if (t === null) return NaN;
    const s = decodeQuoted(t);
    if (s === null) return NaN;
    if (copy && t.startsWith('...', skipString(t, 0))) this.problems.add('HT_LTRACE_CUT_STRING', `${this.source}:${this.lineNo}`);
    return Buffer.byteLength(s, 'utf8');
  }

  /** An -S line: the arguments decode as strace's do; only the failure rule is ltrace's own. */
  private syscallEvent(e: TraceEvent, def: SyscallDef, line: string, ret: number, open: number, close: number): boolean {
    e.name = def.name;
    e.effect = def.effect;
    e.ret = ret;
    // -S prints returns raw: -errno, or the same as an unsigned address.
    e.failed = Number.isNaN(ret) || (ret < 0 && ret >= -MAX_ERRNO) || ret >= ERRNO_AS_ADDRESS;
    return decodeSyscallArgs(e, def, line, this.args, open, close, this.units(line));
  }
}

/** posix_memalign's out-parameter, when ltrace shows what it points to ("[0x…]"); NaN otherwise. */
function outPointer(text: string | null): number {
  if (text === null || text.charCodeAt(0) !== CH.LBRACKET) return NaN;
  return parseIntAt(text, 1);
}
