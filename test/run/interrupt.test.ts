// Ctrl-C and a dying tracer: heaptrace still writes its report, marked partial, and no traced
// process outlives the run. heaptrace runs as the leader of a process group of its own, like a
// shell job; Ctrl-C is SIGINT to that whole group, as a terminal sends it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MESSAGES } from '../../src/messages.js';
import type { Report } from '../../src/report/types.js';
import { probeStrace } from '../../src/run/strace.js';
import { exitOf, pythonExecutable, workDir } from '../helpers/trace.js';
import { alive, eventually, spawnBin } from './helpers.js';

/** Prints "PIDS <pid> <parent pid>" once it is running, then sleeps far longer than any test. */
const SLEEPER = 'import os, time\nx = bytearray(4 << 20)\nprint("PIDS", os.getpid(), os.getppid(), flush=True)\ntime.sleep(120)';

/** If a test failed half-way: nothing it started may outlive it. */
function killGroup(leader: number | undefined): void {
  try {
    if (leader !== undefined) process.kill(-leader, 'SIGKILL');
  } catch {
    // already gone, as it should be
  }
}

async function firstLine(lines: AsyncIterable<string>, prefix: string): Promise<string[]> {
  for await (const line of lines) if (line.startsWith(prefix)) return line.split(' ').slice(1);
  throw new Error(`no ${prefix} line`);
}

test('run: Ctrl-C reaches the program, heaptrace writes a partial report and leaves no process', async (t) => {
  const dir = workDir(t, 'run-sigint', 'strace', 'python3');
  if (dir === null) return;
  const json = join(dir, 'partial.json');
  const { child, output, lines } = spawnBin(['run', '--json', json, '--', pythonExecutable(), '-c', SLEEPER], dir);
  t.after(() => killGroup(child.pid));
  const [pid, tracer] = (await firstLine(lines, 'PIDS')).map(Number) as [number, number];
  assert.ok(alive(pid) && alive(tracer));
  process.kill(-(child.pid as number), 'SIGINT');
  const r = await output;
  assert.equal(r.code, 130, `the program died of SIGINT: 128+2\n${r.stderr}`);
  assert.match(r.stderr, /was killed by SIGINT/);
  assert.match(r.stderr, /the run was interrupted/);
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  assert.equal(report.input.partial, true);
  assert.ok(report.warnings.some((w) => w.code === 'HT_INTERRUPTED'));
  const proc = report.processes.find((p) => p.pid === pid);
  assert.ok(proc !== undefined && proc.heap.peak >= 4 << 20, 'the report covers the run up to the interrupt');
  assert.deepEqual(exitOf(report, proc), { code: null, signal: 'SIGINT' });
  assert.equal(alive(pid), false, 'the program is gone');
  assert.equal(alive(tracer), false, 'strace is gone');
});

test('run: when strace dies, heaptrace kills the program it left and says so', async (t) => {
  const dir = workDir(t, 'run-tracer-dies', 'strace', 'python3');
  if (dir === null) return;
  const json = join(dir, 'partial.json');
  const { child, output, lines } = spawnBin(['run', '--json', json, '--', pythonExecutable(), '-c', SLEEPER], dir);
  t.after(() => killGroup(child.pid));
  const [pid, tracer] = (await firstLine(lines, 'PIDS')).map(Number) as [number, number];
  process.kill(tracer, 'SIGKILL');
  const r = await output;
  assert.ok(await eventually(() => !alive(pid)), 'the program does not outlive its tracer');
  assert.notEqual(r.code, 0);
  // The program's status is unknown; strace's own SIGKILL is not passed off as the program's.
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /strace was killed by SIGKILL before .* ended: the program's exit status is unknown/);
  assert.doesNotMatch(r.stderr, /was killed by SIGKILL \(exit status 137\)/);
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  assert.equal(report.input.partial, true);
  // With strace's --kill-on-exit the kernel kills the program first; without it heaptrace does.
  if (!report.warnings.some((w) => w.code === 'HT_TRACER_DIED')) assert.fail(`no HT_TRACER_DIED warning: ${r.stderr}`);
  if (!probeStrace(process.env['PATH']).killOnExit) {
    // The program (and python's threads, if any) is the one process left: heaptrace killed it.
    assert.match(r.stderr, new RegExp(`heaptrace: ${MESSAGES.tracerDied(1).replace(/[()]/g, '\\$&')}`));
  }
});

test('run: when strace dies, a program with threads is killed once, as one process', async (t) => {
  const dir = workDir(t, 'run-tracer-dies-threads', 'strace', 'python3');
  if (dir === null) return;
  const threaded = `import threading, time\nfor _ in range(3): threading.Thread(target=time.sleep, args=(120,), daemon=True).start()\n${SLEEPER}`;
  const { child, output, lines } = spawnBin(['run', '--', pythonExecutable(), '-c', threaded], dir);
  t.after(() => killGroup(child.pid));
  const [pid, tracer] = (await firstLine(lines, 'PIDS')).map(Number) as [number, number];
  process.kill(tracer, 'SIGKILL');
  const r = await output;
  assert.ok(await eventually(() => !alive(pid)), 'the program does not outlive its tracer');
  assert.equal(r.code, 2, r.stderr);
  if (!probeStrace(process.env['PATH']).killOnExit) assert.match(r.stderr, /heaptrace killed the 1 traced process\(es\)/);
});

test('run: SIGTERM to heaptrace alone is passed on to the program; the report is partial', async (t) => {
  const dir = workDir(t, 'run-sigterm', 'strace', 'python3');
  if (dir === null) return;
  const json = join(dir, 'partial.json');
  const { child, output, lines } = spawnBin(['run', '-q', '--json', json, '--', pythonExecutable(), '-c', SLEEPER], dir);
  t.after(() => killGroup(child.pid));
  const [pid] = (await firstLine(lines, 'PIDS')).map(Number) as [number];
  process.kill(child.pid as number, 'SIGTERM');
  const r = await output;
  assert.equal(r.code, 143, `the program died of SIGTERM: 128+15\n${r.stderr}`);
  assert.equal(alive(pid), false);
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  assert.equal(report.input.partial, true);
  assert.deepEqual(exitOf(report, report.processes.find((p) => p.pid === pid)), { code: null, signal: 'SIGTERM' });
});
