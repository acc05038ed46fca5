// heaptrace kills traced processes only when strace left them running: after a normal run, however
// many threads and processes came and went, the list of processes to kill is empty.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { runTraced } from '../../src/run/session.js';
import { probeStrace } from '../../src/run/strace.js';
import { pythonExecutable, workDir } from '../helpers/trace.js';
import { env } from './helpers.js';

// Threads that end, children that exit, a child killed by a signal, and a grandchild.
const BUSY = `
import os, signal, subprocess, sys, threading
def work():
    b = bytearray(1 << 20)
ts = [threading.Thread(target=work) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
pid = os.fork()
if pid == 0:
    os.kill(os.getpid(), signal.SIGKILL)
os.waitpid(pid, 0)
subprocess.run([sys.executable, "-c", "import os; os.system('true')"], check=True)
`;

test('run: a normal run with threads and child processes kills nothing', async (t) => {
  if (workDir(t, 'run-leftovers', 'strace', 'python3') === null) return;
  const out = new PassThrough();
  out.resume();
  const input = new PassThrough();
  input.end();
  const r = await runTraced({
    command: [pythonExecutable(), '-c', BUSY],
    features: probeStrace(process.env['PATH']),
    env: env(),
    stdio: { stdin: input, stdout: out, stderr: out },
    strict: false,
    smapsMs: 10,
  });
  assert.deepEqual(r.killedLeftovers, []);
  assert.deepEqual(r.exit, { code: 0, signal: null });
  assert.notEqual(r.report.input.partial, true);
  assert.ok(r.report.processes.length >= 7, `every process is in the report: ${r.report.processes.length}`);
  assert.ok(r.report.processes.some((p) => p.exit?.signal === 'SIGKILL'));
});
