// Python's xml.dom.minidom parsing a registry-like XML file (the product's motivating case): the
// model's writable change over the parse equals the kernel's VmData change to the byte (SPEC §1),
// and the XML file is charged the parse's growth and is the file with the most growth (SPEC §2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  analyzeWithEvents,
  describeFiles,
  fileEntry,
  fileSize,
  pairMarks,
  parseMarks,
  phaseDelta,
  programSource,
  pythonExecutable,
  straceToFile,
  workDir,
  writeRegistryXml,
} from '../helpers/trace.js';

test('python minidom parse: VmData exact, the XML file charged the growth and the biggest', async (t) => {
  const dir = workDir(t, 'minidom', 'strace', 'python3');
  if (dir === null) return;
  const xml = writeRegistryXml(dir);
  const trace = join(dir, 'trace.txt');
  const run = straceToFile([pythonExecutable(), programSource('xml_parse.py'), xml], trace);

  const { report, events } = await analyzeWithEvents(trace);
  const marks = parseMarks(run.stdout);
  assert.deepEqual(
    marks.map((m) => m.label),
    ['before', 'after'],
    `program output: ${run.stdout}`,
  );
  const pid = (marks[0] as { pid: number }).pid;
  const d = phaseDelta(pairMarks(marks, events, pid), 'before', 'after');
  assert.ok(d.kernel >= 2 * 1024 * 1024, `the parse should grow VmData by megabytes; ΔVmData = ${d.kernel}`);
  assert.equal(d.model, d.kernel, `Δwritable ${d.model} != ΔVmData ${d.kernel} (model ${d.fromEvent.writable} → ${d.toEvent.writable})`);

  const f = fileEntry(report, xml);
  assert.equal(f.bytesRead, fileSize(xml), 'bytesRead is every byte read from the XML file');
  assert.ok(f.heap.growth > 0, 'the XML file was charged growth');
  // Everything that grows after the XML file is opened is the parse; before it, within the phase,
  // only the marker's own bookkeeping (a few bytes of Python objects) happens.
  assert.ok(
    f.heap.growth >= 0.9 * d.kernel,
    `registry.xml growth ${f.heap.growth} should be (nearly) the whole phase ΔVmData ${d.kernel}\n  ${describeFiles(report)}`,
  );
  assert.ok(f.heap.peak > 0 && f.heap.peak <= f.heap.growth);
  const biggest = [...report.files].sort((a, b) => b.heap.growth - a.heap.growth)[0];
  assert.equal(biggest?.path, xml, `the XML file should have the most growth\n  ${describeFiles(report)}`);
  const proc = report.processes.find((p) => p.pid === pid);
  assert.ok(proc, 'the python process is in the report');
  assert.equal(proc.topFile, xml, 'topFile of the python process');
  // SPEC §2: amplification = peak / bytesRead.
  assert.equal(f.amplification, f.heap.peak / f.bytesRead, 'amplification is peak / bytesRead');
});
