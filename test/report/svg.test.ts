// The SVG rendering: vega's own renderer in Node draws the marks with nothing logged, and trace
// text comes out as escaped text.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyze, type Report } from '../../src/index.js';
import { renderSvg, type VegaMessages } from '../../src/report/svg.js';
import { vegaLiteSpec } from '../../src/report/vega-lite.js';
import { SAMPLES } from '../helpers/paths.js';
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
