// SPEC §2: a descriptor's name comes from strace's -y decoration with strace's escapes decoded.
// strace writes `<` and `>` in a decorated path as octal escapes (`\74`, or `\074` before a digit),
// non-ASCII bytes as octal (`\303\251` for "é") and quotes, tabs, newlines and backslashes as C
// escapes. A real program reads a file with all of those in its name and then grows a buffer:
// the report must name the file exactly as it is on disk and charge it the whole phase.
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

test('a file whose name needs strace escapes is reported under its real name', async (t) => {
  const dir = workDir(t, 'file-names', 'strace', 'gcc');
  if (dir === null) return;
  const program = compileC('realloc', dir);
  const input = join(dir, 'rec<1> "q" é\tx\\y\nz>.dat');
  writeFileSync(input, 'n'.repeat(30_000));
  const trace = join(dir, 'trace.txt');
  const run = straceToFile([program, input, '8'], trace);

  const { report, events } = await analyzeWithEvents(trace);
  const marks = parseMarks(run.stdout);
  const pid = (marks[0] as { pid: number }).pid;
  const grown = phaseDelta(pairMarks(marks, events, pid), 'before', 'grown');
  assert.ok(grown.kernel >= 8 * MiB);
  assert.equal(grown.model, grown.kernel, 'Δwritable = ΔVmData');

  assert.ok(
    events.some((e) => e.syscall === 'read' && e.path === input),
    `read events name the file by its decoded name; read paths seen: ${JSON.stringify([
      ...new Set(events.filter((e) => e.syscall === 'read').map((e) => e.path)),
    ])}`,
  );
  const f = fileEntry(report, input);
  assert.equal(f.bytesRead, fileSize(input));
  assert.equal(f.opens, 1);
  assert.equal(f.heap.growth, grown.kernel, `growth\n  ${describeFiles(report)}`);
  // No second, mis-decoded entry for the same file.
  const others = report.files.filter((x) => x.path !== input && x.path.includes('rec'));
  assert.deepEqual(others.map((x) => x.path), [], 'one entry for the file');
});
