import assert, { AssertionError } from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, assertMaxHeapDelta, findFile } from '../../src/index.js';
import { SAMPLES } from '../helpers/paths.js';

const spike = () => analyze(SAMPLES + 'registry-spike.strace');

test('findFile finds by basename or glob, undefined when nothing matches', async () => {
  const report = await spike();
  assert.equal(findFile(report, 'registry.xml')?.heap.peak, 10_027_008);
  assert.equal(findFile(report, '/home/**/*.xml')?.bytesRead, 16384);
  assert.equal(findFile(report, 'nothing.xml'), undefined);
});

test('assertMaxHeapDelta passes under the budget and throws AssertionError over it', async () => {
  const report = await spike();
  assertMaxHeapDelta(report, 'registry.xml', '10MiB');
  assertMaxHeapDelta(report, 'registry.xml', 10_027_008);
  assert.throws(
    () => assertMaxHeapDelta(report, 'registry.xml', '2MiB'),
    (e: unknown) =>
      e instanceof AssertionError &&
      e.message.startsWith('registry.xml: heap peak 9.56 MiB exceeds 2 MiB (16 KiB read, 612x)') &&
      e.actual === 10_027_008,
  );
  assert.throws(() => assertMaxHeapDelta(report, 'registy.xml', '2MiB'), (e: unknown) => e instanceof AssertionError && /nearest: .*registry\.xml/.test(e.message));
});
