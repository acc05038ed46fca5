// The Vega-Lite spec: valid against vega-lite's own schema and compiled without a word logged, for
// every kind of report; the peak is exact, the colours name the top files, trace text stays data.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyze, validateReport, type Report } from '../../src/index.js';
import { NO_FILE, OTHER_FILES, TOP_FILES, TOP_PROCESSES, globalPeak, shortNames, vegaLiteSpec } from '../../src/report/vega-lite.js';
import { SAMPLES } from '../helpers/paths.js';
import { HOSTILE_COMMAND, HOSTILE_FILE, HOSTILE_TRACE, compileMessages, forkingTrace, vegaLiteSchemaErrors } from '../helpers/vega.js';

function sample(name: string): Report {
  return JSON.parse(readFileSync(`${SAMPLES}${name}.expected.json`, 'utf8')) as Report;
}

/** Three processes reading twelve files, each file followed by its own growth. */
function busyTrace(): string {
  const lines: string[] = [];
  let t = 0;
  const at = () => `12:00:${(t++ / 100).toFixed(6).padStart(9, '0')}`;
  for (const pid of [10, 11, 12]) {
    lines.push(`${pid} ${at()} brk(NULL) = 0x1000000`);
    for (let i = 0; i < 12; i++) {
      const fd = 3 + i;
      lines.push(`${pid} ${at()} openat(AT_FDCWD, "/data/${pid}/part-${i}.xml", O_RDONLY) = ${fd}`);
      lines.push(`${pid} ${at()} read(${fd}, "<a/>", 4096) = 4`);
      lines.push(`${pid} ${at()} brk(0x${(0x1000000 + (i + 1) * (i + 1) * 0x10000).toString(16)}) = 0x${(0x1000000 + (i + 1) * (i + 1) * 0x10000).toString(16)}`);
    }
  }
  return lines.join('\n');
}

interface Spec {
  datasets: Record<string, Record<string, unknown>[]>;
  vconcat: { title?: { subtitle?: string[] }; layer?: { encoding?: { color?: { scale?: { domain?: string[] } }; strokeDash?: { scale?: { domain?: string[] } } } }[] }[];
}

async function reports(): Promise<[string, Report][]> {
  const minidom = sample('python-minidom');
  const withResident = await analyze({ text: busyTrace() });
  const s = withResident.timeline.series[0];
  assert.ok(s);
  withResident.timeline.resident = [{ pid: s.pid, x: s.x.slice(0, 5), rss: s.heap.slice(0, 5).map((h) => h + 4096), privateDirty: s.heap.slice(0, 5) }];
  assert.equal(validateReport(withResident), null);
  return [
    ['python-minidom (timed, real)', minidom],
    ['registry-spike (no timestamps)', sample('registry-spike')],
    ['hostile names', await analyze({ text: HOSTILE_TRACE })],
    ['three processes, 36 files', await analyze({ text: busyTrace() })],
    ['twenty-one processes (a dozen drawn)', await analyze({ text: forkingTrace(20) })],
    ['resident series', withResident],
    ['empty trace', await analyze({ text: 'getpid() = 5' })],
    ['ltrace with -S (requested and mapped)', sample('ltrace-files')],
  ];
}

test('every spec validates against the schema vega-lite ships and compiles to Vega with nothing logged', async () => {
  for (const [name, report] of await reports()) {
    for (const overview of [true, false]) {
      const spec = vegaLiteSpec(report, { overview });
      assert.deepEqual(vegaLiteSchemaErrors(spec), [], `${name}: schema`);
      assert.deepEqual(compileMessages(spec), { warnings: [], errors: [] }, `${name}: compile`);
    }
  }
});

