// The model's bookkeeping of who made which process or thread, through the whole pipeline.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, type Report } from '../../src/index.js';

const run = (lines: string[]): Promise<Report> => analyze({ text: lines.join('\n') + '\n', name: 's.txt' });
const warned = (r: Report, code: string): number => r.warnings.find((w) => w.code === code)?.count ?? 0;

test('strace: two unfinished clones whose children appear in the other order both find their parent', async () => {
  const r = await run([
    '100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000',
    '100 clone(child_stack=0x7f00, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) = 101',
    '100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>',
    '101 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>',
    '301 munmap(0x7f0000000000, 8192) = 0',
    '300 munmap(0x7f0000000000, 4096) = 0',
    '100 <... clone resumed>) = 300',
    '101 <... clone resumed>) = 301',
  ]);
  assert.equal(r.input.unparsed, 0);
  assert.equal(warned(r, 'HT_UNKNOWN_PARENT'), 0);
  assert.deepEqual(r.processes.map((p) => [p.pid, p.parentPid]).sort(), [[100, null], [300, 100], [301, 100]]);
  // Both children are copies of the parent's address space: each unmaps from its own 8 KiB.
  const child = (pid: number) => r.processes.find((p) => p.pid === pid);
  assert.deepEqual([child(300)?.writable.peak, child(300)?.writable.end], [8192, 4096]);
  assert.deepEqual([child(301)?.writable.peak, child(301)?.writable.end], [8192, 0]);
  assert.equal(child(100)?.writable.end, 8192);
});
