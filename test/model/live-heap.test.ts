import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AddressSpace } from '../../src/model/address-space.js';
import { LiveHeap, RELEASE } from '../../src/model/live-heap.js';

test('blocks come and go by address; the total is what is live', () => {
  const h = new LiveHeap();
  h.allocate(0x1000, 100);
  h.allocate(0x2000, 50);
  assert.equal(h.bytes, 150);
  assert.equal(h.release(0x1000), RELEASE.FREED);
  assert.equal(h.bytes, 50);
  assert.equal(h.count, 1);
});

test('an unknown block and a double free are told apart and change nothing', () => {
  const h = new LiveHeap();
  h.allocate(0x1000, 100);
  assert.equal(h.release(0x9000), RELEASE.UNKNOWN);
  assert.equal(h.release(0x1000), RELEASE.FREED);
  assert.equal(h.release(0x1000), RELEASE.DOUBLE);
  assert.equal(h.bytes, 0);
  // The address handed out again is live again: its next free is an ordinary one.
  h.allocate(0x1000, 8);
  assert.equal(h.release(0x1000), RELEASE.FREED);
});

test('a live address handed out again (its free was not traced) replaces the old block', () => {
  const h = new LiveHeap();
  h.allocate(0x1000, 100);
  h.allocate(0x1000, 30);
  assert.equal(h.bytes, 30);
});

test('a block without an address counts but cannot be freed', () => {
  const h = new LiveHeap();
  h.allocate(NaN, 64);
  assert.equal(h.bytes, 64);
  assert.equal(h.count, 0);
});

test('fork copies: the child frees its copy, the parent keeps its own', () => {
  const parent = new AddressSpace(new LiveHeap());
  parent.live?.allocate(0x1000, 100);
  const child = parent.clone();
  child.live?.release(0x1000);
  assert.equal(child.heap, 0);
  assert.equal(parent.heap, 100);
});

test('with a live heap, heap is requested bytes and mapped keeps the SPEC §1 heap', () => {
  const as = new AddressSpace(new LiveHeap());
  as.setBreak(0x100000);
  as.setBreak(0x121000);
  as.live?.allocate(0x100010, 10);
  assert.equal(as.heap, 10);
  assert.equal(as.mapped, 0x21000);
  assert.equal(as.writable, 0x21000);
});

test('property: whatever the sequence of allocations and frees, the total is never negative and equals the live blocks', () => {
  const op = fc.record({ free: fc.boolean(), ptr: fc.integer({ min: 1, max: 8 }), size: fc.nat({ max: 1000 }) });
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const h = new LiveHeap();
      const model = new Map<number, number>();
      for (const o of ops) {
        if (o.free) {
          h.release(o.ptr);
          model.delete(o.ptr);
        } else {
          h.allocate(o.ptr, o.size);
          model.set(o.ptr, o.size);
        }
        assert.ok(h.bytes >= 0);
      }
      assert.equal(h.bytes, [...model.values()].reduce((a, b) => a + b, 0));
    }),
  );
});
