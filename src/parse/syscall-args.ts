// System call arguments as the model needs them (SPEC §1 effects), read from the bounds an ArgScan
// found. strace prints flags by name and ltrace -S as raw integers; FlagTable.read reads both, so one
// decoder serves both parsers.
import type { TraceEvent } from './events.js';
import { BITS, CLONE, isSpawn, MAP, MREMAP, OPEN, PROT, type SyscallDef } from './grammar.js';
import { ArgScan, decodeQuoted, type FlagTable, decorationOf, namedValue, parseIntAt, splitArgs } from './scan.js';

/** The clone flags a call that spawns implies when it shows none: pthread_create, fork, vfork. */
export function effectFlags(effect: string | null): number {
  if (effect === 'thread') return BITS.CLONE_VM | BITS.CLONE_THREAD | BITS.CLONE_FILES;
  if (effect === 'vfork') return BITS.CLONE_VM | BITS.CLONE_VFORK;
  return 0;
}

/** A clone's flags (named "flags=" for clone3, positional otherwise), or what fork/vfork imply. */
export function spawnFlags(def: SyscallDef, args: string): number {
  if (def.effect !== 'clone') return effectFlags(def.effect);
  const named = def.namedFlags ? namedValue(args, def.namedFlags) : null;
  if (named !== null) return CLONE.read(named);
  const pos = def.args.flags;
  if (pos === undefined) return 0;
  const parts = splitArgs(args, 0, args.length);
  return CLONE.read(parts[pos] ?? '');
}

function has(args: ArgScan, pos: number | undefined): pos is number {
  return pos !== undefined && pos < args.count;
}

/** Argument `pos` as a number (NaN when absent or not one); u holds the line's code units. */
export function argNum(args: ArgScan, line: string, pos: number | undefined, u: Uint16Array): number {
  return has(args, pos) ? parseIntAt(line, args.bounds[2 * pos] as number, u, args.bounds[2 * pos + 1] as number) : NaN;
}

function flagsAt(args: ArgScan, line: string, pos: number | undefined, table: FlagTable, u: Uint16Array): number {
  const b = args.bounds;
  return has(args, pos) ? table.read(line, b[2 * pos] as number, b[2 * pos + 1] as number, u) : 0;
}

/** The -y name on argument `pos`, which holds descriptor `fd`. */
function decorationAt(args: ArgScan, line: string, pos: number | undefined, fd: number, u: Uint16Array): string | null {
  return has(args, pos) ? args.decoration(line, pos, fd, u) : null;
}

function textAt(args: ArgScan, line: string, pos: number | undefined): string | undefined {
  const b = args.bounds;
  return has(args, pos) ? line.slice(b[2 * pos] as number, b[2 * pos + 1] as number) : undefined;
}

/**
 * Fill the event's fields from the arguments the grammar names (bounds from `args`, set by
 * the scan that found the call's close). u holds the line's code units, in a CodeUnits of the
 * caller's own: the shared one (codesOf) is reloaded by the calls on other text made here. False
 * when a needed one is unreadable.
 */
export function decodeSyscallArgs(
  e: TraceEvent, def: SyscallDef, line: string, args: ArgScan, open: number, close: number, u: Uint16Array,
): boolean {
  const a = def.args;
  if (isSpawn(def)) {
    e.flags = spawnFlags(def, line.slice(open + 1, close));
    return true;
  }
  switch (def.effect) {
    case 'brk':
      e.addr = argNum(args, line, a.addr, u);
      return true;
    case 'map':
      e.addr = argNum(args, line, a.addr, u);
      e.length = argNum(args, line, a.length, u);
      e.prot = flagsAt(args, line, a.prot, PROT, u);
      e.flags = flagsAt(args, line, a.flags, MAP, u);
      e.fd = argNum(args, line, a.fd, u);
      e.fdName = e.fd >= 0 ? decorationAt(args, line, a.fd, e.fd, u) : null;
      return !Number.isNaN(e.length);
    case 'unmap':
    case 'advise':
      e.addr = argNum(args, line, a.addr, u);
      e.length = argNum(args, line, a.length, u);
      return !Number.isNaN(e.addr) && !Number.isNaN(e.length);
    case 'protect':
      e.addr = argNum(args, line, a.addr, u);
      e.length = argNum(args, line, a.length, u);
      e.prot = flagsAt(args, line, a.prot, PROT, u);
      return !Number.isNaN(e.addr) && !Number.isNaN(e.length);
    case 'remap':
      e.addr = argNum(args, line, a.addr, u);
      e.length = argNum(args, line, a.length, u);
      e.newLength = argNum(args, line, a.newLength, u);
      e.flags = flagsAt(args, line, a.flags, MREMAP, u);
      return !Number.isNaN(e.addr) && !Number.isNaN(e.length) && !Number.isNaN(e.newLength);
    case 'self':
    case 'exit':
    case 'exitGroup':
      e.code = argNum(args, line, a.code, u);
      return true;
    case 'exec': {
      const p = textAt(args, line, a.path);
      e.path = p === undefined ? null : decodeQuoted(p);
      const argv = textAt(args, line, a.argv);
      e.argv = argv === undefined ? null : decodeArgv(argv);
      return true;
    }
    case 'open': {
      const p = textAt(args, line, a.path);
      e.path = p === undefined ? null : decodeQuoted(p);
      const named = def.namedFlags === null ? null : namedValue(line.slice(open + 1, close), def.namedFlags);
      e.flags = named === null ? flagsAt(args, line, a.flags, OPEN, u) : OPEN.read(named);
      return e.path !== null;
    }
    case 'close':
    case 'read':
    case 'accept':
    case 'dup':
    case 'fcntl':
      e.fd = argNum(args, line, a.fd, u);
      e.fdName = decorationAt(args, line, a.fd, e.fd, u);
      if (a.newFd !== undefined) e.newFd = argNum(args, line, a.newFd, u);
      if (def.effect === 'dup' || def.effect === 'accept') e.flags = flagsAt(args, line, a.flags, OPEN, u);
      if (a.cmd !== undefined) {
        const cmd = textAt(args, line, a.cmd) ?? '';
        e.flags = cmd.startsWith('F_DUPFD_CLOEXEC') ? BITS.F_DUPFD_CLOEXEC : cmd.startsWith('F_DUPFD') ? BITS.F_DUPFD : parseIntAt(cmd);
      }
      return !Number.isNaN(e.fd);
    case 'pipe': {
      const list = textAt(args, line, a.fds) ?? '';
      const inner = list.startsWith('[') ? splitArgs(list, 1, list.length - 1) : [];
      e.fds = inner.map((x) => parseIntAt(x));
      e.fdNames = inner.map((x) => decorationOf(x));
      e.flags = flagsAt(args, line, a.flags, OPEN, u);
      return true;
    }
    case 'socket':
      e.path = textAt(args, line, a.domain) ?? null;
      return true;
    default:
      return true;
  }
}

/** ["echo", "from-vfork"] as printed by strace (possibly abbreviated with ...), decoded. */
function decodeArgv(text: string): string[] | null {
  if (!text.startsWith('[')) return null;
  const end = text.lastIndexOf(']');
  const items = splitArgs(text, 1, end < 0 ? text.length : end);
  const out: string[] = [];
  for (const item of items) {
    const s = decodeQuoted(item);
    if (s !== null) out.push(s);
  }
  return out;
}
