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

test('fork copies blocks without an address too: their bytes stay live in the child', () => {
  const h = new LiveHeap();
  h.allocate(NaN, 3000);
  h.allocate(0x10, 5);
  const c = h.clone();
  assert.equal(c.bytes, 3005);
  assert.equal(c.release(0x10), RELEASE.FREED);
  assert.equal(c.bytes, 3000);
  assert.equal(h.bytes, 3005);
});

test('property: whatever the sequence of allocations, frees and forks, the total is never negative and equals the live blocks', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constantFrom('alloc', 'free'), ptr: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.constant(NaN)), size: fc.nat({ max: 1000 }) }),
    fc.record({ kind: fc.constant('clone'), ptr: fc.constant(0), size: fc.constant(0) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      let h = new LiveHeap();
      const model = new Map<number, number>();
      /** Bytes of blocks allocated without an address: never freed. */
      let unaddressed = 0;
      const parents: { heap: LiveHeap; bytes: number }[] = [];
      for (const o of ops) {
        if (o.kind === 'clone') {
          // Carry on in the child; the parent must keep what it had.
          parents.push({ heap: h, bytes: h.bytes });
          h = h.clone();
        } else if (o.kind === 'free') {
          h.release(o.ptr);
          model.delete(o.ptr);
        } else {
          h.allocate(o.ptr, o.size);
          if (Number.isNaN(o.ptr)) unaddressed += o.size;
          else model.set(o.ptr, o.size);
        }
        assert.ok(h.bytes >= 0);
      }
      assert.equal(h.bytes, unaddressed + [...model.values()].reduce((a, b) => a + b, 0));
      for (const p of parents) assert.equal(p.heap.bytes, p.bytes);
    }),
  );
});
