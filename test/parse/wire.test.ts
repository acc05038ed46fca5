// Events written into the ring of batches (src/parse/wire.ts) and read back must come out as they
// went in, field for field, in order with the problems, format and clock rows between them: over
// many batches, around the ring, with strings repeated within a batch and across batches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EVENT, TIMESTAMP_KINDS, TRACE_FORMATS, TraceEvent } from '../../src/parse/events.js';
import type { Effect } from '../../src/parse/grammar.js';
import { BATCH_ROWS, EventReader, EventWriter, newRing, RING_SLOTS } from '../../src/parse/wire.js';
import type { ProblemCode } from '../../src/messages.js';

type Row =
  | { kind: 'event'; e: TraceEvent }
  | { kind: 'problem'; code: ProblemCode; where: string | undefined; count: number }
  | { kind: 'format'; format: (typeof TRACE_FORMATS)[number] }
  | { kind: 'clock'; clock: number; firstTime: number };

/** Every field the parsers set, as plain data (what the model can read of an event). */
function fields(e: TraceEvent): Record<string, unknown> {
  return {
    type: e.type, tid: e.tid, time: e.time, comm: e.comm, name: e.name, effect: e.effect, ret: e.ret, failed: e.failed,
    retName: e.retName, addr: e.addr, length: e.length, newLength: e.newLength, prot: e.prot, flags: e.flags, fd: e.fd,
    newFd: e.newFd, stream: e.stream, path: e.path, fdName: e.fdName, fds: e.fds, fdNames: e.fdNames, argv: e.argv,
    code: e.code, signal: e.signal, resolved: e.resolved, source: e.source, line: e.line,
  };
}

/** Write rows, reading each batch as it is posted (as the main thread does, the ring's slots reused). */
function roundTrip(rows: Row[]): Row[] {
  const ring = newRing(false);
  const out: Row[] = [];
  const reader = new EventReader(ring, new TraceEvent(), 'trace.log', {
    event: (e) => out.push({ kind: 'event', e: Object.assign(new TraceEvent(), e) }),
    problem: (code, where, count) => out.push({ kind: 'problem', code, where, count }),
    format: (format) => out.push({ kind: 'format', format }),
    clock: (c) => out.push({ kind: 'clock', clock: c.kind, firstTime: c.firstTime }),
  });
  let posted = 0;
  const writer = new EventWriter(ring, (b) => {
    posted++;
    reader.read(b);
  });
  for (const r of rows) {
    if (r.kind === 'event') writer.event(r.e);
    else if (r.kind === 'problem') writer.problem(r.code, r.where, r.count);
    else if (r.kind === 'format') writer.format(r.format);
    else writer.clock({ kind: r.clock, firstTime: r.firstTime });
  }
  writer.flush();
  assert.equal(posted, Math.ceil(rows.length / BATCH_ROWS));
  return out;
}

function assertSame(got: Row[], want: Row[]): void {
  assert.equal(got.length, want.length);
  for (const [k, w] of want.entries()) {
    const g = got[k] as Row;
    if (w.kind === 'event') {
      assert.equal(g.kind, 'event', `row ${k}`);
      // The reader names the source; the model, not the parser, sets `resolved`.
      assert.deepEqual(fields((g as { e: TraceEvent }).e), { ...fields(w.e), source: 'trace.log', resolved: null }, `row ${k}`);
    } else {
      // (fast-check's records have no prototype.)
      assert.deepEqual(g, { ...w }, `row ${k}`);
    }
  }
}

const number = fc.oneof(fc.constant(NaN), fc.integer({ min: -5, max: 5000 }), fc.double({ noNaN: false }), fc.constant(2 ** 47 + 4096));
// Few distinct strings, so that they repeat within and across batches; hostile ones among them.
const path = fc.constantFrom('/etc/registry.xml', '</script><img src=x onerror=alert(1)>', '__proto__', 'caf\u00e9 \u6f22', '', 'socket:[123]');
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 2 });

const event = fc
  .record({
    type: fc.constantFrom(...Object.values(EVENT)),
    tid: fc.integer({ min: -1, max: 4_194_304 }),
    time: number,
    comm: maybe(fc.constantFrom('python3', 'worker-1', 'a\\"b')),
    name: fc.constantFrom('', 'read', 'mmap', 'brk', 'openat', 'malloc', 'realloc'),
    effect: maybe(fc.constantFrom('read', 'mmap', 'brk', 'open', 'alloc')),
    ret: number,
    failed: fc.boolean(),
    retName: maybe(path),
    addr: number,
    length: number,
    newLength: number,
    prot: number,
    flags: number,
    // Descriptors in the array of recent names, and past it.
    fd: fc.oneof(fc.constant(NaN), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1000, max: 70_000 })),
    newFd: number,
    stream: number,
    path: maybe(path),
    fdName: maybe(path),
    fds: maybe(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 2 })),
    fdNames: maybe(fc.array(maybe(path), { maxLength: 2 })),
    argv: maybe(fc.array(path, { maxLength: 3 })),
    code: number,
    signal: maybe(fc.constantFrom('SIGCHLD', 'SIGSEGV')),
    line: fc.integer({ min: 1, max: 2 ** 40 }),
  })
  .map((r): Row => {
    const e = Object.assign(new TraceEvent(), r, { effect: r.effect as Effect | null, source: 'trace.log' });
    return { kind: 'event', e };
  });

const other = fc.oneof(
  fc.record({
    kind: fc.constant('problem' as const),
    code: fc.constantFrom<ProblemCode>('HT_UNPARSED', 'HT_BAD_ARGS', 'HT_TRUNCATED'),
    where: fc.option(fc.constantFrom('trace.log:7', '__proto__:1'), { nil: undefined }),
    count: fc.integer({ min: 1, max: 9 }),
  }),
  fc.record({ kind: fc.constant('format' as const), format: fc.constantFrom(...TRACE_FORMATS) }),
  fc.record({ kind: fc.constant('clock' as const), clock: fc.integer({ min: 0, max: TIMESTAMP_KINDS.length - 1 }), firstTime: number }),
);

test('rows come back as they were written, across batches and around the ring', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof({ arbitrary: event, weight: 20 }, { arbitrary: other, weight: 1 }), { maxLength: 3 * BATCH_ROWS }), (rows) => {
      assertSame(roundTrip(rows), rows);
    }),
    { numRuns: 25 },
  );
});

test('a long run goes around the ring several times, a descriptor changing names between batches', () => {
  const rows: Row[] = [];
  const names = ['/a/one.xml', '/a/two.xml', '/a/three.xml'];
  const total = 3 * RING_SLOTS * BATCH_ROWS + 17;
  for (let k = 0; k < total; k++) {
    const e = new TraceEvent();
    e.name = 'read';
    e.effect = 'read';
    e.tid = 100 + (k % 7);
    e.time = 1000 + k / 1000;
    e.fd = k % 5;
    // A descriptor shows another file every batch and a half: the name sent for it must follow.
    e.fdName = names[Math.floor(k / (1.5 * BATCH_ROWS)) % 3] as string;
    e.ret = k;
    e.line = k + 1;
    e.source = 'trace.log';
    rows.push({ kind: 'event', e });
  }
  assertSame(roundTrip(rows), rows);
});
