// One traced run: strace starts the program, its trace streams through a pipe of its own into the
// same pipeline `heaptrace report` uses, and every exit path leaves no traced process behind.
//
// Signals: strace, the program and heaptrace share the terminal's process group, so Ctrl-C reaches
// the program exactly as without heaptrace; heaptrace only notes it and goes on reading until the
// program has ended. strace blocks fatal signals itself (its default with -o FILE PROG). SIGTERM and
// SIGHUP sent to heaptrace alone are passed on to the program, once its pid is known if they come
// before the first trace event.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, openSync, readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { PassThrough, pipeline, type Readable, type Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { analyzeSources } from '../analyze.js';
import { HeaptraceError } from '../errors.js';
import { MESSAGES, PROBLEMS } from '../messages.js';
import { streamSource } from '../parse/input.js';
import type { Report } from '../report/types.js';
import { Live, type RunProgress } from './live.js';
import { openTracePipe, type TracePipe } from './pipe.js';
import { ResidentSampler } from './smaps.js';
import { straceArgs, type StraceFeatures } from './strace.js';

/** Where the program's standard streams come from and go: inherited descriptors, or streams to pipe. */
export interface ProgramStdio {
  stdin: number | Readable;
  stdout: number | Writable;
  stderr: number | Writable;
}

export type { RunProgress } from './live.js';

export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface RunOptions {
  command: readonly string[];
  features: StraceFeatures;
  env: Readonly<Record<string, string | undefined>>;
  stdio: ProgramStdio;
  strict: boolean;
  /** Keep the raw trace in this file, gzip when it ends in .gz. */
  saveTrace?: string | undefined;
  /** Sample /proc/PID/smaps_rollup this often (ms); null for no sampling. */
  smapsMs: number | null;
  signals?: SignalSource | undefined;
  /** Called every progressMs while the program runs. */
  onProgress?: ((p: RunProgress) => void) | undefined;
  progressMs?: number;
}

export interface RunResult {
  /** Marked partial (input.partial, a warning) when interrupted or when strace ended first. */
  report: Report;
  /**
   * How the program (the first process in the trace) ended: its exit code, or the signal that
   * killed it; null when the trace never showed it end (strace died first), so it is unknown.
   */
  exit: { code: number | null; signal: string | null } | null;
  /** How strace itself ended. */
  tracer: { code: number | null; signal: string | null };
  /** Traced processes still alive when strace was gone, which heaptrace killed. */
  killedLeftovers: number[];
}

const INTERRUPTS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The start time of a process (clock ticks since boot), or null when it no longer exists. */
function startTicks(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X') return null;
  const v = Number(fields[19]);
  return Number.isFinite(v) ? v : null;
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      // strace could not be started at all: there is no exit to wait for.
      child.once('error', () => resolve({ code: null, signal: null }));
    }
  });
}

/** The copy of the raw trace that --save-trace keeps. */
interface SavedTrace {
  /** Where the trace is teed to: the file, or the gzip stream in front of it. */
  input: Writable;
  /** Settles when the file is written and closed (null), or on the first error writing it. */
  done: Promise<Error | null>;
  abort(): void;
}

/** A warning only `run` gives, after the analysis (not an input problem: the report's data is whole). */
export const SAVE_TRACE_FAILED = 'HT_SAVE_TRACE_FAILED';

/** Open --save-trace before anything runs: a bad path fails fast, without starting the program. */
function openSaved(file: string): SavedTrace {
  let fd: number;
  try {
    fd = openSync(file, 'w');
  } catch (err) {
    throw new HeaptraceError('HT_OUTPUT', `cannot write ${file}: ${(err as Error).message}`);
  }
  const out = createWriteStream('', { fd });
  if (!file.endsWith('.gz')) {
    const done = new Promise<Error | null>((resolve) => {
      out.once('close', () => resolve(null));
      out.once('error', resolve);
    });
    return { input: out, done, abort: () => out.destroy() };
  }
  const gz = createGzip();
  // pipeline, not gz.pipe(out): an error writing the file must destroy the gzip stream too, or
  // gzip's full buffer would hold back the trace pipe, the analysis and strace with it.
  const done = new Promise<Error | null>((resolve) => pipeline(gz, out, (err) => resolve(err ?? null)));
  return {
    input: gz,
    done,
    abort: () => {
      gz.destroy();
      out.destroy();
    },
  };
}

