// The live progress line: only when stderr is a terminal, redrawn in place, and what it says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatProgress } from '../../src/run/progress.js';
import { pythonExecutable, workDir } from '../helpers/trace.js';
import { runMain } from './helpers.js';

test('the progress line: elapsed, calls per second, the largest heap and the costliest file, escaped', () => {
  const line = formatProgress(
    { elapsed: 12.34, events: 5000, largest: { pid: 42, heap: 3 * 1024 * 1024 }, costliest: { path: '/etc/\u001b[2Jregistry.xml', peak: 10_027_008 } },
    1500,
  );
  assert.equal(line, 'heaptrace 12.3s · 1,500 calls/s · pid 42 heap 3 MiB · most: \\x1b[2Jregistry.xml 9.56 MiB');
  assert.equal(formatProgress({ elapsed: 0, events: 0, largest: null, costliest: null }, 0), 'heaptrace 0.0s · 0 calls/s');
});

test('run shows progress on a terminal\'s stderr and nothing extra when stderr is not one', async (t) => {
  if (workDir(t, 'run-progress', 'strace', 'python3') === null) return;
  const program = [pythonExecutable(), '-c', 'import time\nx = bytearray(2 << 20)\ntime.sleep(0.8)'];
  const tty = await runMain(['run', '--', ...program], { stderrIsTTY: true });
  assert.equal(tty.code, 0, tty.stderr);
  assert.match(tty.stderr, /\r\u001b\[Kheaptrace \d+\.\ds · [\d,]+ calls\/s · pid \d+ heap /);
  // The line is erased before the summary.
  assert.match(tty.stderr, /\r\u001b\[K(\u001b\[1m)?heaptrace(\u001b\[0m)? run: /);
  const plain = await runMain(['run', '--', ...program]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.doesNotMatch(plain.stderr, /calls\/s|\r/);
});
