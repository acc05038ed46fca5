// A buffer grown by realloc far past the mmap threshold: glibc serves it with mmap and grows it with
// mremap(MREMAP_MAYMOVE), which moves the mapping; free() unmaps it. Checks SPEC §1 through a chain
// of mremaps and the munmap, and SPEC §2: the whole growth phase is charged to the file read in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MiB,
  analyzeWithEvents,
  compileC,
  describeFiles,
  fileEntry,
  fileSize,
  pairMarks,
  parseMarks,
  phaseDelta,
  straceToFile,
  workDir,
} from '../helpers/trace.js';

const FINAL_MB = 64;

test('realloc past the mmap threshold (mremap): grown and freed phases exact', async (t) => {
  const dir = workDir(t, 'realloc', 'strace', 'gcc');
  if (dir === null) return;
  const program = compileC('realloc', dir);
  const input = join(dir, 'records.dat');
  writeFileSync(input, 'r'.repeat(40_000));
  const trace = join(dir, 'trace.txt');
  const run = straceToFile([program, input, String(FINAL_MB)], trace);

  const { report, events } = await analyzeWithEvents(trace);
  const marks = parseMarks(run.stdout);
  assert.deepEqual(
    marks.map((m) => m.label),
    ['before', 'grown', 'freed'],
    `program output: ${run.stdout}`,
  );
  const pid = (marks[0] as { pid: number }).pid;
  const pairs = pairMarks(marks, events, pid);
  assert.ok(
    events.some((e) => e.pid === pid && e.syscall === 'mremap'),
    'the trace has mremap calls (glibc grew the mmapped chunk in place or by moving it)',
  );

  const grown = phaseDelta(pairs, 'before', 'grown');
  assert.ok(grown.kernel >= FINAL_MB * MiB, `ΔVmData while growing = ${grown.kernel}`);
  assert.equal(grown.model, grown.kernel, `grown: Δwritable ${grown.model} != ΔVmData ${grown.kernel} (model ${grown.fromEvent.writable} → ${grown.toEvent.writable})`);

  const freed = phaseDelta(pairs, 'grown', 'freed');
  assert.ok(freed.kernel <= -FINAL_MB * MiB, `ΔVmData on free = ${freed.kernel}`);
  assert.equal(freed.model, freed.kernel, `freed: Δwritable ${freed.model} != ΔVmData ${freed.kernel} (model ${freed.fromEvent.writable} → ${freed.toEvent.writable})`);

  const whole = phaseDelta(pairs, 'before', 'freed');
  assert.equal(whole.model, whole.kernel, 'before → freed');

  // Between the first marker and the file's open nothing changes memory, and after the open the
  // program only grows the buffer: the file is charged exactly the growth phase, every change an
  // increase. The free happens after the "grown" marker made /proc/PID/status the current file.
  const f = fileEntry(report, input);
  assert.equal(f.bytesRead, fileSize(input));
  assert.equal(f.heap.growth, grown.kernel, `growth of ${input}\n  ${describeFiles(report)}`);
  assert.equal(f.heap.net, grown.kernel, `net of ${input}`);
  assert.equal(f.heap.peak, grown.kernel, `peak of ${input}`);
  // SPEC §2: amplification = peak / bytesRead.
  assert.equal(f.amplification, f.heap.peak / f.bytesRead, 'amplification is peak / bytesRead');
});
