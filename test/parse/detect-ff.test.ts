// Format detection across the files of an strace -ff set: the first lines of every file are held
// together, so the merged trace reaches the model in time order even when a file's first lines
// could be either tracer's.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze, type ModelEvent } from '../../src/index.js';

test('-ff files: lines held for detection reach the model in time order, whichever file told the format', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-detect-ff-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The child's lines come first in time but say nothing of the tracer (close and read are both
  // system and library calls); the parent's brk, later, tells strace.
  writeFileSync(join(dir, 'trace.10'), '00:00:00.000010 brk(NULL) = 0x1000000\n00:00:00.000020 brk(0x1001000) = 0x1001000\n');
  writeFileSync(join(dir, 'trace.11'), '00:00:00.000004 close(3) = 0\n00:00:00.000005 read(4, "", 1) = 0\n');
  const events: ModelEvent[] = [];
  const r = await analyze(join(dir, 'trace'), { onEvent: (e) => events.push(e) });
  assert.equal(r.input.format, 'strace');
  assert.deepEqual(events.map((e) => [e.syscall, e.time]), [['close', 0], ['read', 0.000001], ['brk', 0.000006], ['brk', 0.000016]]);
});