export async function runTraced(o: RunOptions): Promise<RunResult> {
  const saved = o.saveTrace !== undefined ? openSaved(o.saveTrace) : null;
  let pipe: TracePipe;
  try {
    pipe = openTracePipe();
  } catch (err) {
    saved?.abort();
    throw err;
  }
  const live = new Live();
  let interrupted: NodeJS.Signals | null = null;
  let child: ChildProcess | null = null;
  let straceStart: number | null = null;

  /** Pass a signal on to the program; false while its pid is not known yet (no trace event so far). */
  const forward = (signal: NodeJS.Signals): boolean => {
    const pid = live.rootPid;
    if (pid === null) return false;
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
    return true;
  };
  /** Checks for the program's pid while a signal waits to be passed on. */
  let pendingTimer: NodeJS.Timeout | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted ??= signal;
    // Ctrl-C already reached the whole process group; other signals were meant for heaptrace alone.
    if (signal === 'SIGINT' || forward(signal) || pendingTimer !== null) return;
    // Before the first trace event: remembered, and passed on as soon as the program is known.
    pendingTimer = setInterval(() => {
      if (!forward(signal) || pendingTimer === null) return;
      clearInterval(pendingTimer);
      pendingTimer = null;
    }, 10);
  };
  for (const s of INTERRUPTS) o.signals?.on(s, onSignal);

  /** Kill every traced process still alive that began after strace did (so not a reused pid). */
  const killLeftovers = (): number[] => {
    const killed: number[] = [];
    if (straceStart === null) return killed;
    for (const [proc, tids] of live.threadsByProcess()) {
      // One kill per process, by its pid; a process whose first thread has ended is a zombie
      // leader (no start time to check), and any of its running threads names it as well.
      for (const id of [proc.pid, ...tids]) {
        const t = startTicks(id);
        if (t === null || t < straceStart || id === process.pid || id === child?.pid) continue;
        try {
          process.kill(id, 'SIGKILL');
          killed.push(proc.pid);
          break;
        } catch {
          // exited meanwhile
        }
      }
    }
    return killed;
  };

  const sampler = o.smapsMs !== null ? new ResidentSampler(o.smapsMs, () => [...live.processes()].map((p) => p.pid)) : null;
  let progressTimer: NodeJS.Timeout | null = null;
  const began = Date.now();
  try {
    const stdio = o.stdio;
    child = spawn(o.features.path, [...straceArgs(o.features, pipe.path), '--', ...o.command], {
      stdio: [
        typeof stdio.stdin === 'number' ? stdio.stdin : 'pipe',
        typeof stdio.stdout === 'number' ? stdio.stdout : 'pipe',
        typeof stdio.stderr === 'number' ? stdio.stderr : 'pipe',
      ],
      env: o.env as NodeJS.ProcessEnv,
    });
    const spawned = child;
    const spawnError = new Promise<never>((_, reject) =>
      spawned.once('error', (err) => reject(new HeaptraceError('HT_RUN_FAILED', MESSAGES.straceFailed(o.features.path, err.message)))),
    );
    spawnError.catch(() => undefined);
    if (spawned.pid !== undefined) straceStart = startTicks(spawned.pid);
    if (typeof stdio.stdin !== 'number' && spawned.stdin) {
      spawned.stdin.on('error', () => undefined);
      stdio.stdin.pipe(spawned.stdin);
    }
    if (typeof stdio.stdout !== 'number') spawned.stdout?.pipe(stdio.stdout, { end: false });
    if (typeof stdio.stderr !== 'number') spawned.stderr?.pipe(stdio.stderr, { end: false });
    const exited = exitOf(spawned);
    void exited.then(() => pipe.release());
    pipe.stream.once('data', () => pipe.release());

    const forAnalysis = new PassThrough();
    pipe.stream.pipe(forAnalysis);
    let saveError = null as Error | null;
    if (saved !== null) {
      pipe.stream.pipe(saved.input);
      // A full disk or a vanished file costs the copy, not the run: stop teeing and say so in the report.
      void saved.done.then((err) => {
        if (err === null) return;
        saveError = err;
        pipe.stream.unpipe(saved.input);
      });
    }
    pipe.stream.on('error', (err) => forAnalysis.destroy(err));

    sampler?.start();
    if (o.onProgress) {
      const show = o.onProgress;
      progressTimer = setInterval(
        () => show(live.progress((Date.now() - began) / 1000)),
        o.progressMs ?? 250,
      );
      progressTimer.unref();
    }

    let report: Report;
    try {
      report = await Promise.race([
        analyzeSources([streamSource(forAnalysis, `run: ${o.command[0] ?? ''}`)], {
          strict: o.strict,
          live: live.attach,
        }),
        spawnError,
      ]);
    } catch (err) {
      // The analysis stopped (bad input, --strict) or strace could not start: nothing may keep running.
      pipe.stream.destroy();
      killLeftovers();
      if (spawned.exitCode === null && spawned.signalCode === null) spawned.kill('SIGKILL');
      const status = await exited;
      if (live.events() === 0 && (status.code ?? 0) !== 0 && !(err instanceof HeaptraceError && err.code === 'HT_RUN_FAILED')) {
        throw new HeaptraceError('HT_RUN_FAILED', MESSAGES.straceExited(o.command[0] ?? '', status.code ?? -1));
      }
      throw err;
    }
    const status = await exited;
    if (saved !== null) await saved.done;
    if (saveError !== null && o.saveTrace !== undefined) {
      report.warnings.push({ code: SAVE_TRACE_FAILED, message: MESSAGES.saveTraceFailed(o.saveTrace, saveError.message), count: 1, lines: [] });
    }
    if (sampler !== null) {
      sampler.stop();
      if (report.input.startTime !== null) report.timeline.resident = sampler.result(report.input.startTime);
    }
    // strace waits for every tracee; any still alive means strace itself died and left them.
    const killedLeftovers = killLeftovers();
    const root = live.rootPid === null ? undefined : report.processes.find((p) => p.pid === live.rootPid);
    // Never strace's status in the program's place: strace killed by SIGKILL is not the program's SIGKILL.
    const exit = root?.exit ? { code: root.exit.code, signal: root.exit.signal } : null;
    if (interrupted !== null || killedLeftovers.length > 0 || root?.exit === null || root === undefined) {
      report.input.partial = true;
      const code = interrupted !== null ? 'HT_INTERRUPTED' : 'HT_TRACER_DIED';
      report.warnings.push({ code, message: PROBLEMS[code], count: 1, lines: [] });
    }
    return { report, exit, tracer: { code: status.code, signal: status.signal }, killedLeftovers };
  } finally {
    if (progressTimer !== null) clearInterval(progressTimer);
    if (pendingTimer !== null) clearInterval(pendingTimer);
    sampler?.stop();
    for (const s of INTERRUPTS) o.signals?.off(s, onSignal);
    pipe.release();
    // After a complete run the file is already closed and this does nothing.
    saved?.abort();
  }
}

/** A shell's exit status for a program killed by `signal`: 128 + its number. */
export function signalExitCode(signal: string): number {
  const n = (osConstants.signals as Record<string, number | undefined>)[signal];
  return 128 + (n ?? 0);
}
