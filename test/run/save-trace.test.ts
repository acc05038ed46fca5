// --save-trace is a copy on the side: when writing it fails half-way (a full disk), heaptrace stops
// copying, finishes the run and the report, and says the saved trace is incomplete.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { SAVE_TRACE_FAILED } from '../../src/run/session.js';
import { pythonExecutable, workDir } from '../helpers/trace.js';
import { runMain } from './helpers.js';

// Far more compressed trace than gzip and the file stream buffer between them (tens of kB).
const BUSY = 'import mmap\nfor i in range(20000):\n    m = mmap.mmap(-1, 4096 * (1 + i % 7))\n    m.close()\nx = bytearray(4 << 20)';

test('run: a --save-trace .gz that cannot be written (ENOSPC) neither hangs the run nor costs the report', { timeout: 120_000 }, async (t) => {
  const dir = workDir(t, 'run-save-full', 'strace', 'python3');
  if (dir === null) return;
  if (!existsSync('/dev/full')) return t.skip('no /dev/full');
  // Opens fine, as --save-trace checks before the program starts; every write then fails.
  const saved = join(dir, 'trace.gz');
  symlinkSync('/dev/full', saved);
  const json = join(dir, 'r.json');
  const r = await runMain(['run', '--json', json, '--save-trace', saved, '--', pythonExecutable(), '-c', BUSY]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  const w = report.warnings.find((x) => x.code === SAVE_TRACE_FAILED);
  assert.ok(w !== undefined, `a ${SAVE_TRACE_FAILED} warning: ${JSON.stringify(report.warnings)}`);
  assert.equal(w.count, 1);
  assert.match(w.message, /ENOSPC/);
  assert.match(r.stderr, /trace\.gz could not be written/);
  assert.notEqual(report.input.partial, true, 'the report itself is complete');
  assert.ok(report.processes[0] !== undefined && report.processes[0].heap.peak >= 4 << 20, 'the run was analysed to its end');
  assert.ok(report.input.events > 20000, `every call counted: ${report.input.events}`);
});
