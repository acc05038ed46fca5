// Helpers for the integration tests that trace real programs and compare heaptrace's model with
// the kernel's own numbers (SPEC §1: the change in `writable` between two points of a trace equals
// the change in VmData, to the byte).
//
// The programs in test/programs/ print `MARK <pid> <label> <VmData kB>` right after reading
// /proc/self/status with a single read(2); the kernel computes VmData during that read, so the
// read event of the status file is the point of the trace each printed number belongs to.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyze, type AnalyzeInput, type AnalyzeOptions, type FileReport, type ModelEvent, type ProcessReport, type Report } from '../../src/index.js';
import { findExecutable } from '../../src/run/strace.js';

/** A model event as the `onEvent` callback of `analyze` gave it. */
export type TracedEvent = ModelEvent;

// ---------------------------------------------------------------------------------------------
// Tools

/** The absolute path of an executable found on PATH, or null: the same search `heaptrace run` makes. */
export function which(name: string): string | null {
  return findExecutable(name, process.env['PATH']);
}

const toolCache = new Map<string, string | null>();

/**
 * Why the tools a test needs are unusable here, or null when they all work. strace is also tried
 * once on /bin/true: in containers without ptrace permission it is installed but cannot trace.
 */
export type Tool = 'strace' | 'ltrace' | 'gcc' | 'python3';

export function missingTools(...tools: Tool[]): string | null {
  for (const tool of tools) {
    if (!toolCache.has(tool)) toolCache.set(tool, probe(tool));
    const reason = toolCache.get(tool);
    if (reason !== null && reason !== undefined) return reason;
  }
  return null;
}

