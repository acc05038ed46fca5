// The report's JSON text: the same value as JSON.stringify gives, with plain arrays and objects on
// one line, written in pieces.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { analyze } from '../../src/index.js';
import { formatJson, jsonPieces } from '../../src/report/json.js';
import { SAMPLES } from '../helpers/paths.js';
import { forkingTrace, HOSTILE_TRACE } from '../helpers/vega.js';

const same = (v: unknown) => assert.deepEqual(JSON.parse(formatJson(v)), JSON.parse(JSON.stringify(v)));

test('every sample\'s report, a hostile one and one of 400 processes read back as JSON.stringify\'s', async () => {
  const traces = readdirSync(SAMPLES).filter((f) => /\.[ls]trace$/.test(f)).map((f) => SAMPLES + f);
  for (const input of [...traces, { text: HOSTILE_TRACE }, { text: forkingTrace(400) }]) same(await analyze(input));
});

test('values JSON.stringify treats specially come out as it writes them', () => {
  const odd = JSON.parse('{"__proto__": {"a": 1}, "b": [1, "x]", null, "}\\n{"], "c": {"d": "</script><img onerror=alert(1)>"}}') as Record<string, unknown>;
  same(odd);
  same({ a: [1, undefined, () => 1, NaN, -0, 1e21, 5e-7], b: undefined, c: Symbol('s'), d: new Date(0), e: [[], {}, [[]], [{}]], f: '\u2028"\\' });
  same([{ x: 1 }, [2, [3, [4, [5]]]], { y: { z: { w: { v: [1, { u: 2 }] } } } }]);
  for (const v of [null, 1, 'x', true, [], {}]) same(v);
});

test('plain arrays and objects take one line; a container of containers one line per member', async () => {
  const r = await analyze(SAMPLES + 'python-minidom.strace');
  const text = formatJson(r);
  const lines = text.split('\n');
  const series = r.timeline.series[0];
  assert.ok(series !== undefined && series.x.length > 50);
  assert.ok(lines.includes(`        "x": ${JSON.stringify(series.x)},`), 'a series\' x on one line');
  assert.ok(lines.includes(`      "heap": ${JSON.stringify(r.processes[0]?.heap)},`), 'a process\'s heap summary on one line');
  assert.ok(lines.includes(`      ${JSON.stringify(r.timeline.activity[0])},`), 'an activity entry on one line');
  assert.ok(lines.includes('      "threads": [13057],'));
  assert.equal(lines[0], '{');
  assert.equal(lines[1], '  "schemaVersion": 1,');
  assert.ok(text.endsWith('}\n'));
  // Far shorter than JSON.stringify's layout, and still indented.
  const ratio = text.length / JSON.stringify(r, null, 2).length;
  assert.ok(ratio < 0.8, `${ratio}`);
});

test('the pieces are the text, none much longer than 64 KiB', async () => {
  const r = await analyze({ text: forkingTrace(2000) });
  const pieces = [...jsonPieces(r)];
  assert.ok(pieces.length > 10, `${pieces.length} pieces`);
  assert.equal(pieces.join(''), formatJson(r));
  const longest = Math.max(...pieces.map((p) => p.length));
  assert.ok(longest < (1 << 16) + 8192, `longest piece ${longest}`);
});
