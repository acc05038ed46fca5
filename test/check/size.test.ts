import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSize } from '../../src/check/size.js';
import { HeaptraceError } from '../../src/errors.js';

test('parseSize reads bytes, decimal and binary units, case-insensitively', () => {
  assert.equal(parseSize('4096'), 4096);
  assert.equal(parseSize('12B'), 12);
  assert.equal(parseSize('2kB'), 2000);
  assert.equal(parseSize('2KB'), 2000);
  assert.equal(parseSize('3MB'), 3_000_000);
  assert.equal(parseSize('1GB'), 1_000_000_000);
  assert.equal(parseSize('2KiB'), 2048);
  assert.equal(parseSize('2MiB'), 2 * 1024 * 1024);
  assert.equal(parseSize('2mib'), 2 * 1024 * 1024);
  assert.equal(parseSize('1GiB'), 1024 ** 3);
  assert.equal(parseSize('2Mi'), 2 * 1024 * 1024);
});

test('parseSize accepts decimals and surrounding whitespace', () => {
  assert.equal(parseSize('1.5MiB'), 1.5 * 1024 * 1024);
  assert.equal(parseSize(' 1.5 kB '), 1500);
  assert.equal(parseSize('.5KiB'), 512);
});

test('parseSize rejects anything else with HT_BAD_SIZE naming the value', () => {
  for (const bad of ['12QB', '', 'MiB', '-1', '1.2.3MB', '2 MiB B', '1e6', 'ten']) {
    assert.throws(
      () => parseSize(bad),
      (e: unknown) =>
        e instanceof HeaptraceError &&
        e.code === 'HT_BAD_SIZE' &&
        e.exitCode === 2 &&
        e.message === `got ${JSON.stringify(bad)}: sizes are a number with B, kB, MB, GB, KiB, MiB or GiB`,
      bad,
    );
  }
});
