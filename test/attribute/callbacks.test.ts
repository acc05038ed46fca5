// analyze()'s step-by-step callbacks: every modelled call (onEvent) and every charged memory
// change (onChange), timed from the same origin as the report's times.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, type MemoryChange, type ModelEvent } from '../../src/index.js';

const TRACE = [
  '10 12:00:00.000000 getuid() = 0',
  '10 12:00:01.000000 openat(AT_FDCWD, "/etc/app.xml", O_RDONLY) = 3',
  '10 12:00:01.500000 read(3, "<a/>", 4096) = 4',
  '10 12:00:02.000000 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000',
  '10 12:00:03.000000 munmap(0x7f0000000000, 4096) = 0',
].join('\n');

test('onEvent sees each modelled call with the heap after it; onChange each charged change', async () => {
  const events: ModelEvent[] = [];
  const changes: MemoryChange[] = [];
  const r = await analyze({ text: TRACE }, { onEvent: (e) => events.push(e), onChange: (c) => changes.push(c) });
  assert.deepEqual(
    events.map((e) => [e.syscall, e.time, e.path, e.heap]),
    [['openat', 1, '/etc/app.xml', 0], ['read', 1.5, '/etc/app.xml', 0], ['mmap', 2, null, 8192], ['munmap', 3, null, 4096]],
  );
  assert.deepEqual(
    changes.map((c) => [c.seq, c.time, c.file, c.dHeap, c.heap]),
    [[1, 2, '/etc/app.xml', 8192, 8192], [2, 3, '/etc/app.xml', -4096, 4096]],
  );
  // The same origin as the report: the first line of the trace, not the first modelled call.
  assert.equal(r.processes[0]?.heap.peakTime, 2);
});
