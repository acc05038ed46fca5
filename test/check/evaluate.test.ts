import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate, editDistance } from '../../src/check/evaluate.js';
import type { Rule } from '../../src/check/rules.js';
import { analyze, type Report } from '../../src/index.js';
import { SAMPLES } from '../helpers/paths.js';

const REG = '/home/wingo/f/flumotion/cache/registry/registry.xml';
const spike = (): Promise<Report> => analyze(SAMPLES + 'registry-spike.strace');
const MiB = 1024 * 1024;
const rule = (kind: Rule['kind'], glob: string | null, limit: number): Rule => ({ kind, glob, limit });

test('max-delta passes above the file peak and fails below it, with the promised messages', async () => {
  const report = await spike();
  const out = evaluate(report, [rule('max-delta', 'registry.xml', 10 * MiB), rule('max-delta', 'registry.xml', 2 * MiB)]);
  assert.equal(out.passed, false);
  const [pass, fail] = out.results;
  assert.equal(pass?.status, 'pass');
  assert.equal(pass?.measured, 10_027_008);
  assert.equal(pass?.message, `PASS  max-delta registry.xml ≤ 10 MiB: 9.56 MiB (${REG})`);
  assert.equal(fail?.status, 'fail');
  assert.deepEqual(fail?.files, [REG]);
  assert.equal(fail?.message, `FAIL  max-delta registry.xml ≤ 2 MiB: 9.56 MiB (${REG}, 16 KiB read, 612x)`);
});

test('net, growth, amplification and the process rules measure what they say', async () => {
  const report = await spike();
  const f = report.files[0];
  const p = report.processes[0];
  assert.ok(f && p);
  const out = evaluate(report, [
    rule('max-net', '**/registry/*', f.heap.net),
    rule('max-growth', '*.xml', f.heap.growth - 1),
    rule('max-amplification', 'registry.xml', 1000),
    rule('max-heap', null, p.heap.peak),
    rule('max-writable', null, p.writable.peak - 1),
  ]);
  assert.deepEqual(
    out.results.map((r) => [r.status, r.measured]),
    [
      ['pass', f.heap.net],
      ['fail', f.heap.growth],
      ['pass', f.amplification],
      ['pass', p.heap.peak],
      ['fail', p.writable.peak],
    ],
  );
});

test('a glob matching no file fails and names the nearest paths, unless missing files are allowed', async () => {
  const report = await spike();
  const r = evaluate(report, [rule('max-delta', 'registy.xml', 10 * MiB)]);
  assert.equal(r.passed, false);
  assert.equal(r.results[0]?.measured, null);
  assert.match(r.results[0]?.message ?? '', /^FAIL  max-delta registy\.xml ≤ 10 MiB: no file matches; nearest: \/home\/wingo\/.*registry\.xml$/);
  const allowed = evaluate(report, [rule('max-delta', 'registy.xml', 10 * MiB)], { allowMissing: true });
  assert.equal(allowed.passed, true);
});

test('editDistance', () => {
  assert.equal(editDistance('registy.xml', 'registry.xml'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});
