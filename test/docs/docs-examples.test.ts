// docs/ci-budgets.md shows test/docs/registry-budget.test.ts as the way to use the library from a
// node:test suite; this holds the page and the test to the same text, so the example always runs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ROOT } from '../helpers/paths.js';

test('the node:test example in docs/ci-budgets.md is the test that runs', () => {
  const doc = readFileSync(ROOT + 'docs/ci-budgets.md', 'utf8');
  const example = readFileSync(ROOT + 'test/docs/registry-budget.test.ts', 'utf8');
  assert.ok(doc.includes('```ts\n' + example + '```'), 'docs/ci-budgets.md must quote test/docs/registry-budget.test.ts exactly');
});
