import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, assertMaxHeapDelta } from 'heaptrace';

test('loading registry.xml stays within its memory budget', async () => {
  const report = await analyze('samples/registry-spike.strace');
  const registry = report.file('registry.xml');
  assert.ok(registry, 'the trace read registry.xml');
  assert.equal(registry.bytesRead, 16384);

  assertMaxHeapDelta(report, 'registry.xml', '10MiB'); // passes: the peak is 9.56 MiB
  assert.throws(() => assertMaxHeapDelta(report, 'registry.xml', '2MiB'), {
    name: 'AssertionError',
    message: /^registry\.xml: heap peak 9\.56 MiB exceeds 2 MiB \(16 KiB read, 612x\)/,
  });
});
