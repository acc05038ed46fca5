// The syscall table from grammars/syscalls.json, as the parser and model use it: looked up once per
// call name through a Map built at start-up, never re-read per line.
import { LIBCALLS } from '../generated/libcalls.js';
import { SYSCALLS } from '../generated/syscalls.js';
import { codesOf, FlagTable } from './scan.js';

type Table = typeof SYSCALLS.syscalls;
export type SyscallName = keyof Table;
type LibTable = typeof LIBCALLS.libcalls;
export type LibEffect = LibTable[keyof LibTable]['effect'];
/** What a call does to the model: a system call's effect, or a library call's (ltrace input). */
export type SyscallEffect = Table[SyscallName]['effect'];
export type Effect = SyscallEffect | LibEffect;
export type ArgRole =
  | 'addr' | 'length' | 'newLength' | 'prot' | 'flags' | 'fd' | 'newFd' | 'fds' | 'dirfd' | 'path' | 'argv' | 'cmd' | 'code' | 'domain';

export interface SyscallDef {
  readonly name: string;
  readonly effect: SyscallEffect;
  readonly args: Readonly<Partial<Record<ArgRole, number>>>;
  readonly namedFlags: string | null;
  readonly returns: 'address' | 'status' | 'pid' | 'fd' | 'count' | 'none';
}

const ARG_ROLES: readonly ArgRole[] = [
  'addr', 'length', 'newLength', 'prot', 'flags', 'fd', 'newFd', 'fds', 'dirfd', 'path', 'argv', 'cmd', 'code', 'domain',
];
const LIB_ARG_ROLES: readonly LibArgRole[] = ['size', 'count', 'ptr', 'out', 'string', 'path', 'stream', 'fd'];

/**
 * A call's argument positions with every role present, undefined where the call has none: all
 * calls' tables then share one object shape, and the decoder's reads of them stay monomorphic
 * (measured: a table per call's own set of keys made each read a megamorphic lookup).
 */
function everyRole<R extends string>(roles: readonly R[], args: Readonly<Partial<Record<R, number>>>): Readonly<Partial<Record<R, number>>> {
  const out: Partial<Record<R, number | undefined>> = {};
  for (const role of roles) out[role] = args[role];
  return out as Readonly<Partial<Record<R, number>>>;
}

export const SYSCALL_DEFS: ReadonlyMap<string, SyscallDef> = new Map(
  Object.entries(SYSCALLS.syscalls).map(([name, d]) => [
    name,
    {
      name,
      effect: d.effect,
      args: everyRole(ARG_ROLES, d.args as Partial<Record<ArgRole, number>>),
      namedFlags: 'namedFlags' in d ? d.namedFlags : null,
      returns: d.returns,
    },
  ]),
);

export const PROT = new FlagTable(SYSCALLS.constants.prot);
export const MAP = new FlagTable(SYSCALLS.constants.map);
export const MREMAP = new FlagTable(SYSCALLS.constants.mremap);
export const CLONE = new FlagTable(SYSCALLS.constants.clone);
export const OPEN = new FlagTable(SYSCALLS.constants.open);
export const FCNTL = new FlagTable(SYSCALLS.constants.fcntl);

export const BITS = {
  PROT_WRITE: SYSCALLS.constants.prot.PROT_WRITE,
  MAP_SHARED: SYSCALLS.constants.map.MAP_SHARED,
  MAP_PRIVATE: SYSCALLS.constants.map.MAP_PRIVATE,
  MAP_FIXED: SYSCALLS.constants.map.MAP_FIXED,
  MAP_ANONYMOUS: SYSCALLS.constants.map.MAP_ANONYMOUS,
  MAP_GROWSDOWN: SYSCALLS.constants.map.MAP_GROWSDOWN,
  MREMAP_DONTUNMAP: SYSCALLS.constants.mremap.MREMAP_DONTUNMAP,
  CLONE_VM: SYSCALLS.constants.clone.CLONE_VM,
  CLONE_FILES: SYSCALLS.constants.clone.CLONE_FILES,
  CLONE_THREAD: SYSCALLS.constants.clone.CLONE_THREAD,
  CLONE_VFORK: SYSCALLS.constants.clone.CLONE_VFORK,
  O_CLOEXEC: SYSCALLS.constants.open.O_CLOEXEC,
  F_DUPFD: SYSCALLS.constants.fcntl.F_DUPFD,
  F_DUPFD_CLOEXEC: SYSCALLS.constants.fcntl.F_DUPFD_CLOEXEC,
} as const;

