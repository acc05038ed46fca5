import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRatio, parseRuleArg, parseRulesFile } from '../../src/check/rules.js';
import { HeaptraceError } from '../../src/errors.js';

const isCode = (code: string, pattern: RegExp) => (e: unknown) =>
  e instanceof HeaptraceError && e.code === code && e.exitCode === 2 && pattern.test(e.message);

test('option values: GLOB=SIZE for file rules, SIZE for process rules, RATIO for amplification', () => {
  assert.deepEqual(parseRuleArg('max-delta', 'registry.xml=2MiB'), { kind: 'max-delta', glob: 'registry.xml', limit: 2 * 1024 * 1024 });
  assert.deepEqual(parseRuleArg('max-net', 'a=b.xml=1kB'), { kind: 'max-net', glob: 'a=b.xml', limit: 1000 });
  assert.deepEqual(parseRuleArg('max-amplification', '*.xml=50x'), { kind: 'max-amplification', glob: '*.xml', limit: 50 });
  assert.deepEqual(parseRuleArg('max-heap', '64MiB'), { kind: 'max-heap', glob: null, limit: 64 * 1024 * 1024 });
  assert.equal(parseRatio('2.5'), 2.5);
});

test('bad option values name the option, the value and what was expected', () => {
  assert.throws(() => parseRuleArg('max-delta', 'registry.xml=12QB'), isCode('HT_BAD_SIZE', /^--max-delta "registry\.xml=12QB": got "12QB": sizes are/));
  assert.throws(() => parseRuleArg('max-delta', '2MiB'), isCode('HT_BAD_RULE', /expected GLOB=LIMIT/));
  assert.throws(() => parseRuleArg('max-delta', 'a[b=2MiB'), isCode('HT_BAD_GLOB', /never closed/));
  assert.throws(() => parseRuleArg('max-amplification', 'x=lots'), isCode('HT_BAD_RULE', /a ratio is a number/));
});

test('a rules file is validated and its rules parsed', () => {
  const rules = parseRulesFile(
    'r.json',
    JSON.stringify({ rules: [{ kind: 'max-delta', glob: 'registry.xml', limit: '2MiB' }, { kind: 'max-heap', limit: 1000 }] }),
  );
  assert.deepEqual(rules, [
    { kind: 'max-delta', glob: 'registry.xml', limit: 2097152 },
    { kind: 'max-heap', glob: null, limit: 1000 },
  ]);
});

test('a bad rules file names the rule index, the field and what was expected', () => {
  const bad = (rules: unknown[]) => () => parseRulesFile('r.json', JSON.stringify({ rules }));
  assert.throws(bad([{ kind: 'max-delta', glob: 'x', limit: '1MiB' }, { kind: 'max-dleta', glob: 'x', limit: '1MiB' }]), isCode('HT_BAD_RULE', /^r\.json is not a valid rules file: rules\[1\]\.kind expected one of max-delta, /));
  assert.throws(bad([{ kind: 'max-delta', limit: '1MiB' }]), isCode('HT_BAD_RULE', /rules\[0\]\.glob is missing/));
  assert.throws(bad([{ kind: 'max-delta', glob: 'x', limit: '12QB' }]), isCode('HT_BAD_RULE', /rules\[0\]\.limit got "12QB": sizes are/));
  assert.throws(bad([{ kind: 'max-delta', glob: 'x', limit: true }]), isCode('HT_BAD_RULE', /rules\[0\]\.limit expected: must be string,number/));
  assert.throws(bad([{ kind: 'max-heap', glob: 'x', limit: 1 }]), isCode('HT_BAD_RULE', /rules\[0\] is not allowed/));
  assert.throws(() => parseRulesFile('r.json', '{'), isCode('HT_BAD_RULE', /not JSON/));
  assert.throws(() => parseRulesFile('r.json', '{"rule": []}'), isCode('HT_BAD_RULE', /rules is missing/));
});
