// The SVG rendering: vega's own renderer in Node draws the marks with nothing logged, and trace
// text comes out as escaped text.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyze, type Report } from '../../src/index.js';
import { renderSvg, type VegaMessages } from '../../src/report/svg.js';
import { vegaLiteSpec } from '../../src/report/vega-lite.js';
import { SAMPLES } from '../helpers/paths.js';
import { analyzeLines } from '../helpers/trace.js';
import { HOSTILE_TRACE } from '../helpers/vega.js';

test('a real sample renders its lines, file activity, peak and bars, with nothing logged', async () => {
  const report = JSON.parse(readFileSync(`${SAMPLES}python-minidom.expected.json`, 'utf8')) as Report;
  const messages: VegaMessages = { warnings: [], errors: [] };
  const svg = await renderSvg(report, messages);
  assert.deepEqual(messages, { warnings: [], errors: [] });
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>$/);
  const count = (cls: string) => (svg.match(new RegExp(`class="[^"]*${cls}[^"]*"`, 'g')) ?? []).length;
  assert.equal(count('peak_marks'), 1);
  // One process: one line for its heap, one for its writable bytes.
  assert.equal(count('mark-line'), 2);
  // One circle per file-activity point the spec draws, one bar per file and measure.
  const activity = (vegaLiteSpec(report, { overview: false }) as { datasets: { activity: unknown[] } }).datasets.activity.length;
  assert.ok(activity > 0);
  const circles = /class="mark-symbol role-mark activity_marks"[^>]*>([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? '';
  assert.equal((circles.match(/<path /g) ?? []).length, activity);
  assert.match(svg, /peak 11\.6 MiB/);
  assert.match(svg, /…\/registry\.xml/);
  // The overview brush is for the page only.
  assert.doesNotMatch(svg, /overview/);
});

test('hostile names are escaped text in the SVG', async () => {
  const svg = await renderSvg(await analyze({ text: HOSTILE_TRACE }));
  assert.ok(!svg.includes('<img') && !svg.includes('<script') && !svg.includes('onerror=alert(1)>'));
  assert.ok(svg.includes('script&gt;&lt;img src=x onerror=alert(1)&gt;'));
});

/** The labels of each axis in an SVG vega drew, one list per axis, and the axis titles. */
function axes(svg: string): { labels: string[][]; titles: string[] } {
  const groups = [...svg.matchAll(/class="mark-text role-axis-label"[^>]*>([\s\S]*?)<\/g>/g)];
  const texts = (s: string) => [...s.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1] as string);
  const titles = [...svg.matchAll(/class="mark-text role-axis-title"[^>]*>([\s\S]*?)<\/g>/g)].flatMap((m) => texts(m[1] as string));
  return { labels: groups.map((m) => texts(m[1] as string)), titles };
}

test('byte axes read in the unit their values reach, and no two labels of an axis are the same', async () => {
  // Heaps of 0.45 MiB, 1.05 MiB and 2.2 GiB: a fixed MiB axis with one decimal labelled the first "0.4, 0.4, 0.5, 0.5".
  for (const [bytes, unit] of [[0x73000, 'KiB'], [0x10cc000, 'MiB'], [0x8ccccc000, 'GiB']] as const) {
    const top = (0x1000000 + bytes).toString(16);
    const report = await analyzeLines([
      '10 12:00:00.000000 brk(NULL) = 0x1000000',
      '10 12:00:00.100000 openat(AT_FDCWD, "/etc/app.conf", O_RDONLY) = 3',
      '10 12:00:00.200000 read(3, "x", 4096) = 1',
      `10 12:00:00.300000 brk(0x${top}) = 0x${top}`,
      '10 12:00:01.000000 exit_group(0) = ?',
      '10 12:00:01.000100 +++ exited with 0 +++',
    ]);
    const { labels, titles } = axes(await renderSvg(report));
    assert.ok(titles.filter((t) => t === unit).length >= 2, `${unit} on the timeline and the file bars: ${titles.join(' | ')}`);
    assert.ok(labels.length >= 3);
    for (const axis of labels) assert.equal(new Set(axis).size, axis.length, `repeated labels: ${axis.join(', ')}`);
  }
});
