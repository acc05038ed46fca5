// SPEC §1's table, row by row, against the kernel: a C program performs one mapping operation per
// step (mmap, munmap and mprotect that split intervals, shared/file-backed/grows-down mappings,
// PROT_NONE reservations with MAP_FIXED overlays, mremap grow/shrink/DONTUNMAP, brk up and down,
// odd lengths, pkey_mprotect, failed calls, madvise) and prints VmData after each. For every step:
//   Δwritable (model) = ΔVmData (kernel) × 1024, to the byte;
//   Δheap (model) = the program's own account of the step (private anonymous writable + brk).
// All mismatching steps are reported together, each with the syscalls the model saw in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MiB,
  analyzeWithEvents,
  compileC,
  describeFiles,
  fileEntry,
  outputLines,
  pairMarks,
  parseMarks,
  straceToFile,
  workDir,
  type TracedEvent,
} from '../helpers/trace.js';

test('SPEC §1 table, one syscall kind per step: writable = VmData and heap as the program counts it', async (t) => {
  const dir = workDir(t, 'mappings', 'strace', 'gcc');
  if (dir === null) return;
  const program = compileC('mappings', dir);
  const file = join(dir, 'mapped.dat');
  writeFileSync(file, Buffer.alloc(3 * MiB, 7));
  const trace = join(dir, 'trace.txt');
  const run = straceToFile([program, file], trace);

  const { report, events } = await analyzeWithEvents(trace);
  const marks = parseMarks(run.stdout);
  assert.ok(marks.length > 20, `program output: ${run.stdout}`);
  const pid = (marks[0] as { pid: number }).pid;
  const pairs = pairMarks(marks, events, pid);
  const heapExpected = new Map(outputLines(run.stdout, 'HEAP').map((f) => [f[1] ?? '', Number(f[2])]));
  const index = new Map(events.map((e, i) => [e, i]));

  const problems: string[] = [];
  for (let i = 1; i < pairs.length; i++) {
    const prev = pairs[i - 1] as (typeof pairs)[number];
    const cur = pairs[i] as (typeof pairs)[number];
    const step = cur.mark.label;
    const kernel = (cur.mark.kb - prev.mark.kb) * 1024;
    const writable = cur.event.writable - prev.event.writable;
    const heap = cur.event.heap - prev.event.heap;
    const wantHeap = heapExpected.get(step);
    const bad: string[] = [];
    if (writable !== kernel) bad.push(`Δwritable ${writable} != ΔVmData ${kernel}`);
    if (wantHeap === undefined) bad.push('no HEAP line');
    else if (heap !== wantHeap) bad.push(`Δheap ${heap} != ${wantHeap}`);
    if (bad.length > 0) {
      const from = index.get(prev.event) ?? 0;
      const to = index.get(cur.event) ?? 0;
      const calls = events
        .slice(from + 1, to)
        .filter((e: TracedEvent) => e.pid === pid && !['write', 'getpid', 'close', 'openat', 'read'].includes(e.syscall))
        .map((e) => `${e.syscall} ret=${String(e.ret)} → heap ${e.heap} writable ${e.writable}`);
      problems.push(`${step}: ${bad.join('; ')}\n      ${calls.join('\n      ')}`);
    }
  }
  assert.deepEqual(problems, [], `steps where the model disagrees:\n  ${problems.join('\n  ')}`);

  // SPEC §2: mmap of a descriptor makes its file current. The program never reads FILE; the only
  // heap growth made while FILE was the current file is the step that maps it and then allocates.
  const f = fileEntry(report, file);
  const after = heapExpected.get('file-map-then-anon');
  assert.equal(f.heap.growth, after, `growth of the mapped file\n  ${describeFiles(report)}`);
  assert.equal(f.bytesRead, 0);
  assert.equal(f.reads, 0);
  assert.equal(f.amplification, null);
});
