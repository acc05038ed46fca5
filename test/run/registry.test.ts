// heaptrace run on the product's motivating case: Python parsing a registry-like XML file. The
// program prints the kernel's VmData before and after the parse; the report made while it ran
// charges the whole change to the XML file, to the byte (SPEC §1, §2).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateReport, type Report } from '../../src/index.js';
import { describeFiles, exitOf, fileEntry, fileSize, parseMarks, programSource, pythonExecutable, workDir, writeRegistryXml } from '../helpers/trace.js';
import { runMain } from './helpers.js';

test('run: the VmData change the program prints equals the report\'s net charge to the XML file', async (t) => {
  const dir = workDir(t, 'run-registry', 'strace', 'python3');
  if (dir === null) return;
  const xml = writeRegistryXml(dir);
  const json = join(dir, 'report.json');
  const r = await runMain(['run', '-q', '--json', json, '--', pythonExecutable(), programSource('registry_run.py'), xml]);
  assert.equal(r.code, 0, r.stderr);

  // The program's stdout passed through to ours; the summary went to stderr.
  const marks = parseMarks(r.stdout);
  assert.deepEqual(marks.map((m) => m.label), ['before', 'after'], `program output: ${r.stdout}`);
  assert.match(r.stdout, /^NODES \d+ 400$/m);
  assert.doesNotMatch(r.stdout, /Heap growth by file/);
  assert.match(r.stderr, /Heap growth by file/);

  const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  assert.equal(validateReport(report), null, 'the report validates against the schema');
  const kernel = ((marks[1]?.kb ?? 0) - (marks[0]?.kb ?? 0)) * 1024;
  assert.ok(kernel >= 2 * 1024 * 1024, `the parse should grow VmData by megabytes; ΔVmData = ${kernel}`);
  const f = fileEntry(report, xml);
  assert.equal(f.heap.net, kernel, `net charge to the XML file vs ΔVmData\n  ${describeFiles(report)}`);
  assert.equal(f.bytesRead, fileSize(xml));
  assert.equal(report.processes[0]?.pid, marks[0]?.pid, 'the program is the report\'s first process');
  assert.deepEqual(exitOf(report, report.processes[0]), { code: 0, signal: null });
  assert.equal(report.input.timestamps, 'epoch');
  assert.equal(report.input.partial, undefined, 'a complete run is not marked partial');
});

test('run with check rules: exit 1 when the XML file costs more than its budget, the program\'s 0 when it holds', async (t) => {
  const dir = workDir(t, 'run-rules', 'strace', 'python3');
  if (dir === null) return;
  const xml = writeRegistryXml(dir);
  const junit = join(dir, 'check.xml');
  const program = ['--', pythonExecutable(), programSource('registry_run.py'), xml];
  const over = await runMain(['run', '-q', '--max-delta', 'registry.xml=1MiB', '--junit', junit, ...program]);
  assert.equal(over.code, 1, over.stderr);
  assert.match(over.stderr, /^FAIL {2}max-delta registry\.xml ≤ 1 MiB: /m);
  assert.match(over.stderr, /1 of 1 checks failed/);
  assert.match(readFileSync(junit, 'utf8'), /<failure/);
  const within = await runMain(['run', '-q', '--max-delta', 'registry.xml=64MiB', '--max-heap', '1GiB', ...program]);
  assert.equal(within.code, 0, within.stderr);
  assert.match(within.stderr, /all 2 checks hold/);
  assert.match(within.stdout, /^MARK /m, 'the program\'s output still passes through');
});
