// A SIGTERM that reaches heaptrace before the trace has shown the program's pid is not lost: it is
// passed on as soon as the program is known.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { runTraced, type SignalSource } from '../../src/run/session.js';
import { probeStrace } from '../../src/run/strace.js';
import { pythonExecutable, workDir } from '../helpers/trace.js';
import { env } from './helpers.js';

test('run: SIGTERM before the first trace event still reaches the program', { timeout: 60_000 }, async (t) => {
  if (workDir(t, 'run-early-sigterm', 'strace', 'python3') === null) return;
  const signals = new EventEmitter();
  const out = new PassThrough();
  out.resume();
  const input = new PassThrough();
  input.end();
  const run = runTraced({
    command: [pythonExecutable(), '-c', 'import time\ntime.sleep(120)'],
    features: probeStrace(process.env['PATH']),
    env: env(),
    stdio: { stdin: input, stdout: out, stderr: out },
    strict: false,
    smapsMs: null,
    signals: signals as unknown as SignalSource,
  });
  // runTraced has started strace synchronously; nothing of the trace has been read yet.
  signals.emit('SIGTERM', 'SIGTERM');
  const r = await run;
  assert.deepEqual(r.exit, { code: null, signal: 'SIGTERM' });
  assert.equal(r.report.input.partial, true);
  assert.ok(r.report.warnings.some((w) => w.code === 'HT_INTERRUPTED'));
  assert.deepEqual(r.killedLeftovers, []);
});
