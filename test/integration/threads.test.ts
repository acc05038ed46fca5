// Two threads, each reading its own file and then allocating from its own glibc malloc arena
// (PROT_NONE reservation made writable by mprotect as it grows). Checks SPEC §1 (Δwritable = ΔVmData
// to the byte) and SPEC §2's per-thread current file: each file is charged its own thread's growth.
// The same program is captured twice: `strace -f -o FILE` and `strace -ff -o PREFIX` (one file per
// thread, analyzed from the list of PREFIX.TID files).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../src/report/types.js';
import {
  MiB,
  analyzeWithEvents,
  compileC,
  describeFiles,
  fileEntry,
  outputLines,
  pairMarks,
  parseMarks,
  phaseDelta,
  statusGrowth,
  straceToFile,
  straceToFilePerThread,
  workDir,
  type TraceRun,
  type TracedEvent,
} from '../helpers/trace.js';

const MB_A = 8;
const MB_B = 24;
// Above the requested bytes, an arena also holds its malloc_state, tcache, chunk headers and the
// 128 KiB top pad; far less than this.
const ARENA_SLACK = 1 * MiB;

/** A work folder with the program and its two input files; null (the test skipped) without strace or gcc. */
function setup(t: TestContext, name: string): { dir: string; program: string; fileA: string; fileB: string } | null {
  const dir = workDir(t, name, 'strace', 'gcc');
  if (dir === null) return null;
  const program = compileC('threads', dir);
  const fileA = join(dir, 'thread-a.dat');
  const fileB = join(dir, 'thread-b.dat');
  writeFileSync(fileA, 'a'.repeat(300_000));
  writeFileSync(fileB, 'b'.repeat(70_000));
  return { dir, program, fileA, fileB };
}

function checkThreads(run: TraceRun, report: Report, events: TracedEvent[], fileA: string, fileB: string): void {
  const marks = parseMarks(run.stdout);
  assert.equal(marks.length, 2, `program output: ${run.stdout}`);
  const pid = (marks[0] as { pid: number }).pid;

  // SPEC §1: the model's writable change over the phase is the kernel's VmData change, to the byte.
  const pairs = pairMarks(marks, events, pid);
  const d = phaseDelta(pairs, 'before', 'after');
  assert.equal(
    d.model,
    d.kernel,
    `Δwritable ${d.model} != ΔVmData ${d.kernel} (model ${d.fromEvent.writable} → ${d.toEvent.writable})`,
  );
  assert.ok(d.kernel > (MB_A + MB_B) * MiB, `the phase should hold both arenas; ΔVmData = ${d.kernel}`);

  // One process with three threads, the process's own pid first.
  const procs = report.processes.filter((p) => p.pid === pid);
  assert.equal(procs.length, 1, `processes: ${JSON.stringify(report.processes.map((p) => p.pid))}`);
  const proc = procs[0] as Report['processes'][number];
  assert.equal(report.processes.length, 1, 'threads are not processes');
  assert.equal(proc.threads[0], pid);
  assert.equal(proc.threads.length, 3, `threads: ${JSON.stringify(proc.threads)}`);

  // SPEC §2: every byte read is counted, and each file is charged its own thread's arena growth.
  const alloc = new Map(outputLines(run.stdout, 'ALLOC').map((f) => [f[1] ?? '', { bytes: Number(f[2]), read: Number(f[3]) }]));
  for (const [path, mb] of [[fileA, MB_A], [fileB, MB_B]] as const) {
    const printed = alloc.get(path);
    assert.ok(printed, `ALLOC line for ${path} in ${run.stdout}`);
    assert.equal(printed.bytes, mb * MiB);
    const f = fileEntry(report, path);
    assert.equal(f.bytesRead, printed.read, `${path} bytesRead`);
    assert.ok(
      f.heap.growth >= printed.bytes && f.heap.growth <= printed.bytes + ARENA_SLACK,
      `${path}: its thread allocated ${printed.bytes} bytes from its own arena, but the file was charged growth ` +
        `${f.heap.growth} (expected ${printed.bytes}..${printed.bytes + ARENA_SLACK})\n  ${describeFiles(report)}`,
    );
  }

  // Every heap change in the phase is an increase made after one of the markers' status reads (main
  // thread: thread stacks, TLS) or after a thread's own read: their growth adds up to the phase.
  const charged = fileEntry(report, fileA).heap.growth + fileEntry(report, fileB).heap.growth + statusGrowth(report);
  assert.equal(charged, d.kernel, `growth charged to the two files and /proc/PID/status\n  ${describeFiles(report)}`);
}

test('threads, strace -f: VmData exact and each file charged its own thread arena', async (t) => {
  const s = setup(t, 'threads-f');
  if (s === null) return;
  const { dir, program, fileA, fileB } = s;
  const run = straceToFile([program, fileA, String(MB_A), fileB, String(MB_B)], join(dir, 'trace.txt'));
  const { report, events } = await analyzeWithEvents(join(dir, 'trace.txt'));
  checkThreads(run, report, events, fileA, fileB);
});

test('threads, strace -ff: the PREFIX.TID files give the same per-thread charges', async (t) => {
  const s = setup(t, 'threads-ff');
  if (s === null) return;
  const { dir, program, fileA, fileB } = s;
  const run = straceToFilePerThread([program, fileA, String(MB_A), fileB, String(MB_B)], join(dir, 'trace'));
  assert.equal(run.traceFiles.length, 3, `one file per thread: ${run.traceFiles.join(', ')}`);
  const { report, events } = await analyzeWithEvents(run.traceFiles);
  checkThreads(run, report, events, fileA, fileB);
});
