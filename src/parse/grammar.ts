// The syscall table from grammars/syscalls.json, as the parser and model use it: looked up once per
// call name through a Map built at start-up, never re-read per line.
import { SYSCALLS } from '../generated/syscalls.js';

type Table = typeof SYSCALLS.syscalls;
export type SyscallName = keyof Table;
export type Effect = Table[SyscallName]['effect'];
export type ArgRole =
  | 'addr' | 'length' | 'newLength' | 'prot' | 'flags' | 'fd' | 'newFd' | 'fds' | 'dirfd' | 'path' | 'argv' | 'cmd' | 'code' | 'domain';

export interface SyscallDef {
  readonly name: string;
  readonly effect: Effect;
  readonly args: Readonly<Partial<Record<ArgRole, number>>>;
  readonly namedFlags: string | null;
  readonly returns: 'address' | 'status' | 'pid' | 'fd' | 'count' | 'none';
}

export const SYSCALL_DEFS: ReadonlyMap<string, SyscallDef> = new Map(
  Object.entries(SYSCALLS.syscalls).map(([name, d]) => [
    name,
    {
      name,
      effect: d.effect,
      args: d.args as Partial<Record<ArgRole, number>>,
      namedFlags: 'namedFlags' in d ? d.namedFlags : null,
      returns: d.returns,
    },
  ]),
);

export const PROT: Readonly<Record<string, number>> = SYSCALLS.constants.prot;
export const MAP: Readonly<Record<string, number>> = SYSCALLS.constants.map;
export const MREMAP: Readonly<Record<string, number>> = SYSCALLS.constants.mremap;
export const CLONE: Readonly<Record<string, number>> = SYSCALLS.constants.clone;
export const OPEN: Readonly<Record<string, number>> = SYSCALLS.constants.open;
export const FCNTL: Readonly<Record<string, number>> = SYSCALLS.constants.fcntl;

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
 * The definition for the call name at line[start, end), without making a substring: candidates are
 * bucketed by name length and compared in place. Most lines name calls the model ignores, and
 * this rejects them with a length check and a character compare, with no substring to allocate
 * and hash per line.
 */
const BY_LENGTH: SyscallDef[][] = [];
for (const def of SYSCALL_DEFS.values()) (BY_LENGTH[def.name.length] ??= []).push(def);

export function lookupSyscall(line: string, start: number, end: number): SyscallDef | undefined {
  const bucket = BY_LENGTH[end - start];
  if (bucket === undefined) return undefined;
  for (const def of bucket) if (line.startsWith(def.name, start)) return def;
  return undefined;
}
