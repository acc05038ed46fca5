// The live progress line: only when stderr is a terminal, redrawn in place, and what it says.
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatProgress } from '../../src/run/progress.js';
import { pythonExecutable, workDir } from '../helpers/trace.js';
import { env, runMain } from './helpers.js';

test('the progress line: elapsed, calls per second, the largest heap and the costliest file, escaped', () => {
  const line = formatProgress(
    { elapsed: 12.34, events: 5000, largest: { pid: 42, heap: 3 * 1024 * 1024 }, costliest: { path: '/etc/\u001b[2Jregistry.xml', peak: 10_027_008 } },
    1500,
  );
  assert.equal(line, 'heaptrace 12.3s · 1,500 calls/s · pid 42 heap 3 MiB · most: \\x1b[2Jregistry.xml 9.56 MiB');
  assert.equal(formatProgress({ elapsed: 0, events: 0, largest: null, costliest: null }, 0), 'heaptrace 0.0s · 0 calls/s');
});

test('the progress line of a report: how far through its files, or the bytes read when their size is unknown', () => {
  const at = (bytes: number, total: number | null): string =>
    formatProgress({ elapsed: 2, events: 0, largest: null, costliest: null, read: { bytes, total } }, 10);
  assert.equal(at(256 * 1024 * 1024, 1024 * 1024 * 1024), 'heaptrace 2.0s · 25% of 1 GiB · 10 calls/s');
  // A share never reads 100% before the end; past a gzip trailer's estimate, the bytes instead.
  assert.equal(at(1024 * 1024 * 1024 - 1, 1024 * 1024 * 1024), 'heaptrace 2.0s · 99% of 1 GiB · 10 calls/s');
  assert.equal(at(3 * 1024 * 1024, 2 * 1024 * 1024), 'heaptrace 2.0s · 3 MiB read · 10 calls/s');
  // Standard input: no size.
  assert.equal(at(512 * 1024, null), 'heaptrace 2.0s · 512 KiB read · 10 calls/s');
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

// A stand-in for strace: answers the option probes, then writes one good record to the trace
// pipe, waits long enough for the progress line to be drawn, and writes a line that is no record.
const FAKE_STRACE = `#!/bin/sh
for a in "$@"; do [ "$a" = -V ] && { echo "strace -- version 6.1"; exit 0; }; done
out=
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out=$2; shift 2 ;;
    --) shift; break ;;
    *) shift ;;
  esac
done
exec 3>"$out"
echo "$$ 1700000000.000000 brk(NULL) = 0x55aae26b1000" >&3
echo "$$ 1700000000.000100 brk(0x55aae28b1000) = 0x55aae28b1000" >&3
sleep 1
echo "not a trace record" >&3
exec 3>&-
exec "$@"
`;

test('run erases its progress line before an error, so the message starts a line of its own', async (t) => {
  const dir = workDir(t, 'run-progress-error');
  if (dir === null) return;
  const fake = join(dir, 'strace');
  writeFileSync(fake, FAKE_STRACE);
  chmodSync(fake, 0o755);
  const e = env();
  e['PATH'] = `${dir}:${e['PATH'] ?? ''}`;
  const r = await runMain(['run', '--strict', '--', 'true'], { env: e, stderrIsTTY: true });
  assert.equal(r.code, 2, r.stderr);
  // The progress line was drawn, with the heap the stand-in's brk made…
  assert.match(r.stderr, /\r\u001b\[Kheaptrace \d+\.\ds · [\d,]+ calls\/s · pid \d+ heap 2 MiB/);
  // …and erased before the error, which would otherwise run on from the end of it.
  assert.match(r.stderr, /\r\u001b\[Kheaptrace: [^\n]*unparsed/);
  assert.doesNotMatch(r.stderr, /calls\/s[^\r\n]*heaptrace: /);
});
