// heaptrace run hands back the program's exit status, passes its arguments through without a
// shell, keeps strace's pipe out of the program's hands, and says clearly what is missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MESSAGES } from '../../src/messages.js';
import type { Report } from '../../src/report/types.js';
import { runCli } from '../helpers/cli.js';
import { exitOf, pythonExecutable, workDir } from '../helpers/trace.js';
import { env, runMain, spawnBin } from './helpers.js';

test('run: exit status 0 and 7 are the program\'s', async (t) => {
  if (workDir(t, 'run-exit', 'strace', 'python3') === null) return;
  const ok = await runMain(['run', '-q', '--', pythonExecutable(), '-c', 'print("fine")']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'fine\n');
  const seven = await runMain(['run', '-q', '--', pythonExecutable(), '-c', 'import sys; sys.exit(7)']);
  assert.equal(seven.code, 7, seven.stderr);
});

test('run: a program killed by a signal is reported as such, exit 128+N', async (t) => {
  const dir = workDir(t, 'run-killed', 'strace', 'python3');
  if (dir === null) return;
  const json = join(dir, 'r.json');
  const r = await runMain(['run', '-q', '--json', json, '--', pythonExecutable(), '-c', 'import os, signal; os.kill(os.getpid(), signal.SIGKILL)']);
  assert.equal(r.code, 137);
  assert.match(r.stderr, /was killed by SIGKILL \(exit status 137\)/);
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  assert.deepEqual(exitOf(report, report.processes[0]), { code: null, signal: 'SIGKILL' });
});

test('run: an argument like $(touch pwned) reaches the program literally and nothing runs it', async (t) => {
  const dir = workDir(t, 'run-literal', 'strace', 'python3');
  if (dir === null) return;
  const args = ['$(touch pwned)', '`touch pwned`', '; touch pwned', '"quoted" \'single\''];
  const { output } = spawnBin(['run', '-q', '--', pythonExecutable(), '-c', 'import sys, json; print(json.dumps(sys.argv[1:]))', ...args], dir);
  const r = await output;
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), args);
  assert.equal(existsSync(join(dir, 'pwned')), false, 'no shell ran the argument');
});

test('run: the program inherits no descriptor it would not have without heaptrace (strace\'s pipe stays strace\'s)', async (t) => {
  if (workDir(t, 'run-fds', 'strace', 'python3') === null) return;
  const probe = 'import os\nopen_fds = []\nfor fd in range(3, 1024):\n    try:\n        os.fstat(fd)\n        open_fds.append(fd)\n    except OSError:\n        pass\nprint(open_fds)';
  // Whatever this test process passes down anyway (a harness may leak one) is the baseline.
  const plain = spawnSync(pythonExecutable(), ['-c', probe], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  const r = await runMain(['run', '-q', '--', pythonExecutable(), '-c', probe]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, plain.stdout);
});

test('run: --save-trace keeps the raw log (gzip for .gz) and report reads it to the same numbers', async (t) => {
  const dir = workDir(t, 'run-save', 'strace', 'python3');
  if (dir === null) return;
  const saved = join(dir, 'trace.gz');
  const json = join(dir, 'run.json');
  const r = await runMain(['run', '-q', '--json', json, '--save-trace', saved, '--', pythonExecutable(), '-c', 'x = bytearray(8 << 20)']);
  assert.equal(r.code, 0, r.stderr);
  const bytes = readFileSync(saved);
  assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b], 'gzip');
  const later = join(dir, 'later.json');
  const again = await runCli(['report', saved, '-q', '--json', later]);
  assert.equal(again.code, 0, again.stderr);
  const a = JSON.parse(readFileSync(json, 'utf8')) as Report;
  const b = JSON.parse(readFileSync(later, 'utf8')) as Report;
  assert.deepEqual(b.files, a.files);
  assert.deepEqual(b.processes, a.processes);
  assert.ok(a.processes[0] !== undefined && a.processes[0].heap.peak >= 8 << 20);
});

test('run: strace missing is exit 2 with how to install it; a missing program is 127; no program is 2', async (t) => {
  if (workDir(t, 'run-missing', 'python3') === null) return;
  const noStrace = await runMain(['run', '--', pythonExecutable(), '-c', 'pass'], { env: { ...env(), PATH: '/nonexistent' } });
  assert.equal(noStrace.code, 2);
  assert.equal(noStrace.stderr, `heaptrace: ${MESSAGES.noStrace}\n`);
  assert.match(noStrace.stderr, /apt-get install strace/);
  if (workDir(t, 'run-missing2', 'strace') === null) return;
  const noProgram = await runMain(['run', '--', 'heaptrace-no-such-program']);
  assert.equal(noProgram.code, 127);
  assert.match(noProgram.stderr, /heaptrace-no-such-program: command not found/);
  const nothing = await runMain(['run']);
  assert.equal(nothing.code, 2);
  assert.match(nothing.stderr, /run needs a program/);
});

test('run: a bad interval or a bad rule fails before the program runs', async (t) => {
  const dir = workDir(t, 'run-bad-options', 'strace', 'python3');
  if (dir === null) return;
  const marker = join(dir, 'started');
  const program = ['--', pythonExecutable(), '-c', `open(${JSON.stringify(marker)}, "w")`];
  const badInterval = await runMain(['run', '--smaps', 'often', ...program]);
  assert.equal(badInterval.code, 2);
  assert.match(badInterval.stderr, /an interval is a number with ms, s or m/);
  assert.equal(existsSync(marker), false, 'the program never ran');
  const badRule = await runMain(['run', '--max-delta', 'x=12QB', ...program]);
  assert.equal(badRule.code, 2);
  assert.match(badRule.stderr, /--max-delta "x=12QB": got "12QB": sizes are a number with B, kB, MB, GB, KiB, MiB or GiB/);
  assert.equal(existsSync(marker), false, 'the program never ran');
  // The same program with good options does run: the marker tells.
  const ok = await runMain(['run', '-q', '--smaps', '50ms', '--max-delta', 'x=12MiB', '--allow-missing', ...program]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(existsSync(marker), true);
});

test('run: an unwritable --save-trace fails before the program starts; no pipe is left in the temporary folder', async (t) => {
  const dir = workDir(t, 'run-unwritable', 'strace', 'python3');
  if (dir === null) return;
  const marker = join(dir, 'started');
  const r = await runMain(['run', '--save-trace', join(dir, 'no', 'such', 'dir.gz'), '--', pythonExecutable(), '-c', `open(${JSON.stringify(marker)}, "w")`]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot write .*dir\.gz/);
  assert.equal(existsSync(marker), false, 'the program never ran');
  // A temporary folder of its own, so runs of other tests in parallel cannot confuse the count.
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const ok = await spawnBin(['run', '-q', '--', pythonExecutable(), '-c', 'pass'], dir, { TMPDIR: tmp }).output;
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(readdirSync(tmp), [], 'the named pipe and its folder are gone');
});
