// Human units: one ladder of powers of 1024 for the text, the page and the charts' axes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, sizeUnit } from '../../src/report/units.js';

test('a size reads in the largest unit its magnitude reaches', () => {
  assert.deepEqual(sizeUnit(0), { name: 'B', size: 1 });
  assert.deepEqual(sizeUnit(1023), { name: 'B', size: 1 });
  assert.deepEqual(sizeUnit(1024), { name: 'KiB', size: 1024 });
  assert.deepEqual(sizeUnit(-0x73000), { name: 'KiB', size: 1024 });
  assert.deepEqual(sizeUnit(0x10cc000), { name: 'MiB', size: 1 << 20 });
  assert.deepEqual(sizeUnit(0x8ccccc000), { name: 'GiB', size: 1 << 30 });
  assert.deepEqual(sizeUnit(2 ** 60), { name: 'TiB', size: 2 ** 40 });
});

test('sizes are written with two, one or no decimals as they grow, in that unit', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1000), '1000 B');
  assert.equal(formatBytes(4096), '4 KiB');
  assert.equal(formatBytes(10_027_008), '9.56 MiB');
  assert.equal(formatBytes(-2_317_352), '-2.21 MiB');
  assert.equal(formatBytes(12_201_984), '11.6 MiB');
  assert.equal(formatBytes(150 * 2 ** 30), '150 GiB');
});