test('the schema check and the compile check can fail', () => {
  const spec = vegaLiteSpec(sample('registry-spike'));
  assert.notDeepEqual(vegaLiteSchemaErrors({ ...spec, vconcat: [{ mark: 'wiggle' }] }), []);
  const warned = compileMessages({ data: { values: [{ a: 1 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' }, shape: { field: 'a', type: 'quantitative' } } });
  assert.ok(warned.warnings.length > 0);
});

test('the peak is marked exactly, and its tooltip names the file whose growth reached it', async () => {
  const report = sample('python-minidom');
  const spec = vegaLiteSpec(report) as unknown as Spec;
  const peak = spec.datasets['peak']?.[0];
  const highest = Math.max(...report.processes.map((p) => p.heap.peak));
  assert.equal(peak?.['bytes'], highest);
  assert.equal(peak?.['t'], report.processes[0]?.heap.peakTime);
  assert.equal(peak?.['path'], '/tmp/registry.xml');
  assert.deepEqual(globalPeak(report), { pid: 13057, x: peak?.['t'], bytes: highest });
});

test('colours name the top files by heap peak, the rest are "other files", heap without a file "no file"', async () => {
  const report = await analyze({ text: busyTrace() });
  const spec = vegaLiteSpec(report) as unknown as Spec;
  const dots = spec.vconcat[0]?.layer?.[1];
  const domain = dots?.encoding?.color?.scale?.domain ?? [];
  assert.equal(domain.length, TOP_FILES + 2);
  assert.deepEqual(domain.slice(-2), [OTHER_FILES, NO_FILE]);
  const top = report.files.slice(0, TOP_FILES).map((f) => f.path);
  const names = shortNames(top);
  assert.deepEqual(domain.slice(0, TOP_FILES), top.map((p) => names.get(p)));
  // Every activity point is coloured by one of those names, and the others are "other files".
  const activity = spec.datasets['activity'] ?? [];
  for (const a of activity) {
    assert.ok(domain.includes(a['file'] as string), String(a['file']));
    if (!top.includes(a['path'] as string) && a['path'] !== NO_FILE) assert.equal(a['file'], OTHER_FILES);
  }
  assert.ok(activity.some((a) => a['file'] === OTHER_FILES));
  // Three processes, one line each for heap and writable.
  const memory = spec.datasets['memory'] ?? [];
  assert.deepEqual(new Set(memory.map((m) => m['proc'])), new Set(['pid 10', 'pid 11', 'pid 12']));
  const lines = [...new Set(memory.map((m) => `${String(m['proc'])}: ${String(m['kind'])}`))].sort();
  assert.deepEqual(lines, ['pid 10: heap', 'pid 10: writable', 'pid 11: heap', 'pid 11: writable', 'pid 12: heap', 'pid 12: writable']);
  assert.deepEqual(spec.vconcat[0]?.layer?.[0]?.encoding?.strokeDash?.scale?.domain, ['heap', 'writable']);
});

test('past a dozen processes the timeline draws those with the highest heap peak, and says so', async () => {
  const report = await analyze({ text: forkingTrace(20) });
  assert.equal(report.processes.length, 21);
  const spec = vegaLiteSpec(report) as unknown as Spec;
  // Child i grew by i × 64 KiB: children 9 to 20 are drawn, the parent (peak 0) and children 1 to 8 are not.
  const drawn = Array.from({ length: TOP_PROCESSES }, (_, k) => `pid ${109 + k}`);
  const memory = spec.datasets['memory'] ?? [];
  assert.deepEqual(new Set(memory.map((m) => m['proc'])), new Set(drawn));
  assert.deepEqual(new Set(spec.datasets['activity']?.map((a) => a['pid'])), new Set(drawn.map((d) => Number(d.slice(4)))));
  assert.deepEqual(new Set(spec.vconcat[0]?.layer?.[0]?.encoding?.color?.scale?.domain), new Set(drawn));
  assert.equal(spec.datasets['peak']?.[0]?.['pid'], 120);
  assert.match(spec.vconcat[0]?.title?.subtitle?.[0] ?? '', / · drawn: the 12 of 21 processes with the highest heap peak$/);
  // Only files read by drawn processes are named in the colours: here the costliest file of all is
  // made child 1's, which is not drawn.
  const skewed = structuredClone(report);
  const first = skewed.files.find((f) => f.path === '/data/1.xml');
  assert.ok(first);
  first.heap.peak = 1 << 30;
  skewed.files = [first, ...skewed.files.filter((f) => f !== first)];
  const files = (vegaLiteSpec(skewed) as unknown as Spec).vconcat[0]?.layer?.[1]?.encoding?.color?.scale?.domain ?? [];
  assert.equal(files.length, TOP_FILES + 2);
  assert.ok(files.every((f) => [OTHER_FILES, NO_FILE].includes(f) || Number(/(\d+)\.xml$/.exec(f)?.[1]) >= 9), files.join(' '));
  // A dozen lines or fewer: all drawn, nothing said (the parent, whose heap never moved, has none).
  const few = vegaLiteSpec(await analyze({ text: forkingTrace(TOP_PROCESSES) })) as unknown as Spec;
  assert.equal(new Set(few.datasets['memory']?.map((m) => m['proc'])).size, TOP_PROCESSES);
  assert.doesNotMatch(few.vconcat[0]?.title?.subtitle?.[0] ?? '', /drawn/);
});

test('when more processes tie for the last places than there are, the drawn ones are spread over the trace', async () => {
  // 30 children whose heaps all peak at 64 KiB, and 3 that peak higher: those 3 are drawn, and 9
  // of the 30 tied, the first and the last among them.
  const lines: string[] = [];
  let t = 0;
  const at = (): string => `12:00:${(t++ / 1000).toFixed(6).padStart(9, '0')}`;
  const big = new Set([7, 19, 28]);
  for (let i = 1; i <= 33; i++) {
    const pid = 100 + i;
    const top = (0x2000000 + (big.has(i) ? 0x40000 : 0x10000)).toString(16);
    lines.push(`100 ${at()} clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0000000a10) = ${pid}`);
    lines.push(`${pid} ${at()} brk(NULL) = 0x2000000`);
    lines.push(`${pid} ${at()} brk(0x${top}) = 0x${top}`);
    lines.push(`${pid} ${at()} exit_group(0) = ?`);
    lines.push(`${pid} ${at()} +++ exited with 0 +++`);
  }
  const report = await analyze({ text: lines.join('\n') + '\n' });
  const spec = vegaLiteSpec(report) as unknown as Spec;
  const drawn = [...new Set(spec.datasets['memory']?.map((m) => Number(String(m['proc']).slice(4))))].sort((a, b) => a - b);
  const tiedPids = Array.from({ length: 33 }, (_, k) => k + 1).filter((i) => !big.has(i)).map((i) => 100 + i);
  // Spread evenly over the 30 tied, in the order the trace shows them: positions 0, 3.6, 7.3, … 29.
  const spread = Array.from({ length: 9 }, (_, k) => tiedPids[Math.round((k * 29) / 8)] as number);
  assert.deepEqual(drawn, [...spread, 107, 119, 128].sort((a, b) => a - b));
  assert.equal(spread[0], 101);
  assert.equal(spread[8], 133);
  assert.match(spec.vconcat[0]?.title?.subtitle?.[0] ?? '', / · drawn: the 12 of 34 processes with the highest heap peak \(9 of the 30 that tie, spread over the trace\)$/);
  // The peak's process is drawn when every process ties for the highest peak: the first of them.
  const flat = await analyze({ text: forkingTrace(20).replace(/brk\(0x[0-9a-f]+\) = 0x[0-9a-f]+/g, 'brk(0x2010000) = 0x2010000') });
  const flatSpec = vegaLiteSpec(flat) as unknown as Spec;
  const flatDrawn = new Set(flatSpec.datasets['memory']?.map((m) => m['proc']));
  assert.equal(flatDrawn.size, TOP_PROCESSES);
  assert.ok(flatDrawn.has(`pid ${String(flatSpec.datasets['peak']?.[0]?.['pid'])}`));
  assert.ok(flatDrawn.has('pid 101') && flatDrawn.has('pid 120'));
});

test('the sum of files a busy bucket could not list is drawn as "other files", heap charged to no file as "no file"', () => {
  const report = sample('python-minidom');
  const pid = report.timeline.series[0]?.pid ?? 0;
  report.timeline.activity.push(
    { x: 0.01, pid, path: null, summed: true, reads: 30, bytesRead: 3000, heap: 8192, growth: 8192 },
    { x: 0.02, pid, path: null, summed: false, reads: 0, bytesRead: 0, heap: 4096, growth: 4096 },
  );
  const dots = ((vegaLiteSpec(report) as unknown as Spec).datasets['activity'] ?? []).filter((d) => d['path'] === OTHER_FILES || d['path'] === NO_FILE);
  assert.deepEqual(dots.map((d) => [d['t'], d['file'], d['path']]).filter(([t]) => t === 0.01 || t === 0.02), [[0.01, OTHER_FILES, OTHER_FILES], [0.02, NO_FILE, NO_FILE]]);
});

test('short names stay distinct: more of the path where the last part collides', () => {
  const names = shortNames(['/a/x/conf.xml', '/b/x/conf.xml', '/c/y/conf.xml', '/d/other.txt', 'plain', '</script><b>']);
  assert.deepEqual([...names.values()], ['/a/x/conf.xml', '/b/x/conf.xml', '…/y/conf.xml', '…/other.txt', 'plain', '…/script><b>']);
});

test('the x axis is seconds with timestamps and event order without', () => {
  const timed = JSON.stringify(vegaLiteSpec(sample('python-minidom')));
  const untimed = JSON.stringify(vegaLiteSpec(sample('registry-spike')));
  assert.match(timed, /seconds from the start of the trace/);
  assert.match(untimed, /trace events \(the trace has no timestamps\)/);
});

test('resident memory, when sampled, is drawn as two more dashed series per process', () => {
  const report = sample('python-minidom');
  const s = report.timeline.series[0];
  assert.ok(s);
  report.timeline.resident = [{ pid: s.pid, x: [0, 0.05], rss: [1 << 20, 3 << 20], privateDirty: [1 << 19, 2 << 20] }];
  const spec = vegaLiteSpec(report) as unknown as Spec;
  const memory = spec.datasets['memory'] ?? [];
  assert.deepEqual(memory.filter((m) => m['kind'] === 'resident').map((m) => m['bytes']), [1 << 20, 3 << 20]);
  assert.deepEqual(memory.filter((m) => m['kind'] === 'private dirty').map((m) => m['bytes']), [1 << 19, 2 << 20]);
  assert.deepEqual(spec.vconcat[0]?.layer?.[0]?.encoding?.strokeDash?.scale?.domain, ['heap', 'writable', 'resident', 'private dirty']);
});

test('ltrace input is drawn as requested bytes, with the mapped and writable bytes of its -S lines beside them', () => {
  const report = sample('ltrace-files');
  const s = report.timeline.series[0];
  assert.ok(s?.mapped);
  const spec = vegaLiteSpec(report) as unknown as Spec & { vconcat: { title?: { text?: string } }[] };
  const memory = spec.datasets['memory'] ?? [];
  assert.deepEqual(memory.filter((m) => m['kind'] === 'requested').map((m) => m['bytes']), s.heap);
  assert.deepEqual(memory.filter((m) => m['kind'] === 'mapped').map((m) => m['bytes']), s.mapped);
  assert.equal(memory.filter((m) => m['kind'] === 'heap').length, 0);
  assert.deepEqual(spec.vconcat[0]?.layer?.[0]?.encoding?.strokeDash?.scale?.domain, ['requested', 'mapped', 'writable']);
  assert.match(spec.vconcat[0]?.title?.text ?? '', /requested/);
  // Without -S lines there is nothing mapped or writable to draw: only the requested bytes.
  const plain = structuredClone(report);
  plain.timeline.series = plain.timeline.series.map(({ mapped: _m, ...rest }) => rest);
  plain.processes = plain.processes.map(({ mapped: _m, overhead: _o, ...rest }) => rest);
  const kinds = new Set(((vegaLiteSpec(plain) as unknown as Spec).datasets['memory'] ?? []).map((m) => m['kind']));
  assert.deepEqual([...kinds], ['requested']);
});

test('trace text is data only: names and commands appear in the datasets (and as a literal scale domain) and nowhere else', async () => {
  const report = await analyze({ text: HOSTILE_TRACE });
  const spec = vegaLiteSpec(report) as unknown as Spec & Record<string, unknown>;
  const data = JSON.stringify(spec.datasets);
  assert.ok(data.includes(JSON.stringify(HOSTILE_FILE).slice(1, -1)));
  assert.ok(data.includes('__proto__'));
  assert.ok(data.includes('\u2028'));
  // Besides the datasets, the colour scales' domains list the top files' short names and the
  // processes' labels, as literal values.
  const files = spec.vconcat[0]?.layer?.[1]?.encoding?.color?.scale?.domain ?? [];
  const procs = spec.vconcat[0]?.layer?.[0]?.encoding?.color?.scale?.domain ?? [];
  assert.ok(files.includes('…/script><img src=x onerror=alert(1)>'));
  assert.deepEqual(procs, ['pid 100 <svg onload=alert(2)>']);
  const rest = JSON.stringify({ ...spec, datasets: null }).split(JSON.stringify(files)).join('null').split(JSON.stringify(procs)).join('null');
  for (const bad of ['<', 'onerror', 'onload', '__proto__', '\u2028']) assert.ok(!rest.includes(bad), bad);
  // The process is labelled by its command's last path part, as data.
  assert.ok((spec.datasets['memory'] ?? []).every((m) => m['proc'] === `pid 100 ${HOSTILE_COMMAND.slice(2)}`));
});