function probe(tool: Tool): string | null {
  const path = which(tool);
  if (path === null) return `${tool} not installed`;
  if (tool === 'strace') {
    const r = spawnSync(path, ['-f', '-o', '/dev/null', '/bin/true'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) return `strace cannot trace here: ${(r.stderr || String(r.error)).trim().split('\n')[0] ?? ''}`;
  }
  if (tool === 'ltrace') {
    const r = spawnSync(path, ['-o', '/dev/null', '/bin/true'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) return `ltrace cannot trace here: ${(r.stderr || String(r.error)).trim().split('\n')[0] ?? ''}`;
  }
  if (tool === 'gcc') {
    // Installed is not enough: without binutils (as, ld) or libc headers gcc cannot build anything.
    const dir = mkdtempSync(join(tmpdir(), 'heaptrace-gcc-probe-'));
    try {
      const r = spawnSync(path, ['-pthread', '-x', 'c', '-o', join(dir, 'probe'), '-'], {
        input: '#include <pthread.h>\n#include <sys/mman.h>\nint main(void) { return 0; }\n',
        encoding: 'utf8',
        timeout: 60_000,
      });
      if (r.status !== 0) return `gcc cannot build programs here: ${(r.stderr || String(r.error)).trim().split('\n')[0] ?? ''}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (tool === 'python3') {
    try {
      pythonExecutable();
    } catch (e) {
      return `python3 does not run: ${(e as Error).message.split('\n')[0] ?? ''}`;
    }
  }
  return null;
}

let pythonPath: string | null = null;

/**
 * The real Python interpreter, not a wrapper: `python3` on PATH may be a shell shim (pyenv), which
 * would put a shell and a second execve into every trace.
 */
export function pythonExecutable(): string {
  if (pythonPath === null) {
    const py = which('python3');
    if (py === null) throw new Error('python3 not installed');
    pythonPath = execFileSync(py, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  }
  return pythonPath;
}

// ---------------------------------------------------------------------------------------------
// Temporary directories and programs

/** A fresh temporary directory; removed by the returned function unless HEAPTRACE_KEEP_TRACES is set. */
/**
 * The usual start of a test that traces a real program: skip with the reason when a tool is
 * missing, else a fresh temporary folder removed after the test. Null means "skipped: return".
 */
export function workDir(t: TestContext, name: string, ...tools: Tool[]): string | null {
  const missing = missingTools(...tools);
  if (missing !== null) {
    t.skip(missing);
    return null;
  }
  const { dir, cleanup } = tempDir(name);
  t.after(cleanup);
  return dir;
}

export function tempDir(name: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `heaptrace-${name}-`));
  return {
    dir,
    cleanup: () => {
      if (process.env['HEAPTRACE_KEEP_TRACES']) {
        process.stderr.write(`# kept ${dir}\n`);
        return;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Path of a file in test/programs/ (from dist/test/helpers/ the repository root is ../../..). */
export function programSource(file: string): string {
  return fileURLToPath(new URL(`../../../test/programs/${file}`, import.meta.url));
}

/** Compiles test/programs/NAME.c into DIR/NAME and returns the executable's path. */
export function compileC(name: string, dir: string, flags: string[] = [], out = join(dir, name)): string {
  // -O0: the programs' allocations must happen exactly as written.
  execFileSync('gcc', ['-O0', '-g', '-Wall', '-Wextra', '-pthread', ...flags, '-o', out, programSource(`${name}.c`)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out;
}

/** gcc flags that let ltrace 0.7 see a program's library calls: a fixed address and lazily bound PLT entries. */
export const LTRACE_VISIBLE = ['-no-pie', '-fno-pie', '-Wl,-z,lazy'];

/** Runs argv under `ltrace -f -tt -T -s 4096 [-S] -o TRACE` (-s: paths whole); env adds to the environment. */
export function ltraceToFile(argv: string[], trace: string, opts: { syscalls?: boolean; env?: Record<string, string> } = {}): TraceRun {
  const flags = ['-f', '-tt', '-T', '-s', '4096', ...(opts.syscalls ? ['-S'] : []), '-o', trace];
  const r = spawnSync('ltrace', [...flags, ...argv], {
    encoding: 'utf8',
    timeout: STRACE_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...opts.env },
  });
  checkRun(r, argv);
  return { stdout: r.stdout, stderr: r.stderr, traceFiles: [trace] };
}

// ---------------------------------------------------------------------------------------------
// Running under strace

export interface TraceRun {
  /** The program's standard output (for merged captures: the whole capture). */
  stdout: string;
  stderr: string;
  /** The trace: one file, or the PREFIX.PID files of -ff sorted by pid. */
  traceFiles: string[];
}

const STRACE_TIMEOUT_MS = 60_000;

/**
 * Runs argv under `strace -f -tt -T -y -o TRACE` (one file, every line prefixed with the pid).
 */
export function straceToFile(argv: string[], trace: string): TraceRun {
  const r = spawnSync('strace', ['-f', '-tt', '-T', '-y', '-o', trace, ...argv], {
    encoding: 'utf8',
    timeout: STRACE_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  checkRun(r, argv);
  return { stdout: r.stdout, stderr: r.stderr, traceFiles: [trace] };
}

/** Runs argv under `strace -ff -tt -y -o PREFIX`: one file per thread, PREFIX.TID. */
export function straceToFilePerThread(argv: string[], prefix: string): TraceRun {
  const r = spawnSync('strace', ['-ff', '-tt', '-y', '-o', prefix, ...argv], {
    encoding: 'utf8',
    timeout: STRACE_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  checkRun(r, argv);
  const dir = dirname(prefix);
  const base = basename(prefix);
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(`${base}.`) && /^\d+$/.test(f.slice(base.length + 1)))
    .sort((a, b) => Number(a.slice(base.length + 1)) - Number(b.slice(base.length + 1)))
    .map((f) => join(dir, f));
  return { stdout: r.stdout, stderr: r.stderr, traceFiles: files };
}

/**
 * Runs `strace -f -tt -y argv` with strace's stderr and the program's stdout and stderr all on one
 * file description, like `strace ... 2>&1 | cat > FILE`: the program's output lands in the middle
 * of trace lines.
 */
export function straceMerged(argv: string[], capture: string): TraceRun {
  const fd = openSync(capture, 'w');
  try {
    const r = spawnSync('strace', ['-f', '-tt', '-y', ...argv], {
      stdio: ['ignore', fd, fd],
      timeout: STRACE_TIMEOUT_MS,
    });
    checkRun(r, argv);
  } finally {
    closeSync(fd);
  }
  const text = readFileSync(capture, 'utf8');
  return { stdout: text, stderr: '', traceFiles: [capture] };
}

function checkRun(r: ReturnType<typeof spawnSync>, argv: string[]): void {
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`strace ${argv.join(' ')} exited with ${String(r.status ?? r.signal)}: ${String(r.stderr).slice(0, 2000)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// What the programs print

export interface Mark {
  pid: number;
  label: string;
  /** VmData in kB as the kernel reported it. */
  kb: number;
}

/**
 * The MARK lines in a program's output. Each was written with one write(2) ending in a newline, so
 * it is found whole even inside a merged capture; strace's own rendering of that write shows the
 * newline as the two characters `\n`, so it does not match.
 */
export function parseMarks(output: string): Mark[] {
  const marks: Mark[] = [];
  for (const m of output.matchAll(/MARK (\d+) ([A-Za-z-]+) (\d+)\n/g)) {
    marks.push({ pid: Number(m[1]), label: m[2] ?? '', kb: Number(m[3]) });
  }
  return marks;
}

/** Lines `WORD field…` of a program's output with WORD = tag, split on spaces. */
export function outputLines(output: string, tag: string): string[][] {
  return output
    .split('\n')
    .filter((l) => l.startsWith(`${tag} `))
    .map((l) => l.split(' ').slice(1));
}

// ---------------------------------------------------------------------------------------------
// Reading the model

const STATUS_PATH = /^\/proc\/(?:self|\d+)\/status$/;

export function isStatusPath(path: string | null): boolean {
  return path !== null && STATUS_PATH.test(path);
}

/** The phase markers: successful reads of /proc/PID/status, in trace order. */
export function markerEvents(events: TracedEvent[]): TracedEvent[] {
  return events.filter((e) => e.syscall === 'read' && isStatusPath(e.path) && e.ret !== null && e.ret > 0);
}

/**
 * Pairs each printed mark of `pid` with that process's marker event, in order. Fails (throws)
 * when the counts differ: a lost or invented marker is itself a parsing bug worth reporting.
 */
export function pairMarks(marks: Mark[], events: TracedEvent[], pid: number | null): { mark: Mark; event: TracedEvent }[] {
  const printed = marks.filter((m) => pid === null || m.pid === pid);
  const seen = markerEvents(events).filter((e) => pid === null || e.pid === pid);
  if (printed.length !== seen.length) {
    throw new Error(
      `pid ${String(pid)}: the program printed ${printed.length} VmData marks ` +
        `(${printed.map((m) => m.label).join(', ')}) but the model reported ${seen.length} reads of /proc/PID/status ` +
        `(${seen.map((e) => `pid ${e.pid} tid ${e.tid} t=${String(e.time)}`).join('; ')})`,
    );
  }
  return printed.map((mark, i) => ({ mark, event: seen[i] as TracedEvent }));
}

/**
 * Asserts the SPEC §1 identity for the phase between two marks of one process:
 * Δwritable (model) = ΔVmData (kernel) × 1024, to the byte. Returns ΔVmData in bytes.
 */
export function phaseDelta(
  pairs: { mark: Mark; event: TracedEvent }[],
  from: string,
  to: string,
): { kernel: number; model: number; fromEvent: TracedEvent; toEvent: TracedEvent } {
  const a = pairs.find((p) => p.mark.label === from);
  const b = pairs.find((p) => p.mark.label === to);
  if (a === undefined || b === undefined) throw new Error(`marks ${from}/${to} not printed`);
  return {
    kernel: (b.mark.kb - a.mark.kb) * 1024,
    model: b.event.writable - a.event.writable,
    fromEvent: a.event,
    toEvent: b.event,
  };
}

/** The report's entry for an exact path; fails listing the paths it has. */
export function fileEntry(report: Report, path: string): FileReport {
  const f = report.files.find((x) => x.path === path);
  if (f === undefined) {
    throw new Error(`no file ${path} in the report; files: ${report.files.map((x) => x.path).join(', ')}`);
  }
  return f;
}

/**
 * How a process of a timed trace ended, as { code, signal } for a deepEqual, after checking that
 * its exit time lies within the trace.
 */
export function exitOf(report: Report, proc: ProcessReport | undefined): { code: number | null; signal: string | null } | null {
  const exit = proc?.exit ?? null;
  if (exit === null) return null;
  const end = report.input.duration;
  assert.ok(exit.time !== null && end !== null && exit.time >= 0 && exit.time <= end, `exit time ${exit.time} within the trace's ${end} s`);
  return { code: exit.code, signal: exit.signal };
}

/** Sum of heap growth charged to /proc/PID/status (opened by the markers). */
export function statusGrowth(report: Report): number {
  return report.files.filter((f) => isStatusPath(f.path)).reduce((s, f) => s + f.heap.growth, 0);
}

export function fileSize(path: string): number {
  return statSync(path).size;
}

export const MiB = 1024 * 1024;

/** A short account of a report's files, for assertion messages. */
export function describeFiles(report: Report): string {
  return report.files
    .map((f) => `${f.path}: read ${f.bytesRead}, growth ${f.heap.growth}, net ${f.heap.net}, peak ${f.heap.peak}`)
    .join('\n  ');
}

// ---------------------------------------------------------------------------------------------
// Running the analysis

/** The report of a trace given as its lines. */
export function analyzeLines(lines: readonly string[], options?: AnalyzeOptions): Promise<Report> {
  return analyze({ text: lines.join('\n') }, options);
}

/** Analyzes a trace and keeps every model event. */
export async function analyzeWithEvents(input: AnalyzeInput): Promise<{ report: Report; events: TracedEvent[] }> {
  const events: TracedEvent[] = [];
  const report = await analyze(input, { onEvent: (e) => events.push({ ...e }) });
  return { report, events };
}

/**
 * A Khronos-registry-like document (types, enums, commands) of about 350 kB, ASCII: what the seed
 * story's registry.xml looks like to a parser. 400 commands (the programs print how many they saw).
 * Written as registry.xml in `dir`; returns its path.
 */
export function writeRegistryXml(dir: string): string {
  const path = join(dir, 'registry.xml');
  writeFileSync(path, registryXml());
  return path;
}

function registryXml(): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<registry>', '  <comment>heaptrace test registry</comment>', '  <types>'];
  for (let i = 0; i < 600; i++) {
    out.push(`    <type category="struct" name="HtStruct${i}">`);
    for (let j = 0; j < 4; j++) out.push(`      <member><type>uint32_t</type> <name>field${j}</name></member>`);
    out.push('    </type>');
  }
  out.push('  </types>', '  <enums namespace="HT" group="HtEnum">');
  for (let i = 0; i < 1500; i++) {
    out.push(`    <enum value="0x${i.toString(16).toUpperCase().padStart(4, '0')}" name="HT_ENUM_VALUE_${i}"/>`);
  }
  out.push('  </enums>', '  <commands>');
  for (let i = 0; i < 400; i++) {
    out.push(
      `    <command><proto><type>void</type> <name>htCommand${i}</name></proto>` +
        `<param><type>int</type> <name>a</name></param><param>const <type>HtStruct${i}</type> *<name>p</name></param></command>`,
    );
  }
  out.push('  </commands>', '</registry>', '');
  return out.join('\n');
}
