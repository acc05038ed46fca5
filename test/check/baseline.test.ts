import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowance, compareBaseline, parseBaseline, parseTolerance } from '../../src/check/baseline.js';
import { analyze, isHeaptraceError } from '../../src/index.js';
import { SAMPLES } from '../helpers/paths.js';

test('tolerances are relative, absolute, or both', () => {
  assert.deepEqual(parseTolerance('10%'), { relative: 0.1, absolute: 0, text: '10%' });
  assert.equal(parseTolerance('64KiB').absolute, 65536);
  assert.equal(allowance(1000, parseTolerance('10%+100')), 1200);
  assert.throws(() => parseTolerance('ten percent'), (e) => isHeaptraceError(e) && /a tolerance is a percentage/.test(e.message));
});

test('a baseline must be a heaptrace report', () => {
  assert.throws(() => parseBaseline('b.json', '{"files": []}'), (e) => isHeaptraceError(e) && e.exitCode === 2 && /not a heaptrace JSON report/.test(e.message));
  assert.throws(() => parseBaseline('b.json', 'nope'), /not a heaptrace JSON report/);
});

test('compareBaseline fails the files and programs that grew past the tolerance, including new ones', async () => {
  const now = await analyze(SAMPLES + 'registry-spike.strace');
  const base = structuredClone(now);
  const f = base.files[0];
  assert.ok(f);
  f.heap.peak = 9_000_000;
  base.files.push({ ...f, path: '/gone.xml', heap: { peak: 5, net: 5, growth: 5 } });
  const results = compareBaseline(now, base, parseTolerance('10%'));
  const byName = new Map(results.map((r) => [r.rule.glob ?? 'program', r]));
  assert.equal(byName.get(f.path)?.status, 'fail', '10,027,008 > 9,000,000 + 10%');
  assert.equal(byName.get('/gone.xml')?.status, 'pass', 'a file no longer read costs nothing');
  assert.equal(compareBaseline(now, now, parseTolerance('0%')).every((r) => r.status === 'pass'), true);
});
