// A `strace -f -tt -y PROGRAM 2>&1` capture: the program's own stdout and stderr share the file with
// strace's output, so its text lands inside the trace lines of its writes (strace prints a call's
// arguments before it runs and the result after) and splits them. Memory lines are never split by
// it, so SPEC §1 still holds to the byte; the input summary must account for every line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
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
  straceMerged,
  workDir,
} from '../helpers/trace.js';

const MB = 8;

test('2>&1 capture with program output mixed in: VmData exact, input summary sane', async (t) => {
  const dir = workDir(t, 'merged', 'strace', 'gcc');
  if (dir === null) return;
  const program = compileC('noisy', dir);
  const input = join(dir, 'input.log');
  writeFileSync(input, 'line of input\n'.repeat(5_000));
  const capture = join(dir, 'capture.txt');
  const run = straceMerged([program, input, String(MB)], capture);
  // The capture really is mixed: the program's text follows a write's arguments on the same line.
  assert.match(run.stdout, /, 10progress: \) = 10\n/, 'program output inside a trace line');

  const { report, events } = await analyzeWithEvents(capture);
  const marks = parseMarks(run.stdout);
  assert.deepEqual(
    marks.map((m) => m.label),
    ['before', 'after'],
    'MARK lines in the capture',
  );
  // Without -o, strace -f does not prefix the lines of a single process with its pid, so the
  // markers are paired by order alone.
  const d = phaseDelta(pairMarks(marks, events, null), 'before', 'after');
  assert.ok(d.kernel >= MB * MiB, `ΔVmData = ${d.kernel}`);
  assert.equal(d.model, d.kernel, `Δwritable ${d.model} != ΔVmData ${d.kernel} (model ${d.fromEvent.writable} → ${d.toEvent.writable})`);

  // After the first marker, the program reads the input and then only allocates (and writes): the
  // input is charged exactly the phase.
  const f = fileEntry(report, input);
  assert.equal(f.bytesRead, fileSize(input));
  assert.equal(f.heap.growth, d.kernel, `growth of the input\n  ${describeFiles(report)}`);

  // Every physical line is counted once: parsed, ignored, rejoined or unparsed.
  const physical = readFileSync(capture, 'utf8').split('\n');
  const lines = physical[physical.length - 1] === '' ? physical.length - 1 : physical.length;
  const i = report.input;
  assert.equal(i.format, 'strace');
  assert.equal(i.lines, lines, 'input.lines counts the physical lines');
  assert.equal(i.parsed + i.ignored + i.rejoined + i.unparsed, i.lines, `every line accounted for: ${JSON.stringify(i)}`);
  assert.ok(i.rejoined >= 0 && i.unparsed >= 0);
  // The program's lines are a minority of the capture, and most of them can be rejoined or set
  // aside; a parser that lost its footing would leave most of the file unparsed.
  assert.ok(i.unparsed < i.lines / 4, `unparsed ${i.unparsed} of ${i.lines} lines`);
  assert.ok(i.unparsedLines.length <= i.unparsed);
  assert.equal(i.truncated, false);
  assert.equal(i.timestamps, 'time-of-day');

  // The same capture read from a stream gives the same report.
  const fromStream = await analyzeWithEvents(createReadStream(capture));
  assert.deepEqual(fromStream.report.files, report.files, 'files from a stream');
  assert.deepEqual(fromStream.report.processes, report.processes, 'processes from a stream');
  assert.equal(fromStream.events.length, events.length, 'events from a stream');
});
