// One decision about which memory series a report has (memoryKinds) and one label per process
// (processLabels), and the text summary, the HTML page and the charts all following them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyze, type Report } from '../../src/index.js';
import { renderHtml } from '../../src/report/html.js';
import { labelOf, memoryKinds, processLabels, type MemoryKinds } from '../../src/report/labels.js';
import { formatText } from '../../src/report/text.js';
import { vegaLiteSpec } from '../../src/report/vega-lite.js';
import { SAMPLES } from '../helpers/paths.js';

function sample(name: string): Report {
  return JSON.parse(readFileSync(`${SAMPLES}${name}.expected.json`, 'utf8')) as Report;
}

/** The ltrace -S sample without its system call lines: what plain ltrace would have logged. */
async function plainLtrace(): Promise<Report> {
  const text = readFileSync(`${SAMPLES}ltrace-files.ltrace`, 'utf8').split('\n').filter((l) => !/^\d+ \S+ SYS_/.test(l)).join('\n');
  return analyze({ text });
}

async function cases(): Promise<[string, Report, MemoryKinds][]> {
  return [
    ['strace', sample('python-minidom'), { heap: 'heap', mapped: false, writable: true }],
    ['ltrace -S', sample('ltrace-files'), { heap: 'requested', mapped: true, writable: true }],
    ['ltrace', await plainLtrace(), { heap: 'requested', mapped: false, writable: false }],
  ];
}

test('memoryKinds: strace has heap and writable, ltrace requested bytes only, ltrace -S requested, mapped and writable', async () => {
  for (const [name, report, want] of await cases()) {
    assert.equal(report.input.format, name === 'strace' ? 'strace' : 'ltrace', name);
    assert.deepEqual(memoryKinds(report), want, name);
  }
});

test('the text summary, the HTML page and the chart show the same memory series', async () => {
  for (const [name, report, want] of await cases()) {
    const spec = vegaLiteSpec(report) as { vconcat: { layer?: { encoding?: { strokeDash?: { scale?: { domain?: string[] } } } }[] }[] };
    const drawn = spec.vconcat[0]?.layer?.[0]?.encoding?.strokeDash?.scale?.domain;
    assert.deepEqual(drawn, [want.heap, ...(want.mapped ? ['mapped'] : []), ...(want.writable ? ['writable'] : [])], name);

    const text = formatText(report, { top: 10, color: false });
    assert.equal(/WRIT PEAK/.test(text), want.writable, `${name}: text writable`);
    assert.equal(/MAPPED PEAK/.test(text), want.mapped, `${name}: text mapped`);

    const html = await renderHtml(report);
    const cards = [...html.matchAll(/<dt>([^<]*)<\/dt>/g)].map((m) => m[1]).filter((k) => k?.startsWith('peak '));
    assert.deepEqual(cards, [`peak ${want.heap}`, ...(want.mapped ? ['peak mapped'] : []), ...(want.writable ? ['peak writable'] : [])], name);
    const meta = /<ul class="tree" id="processes"><li>.*?<span class="meta">([^<]*)/.exec(html)?.[1] ?? '';
    assert.match(meta, new RegExp(`^${want.heap} peak `), name);
    assert.equal(meta.includes('writable peak'), want.writable, `${name}: tree writable`);
    assert.equal(meta.includes('mapped peak'), want.mapped, `${name}: tree mapped`);
  }
});

test('processLabels: the pid and the command\'s last path part, built for every process', () => {
  const report = sample('python-minidom');
  const labels = processLabels(report);
  assert.deepEqual([...labels], [[13057, 'pid 13057 python3']]);
  const p = report.processes[0];
  assert.ok(p);
  report.processes = [{ ...p, pid: 1, command: null }, { ...p, pid: 2, command: 'python3' }, { ...p, pid: 3, command: '/usr/bin/' }];
  assert.deepEqual([...processLabels(report)], [[1, 'pid 1'], [2, 'pid 2 python3'], [3, 'pid 3 bin']]);
  assert.equal(labelOf(labels, 13057), 'pid 13057 python3');
  assert.equal(labelOf(labels, 99), 'pid 99', 'a pid without a process');
});
