// Which strace, and which of its options: found on PATH, probed once, and turned into the flags the
// model needs. Probing uses strace's own option parser: `strace OPTIONS -V` parses every option
// before -V and exits 0, or exits 1 on one it does not know, without tracing anything.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { SYSCALL_DEFS } from '../parse/grammar.js';
import { HeaptraceError } from '../errors.js';
import { MESSAGES } from '../messages.js';

/** The absolute path of an executable named `name` on PATH, or null. */
export function findExecutable(name: string, path: string | undefined): string | null {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** What the installed strace can do. */
export interface StraceFeatures {
  path: string;
  /** The first line of `strace -V`. */
  version: string;
  /** `-e trace=?NAME`: names this architecture lacks are skipped instead of rejected. */
  optionalNames: boolean;
  /** `--seccomp-bpf`: untraced calls never stop the program (strace 5.3+). */
  seccomp: boolean;
  /** `--kill-on-exit`: the kernel kills every tracee if strace dies. */
  killOnExit: boolean;
}

function accepts(path: string, args: string[]): boolean {
  const r = spawnSync(path, [...args, '-V'], { stdio: ['ignore', 'ignore', 'ignore'], timeout: 10_000 });
  return r.status === 0;
}

/** The calls the model reads (grammars/syscalls.json), each marked optional when strace allows it. */
export function traceFilter(optionalNames: boolean): string {
  const names = [...SYSCALL_DEFS.keys()].sort();
  return 'trace=' + names.map((n) => (optionalNames ? '?' + n : n)).join(',');
}

/** Find strace and probe its options; HT_NO_STRACE when it is missing or does not run. */
export function probeStrace(path: string | undefined): StraceFeatures {
  const found = findExecutable('strace', path);
  if (found === null) throw new HeaptraceError('HT_NO_STRACE', MESSAGES.noStrace);
  const v = spawnSync(found, ['-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  if (v.status !== 0) throw new HeaptraceError('HT_NO_STRACE', MESSAGES.straceBroken(found, (v.stderr || String(v.error ?? v.status)).trim()));
  const version = (v.stdout.split('\n')[0] ?? '').trim();
  return {
    path: found,
    version,
    optionalNames: accepts(found, ['-e', 'trace=?brk']),
    seccomp: accepts(found, ['-f', '--seccomp-bpf']),
    killOnExit: accepts(found, ['--kill-on-exit']),
  };
}

/**
 * strace's arguments before the program: follow forks, epoch timestamps (to place /proc samples on
 * the same clock), descriptor paths, only the calls the model reads, and the cheaper or safer
 * options where this strace has them. Not -T: the model does not use call durations.
 */
export function straceArgs(f: StraceFeatures, output: string): string[] {
  const args = ['-f', '-ttt', '-y', '-o', output];
  // Without ?NAME the list would be rejected for a name this architecture lacks (mmap2 on x86-64):
  // then trace everything, slower but complete.
  if (f.optionalNames) args.push('-e', traceFilter(true));
  if (f.seccomp && f.optionalNames) args.push('--seccomp-bpf');
  if (f.killOnExit) args.push('--kill-on-exit');
  return args;
}