/** clone, clone3, fork, vfork: calls whose child may appear before they return. */
export function isSpawn(def: SyscallDef): boolean {
  return def.effect === 'clone' || def.effect === 'fork' || def.effect === 'vfork';
}

/**
 * Definitions found by the call name at line[start, end) without making a substring. The name's
 * characters are hashed in place and looked up in a small open-addressed table; only a definition
 * whose hash matches is compared as text. Most lines name calls the model ignores (write, futex,
 * poll, …), and those are turned away by the hash alone, with no string compared at all.
 */
class NameTable<T extends { readonly name: string }> {
  private readonly hashes: Int32Array;
  private readonly defs: (T | undefined)[];
  private readonly mask: number;

  constructor(defs: Iterable<T>) {
    const list = [...defs];
    // A quarter full at most: a name that is not there mostly meets an empty slot at once.
    let size = 64;
    while (size < list.length * 4) size *= 2;
    this.mask = size - 1;
    this.hashes = new Int32Array(size);
    this.defs = new Array<T | undefined>(size).fill(undefined);
    for (const def of list) {
      const h = nameHash(codesOf(def.name), 0, def.name.length);
      let k = h & this.mask;
      while (this.defs[k] !== undefined) k = (k + 1) & this.mask;
      this.hashes[k] = h;
      this.defs[k] = def;
    }
  }

  lookup(line: string, start: number, end: number, u: Uint16Array): T | undefined {
    const h = nameHash(u, start, end);
    for (let k = h & this.mask; ; k = (k + 1) & this.mask) {
      const def = this.defs[k];
      if (def === undefined) return undefined;
      if (this.hashes[k] === h && def.name.length === end - start && line.startsWith(def.name, start)) return def;
    }
  }
}

/** A hash of the code units u[from, to). */
function nameHash(u: Uint16Array, from: number, to: number): number {
  let h = to - from;
  for (let i = from; i < to; i++) h = (Math.imul(h, 31) + (u[i] as number)) | 0;
  return h ^ (h >>> 13);
}

const SYSCALL_NAMES = new NameTable(SYSCALL_DEFS.values());

/**
 * The system call named line[start, end), or undefined when the model does not need it; u holds
 * the line's code units (the shared ones of codesOf when not given).
 */
export function lookupSyscall(line: string, start: number, end: number, u: Uint16Array = codesOf(line)): SyscallDef | undefined {
  return SYSCALL_NAMES.lookup(line, start, end, u);
}

export type LibArgRole = 'size' | 'count' | 'ptr' | 'out' | 'string' | 'path' | 'stream' | 'fd';

/** A library call as grammars/libcalls.json describes it (ltrace input). */
export interface LibcallDef {
  readonly name: string;
  readonly effect: LibEffect;
  readonly args: Readonly<Partial<Record<LibArgRole, number>>>;
  /** The call reports success as 0 and hands its block back through an out-parameter (posix_memalign). */
  readonly returnsStatus: boolean;
  readonly roundToPage: boolean;
  readonly bytes: 'ret' | 'retTimesSize' | 'string' | null;
}

export const LIBCALL_DEFS: ReadonlyMap<string, LibcallDef> = new Map(
  Object.entries(LIBCALLS.libcalls).map(([name, d]) => [
    name,
    {
      name,
      effect: d.effect,
      args: everyRole(LIB_ARG_ROLES, d.args as Partial<Record<LibArgRole, number>>),
      returnsStatus: 'returns' in d && d.returns === 'status',
      roundToPage: 'roundToPage' in d && d.roundToPage === true,
      bytes: 'bytes' in d ? d.bytes : null,
    },
  ]),
);

/** Calls that allocate, resize or free heap blocks. */
export function isHeapCall(def: LibcallDef): boolean {
  return def.effect === 'alloc' || def.effect === 'realloc' || def.effect === 'free';
}

const LIBCALL_NAMES = new NameTable(LIBCALL_DEFS.values());

/** The library call named line[start, end), found in place like lookupSyscall. */
export function lookupLibcall(line: string, start: number, end: number, u: Uint16Array = codesOf(line)): LibcallDef | undefined {
  return LIBCALL_NAMES.lookup(line, start, end, u);
}
