import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressSpace, ATTR } from '../../src/model/address-space.js';

const ANON_RW = ATTR.WRITABLE | ATTR.PRIVATE | ATTR.ANONYMOUS;
const FILE_RW = ATTR.WRITABLE | ATTR.PRIVATE;
const K = 4096;

test('anonymous private writable mappings count as heap and writable; file-backed only as writable', () => {
  const as = new AddressSpace();
  as.map(0x10000, 0x10000 + 4 * K, ANON_RW);
  as.map(0x20000, 0x20000 + 2 * K, FILE_RW);
  as.map(0x30000, 0x30000 + 8 * K, ATTR.PRIVATE | ATTR.ANONYMOUS); // PROT_NONE reservation
  as.map(0x40000, 0x40000 + 8 * K, ATTR.WRITABLE | ATTR.ANONYMOUS); // shared
  as.map(0x50000, 0x50000 + 8 * K, ANON_RW | ATTR.GROWSDOWN);
  assert.equal(as.heap, 4 * K);
  assert.equal(as.writable, 6 * K);
});

test('munmap splits an interval and mprotect changes only the covered part', () => {
  const as = new AddressSpace();
  as.map(0x100000, 0x100000 + 10 * K, ATTR.PRIVATE | ATTR.ANONYMOUS);
  as.protect(0x100000 + 2 * K, 0x100000 + 5 * K, true);
  assert.equal(as.heap, 3 * K);
  as.remove(0x100000 + 3 * K, 0x100000 + 4 * K);
  assert.equal(as.heap, 2 * K);
  assert.equal(as.attrsAt(0x100000 + 2 * K), ANON_RW);
  assert.equal(as.attrsAt(0x100000 + 3 * K), null);
  as.protect(0x100000, 0x100000 + 10 * K, false);
  assert.equal(as.heap, 0);
});

test('MAP_FIXED replaces what it overlaps', () => {
  const as = new AddressSpace();
  as.map(0x100000, 0x100000 + 10 * K, ANON_RW);
  as.map(0x100000 + 2 * K, 0x100000 + 4 * K, ATTR.PRIVATE);
  assert.equal(as.heap, 8 * K);
  assert.equal(as.writable, 8 * K);
});

test('brk counts from the first break seen, page-rounded', () => {
  const as = new AddressSpace();
  as.setBreak(0x1137000);
  as.setBreak(0x1ac6000);
  assert.equal(as.heap, 0x98f000);
  as.setBreak(0x1200001);
  assert.equal(as.heap, 0x1201000 - 0x1137000);
});

test('a fork copy is independent of its parent', () => {
  const as = new AddressSpace();
  as.map(0x100000, 0x100000 + 4 * K, ANON_RW);
  const child = as.clone();
  child.remove(0x100000, 0x100000 + 4 * K);
  assert.equal(as.heap, 4 * K);
  assert.equal(child.heap, 0);
});

test('growing an arena slice by slice keeps one interval', () => {
  const as = new AddressSpace();
  const base = 0x7f0000000000;
  as.map(base, base + 16384 * K, ATTR.PRIVATE | ATTR.ANONYMOUS);
  for (let k = 1; k <= 1000; k++) as.protect(base, base + k * K, true);
  assert.equal(as.heap, 1000 * K);
  assert.ok(as.mappingCount <= 2, `got ${as.mappingCount} intervals`);
});
