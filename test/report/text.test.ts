import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { useColor, type Stdio } from '../../src/cli/stdio.js';
import { analyze } from '../../src/index.js';
import { formatText } from '../../src/report/text.js';
import { forkingTrace } from '../helpers/vega.js';

const TRACE = [
  '1 openat(AT_FDCWD, "/tmp/evil\\n\\33[2Jname", O_RDONLY) = 3',
  '1 read(3, "x", 1) = 1',
  '1 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000',
  ...Array.from({ length: 20 }, (_, k) => `1 openat(AT_FDCWD, "/data/f${k}", O_RDONLY) = ${k + 4}\n1 read(${k + 4}, "x", 1) = 1\n1 brk(${0x1000000 + (k + 1) * 4096}) = ${0x1000000 + (k + 1) * 4096}`),
].join('\n');

test('control characters in names from the trace are shown escaped, never sent to the terminal', async () => {
  const text = formatText(await analyze({ text: TRACE }), { top: 50, color: false });
  assert.ok(text.includes('/tmp/evil\\x0a\\x1b[2Jname'), text);
  assert.doesNotMatch(text, /\u001b/);
});

test('--top limits the files listed and says how many more there are', async () => {
  const text = formatText(await analyze({ text: TRACE }), { top: 5, color: false });
  assert.equal(text.match(/\/data\/f\d+/g)?.length ?? 0, 4, 'the evil file plus four /data files make five');
  // f0's brk is the heap's first, its baseline: 19 /data files grow, plus the evil one, 5 shown.
  assert.match(text, /… 15 more file\(s\) with heap growth/);
});

test('counts of processes and files are grouped by thousands, as the line counts are', async () => {
  const text = formatText(await analyze({ text: forkingTrace(1200) }), { top: 5, color: false });
  assert.match(text, /^heaptrace <text>: strace, 8,400 lines, 1,201 processes, /);
  assert.match(text, /… 1,195 more file\(s\) with heap growth/);
  assert.match(text, /… 1,196 more process\(es\) with smaller peaks/);
});

test('bold headings only on a terminal without NO_COLOR', async () => {
  const report = await analyze({ text: TRACE });
  assert.match(formatText(report, { top: 5, color: true }), /\u001b\[1mHeap growth by file/);
  const stdio = (env: Record<string, string>, tty: boolean): Stdio => ({
    stdin: Readable.from([]), stdout: new PassThrough(), stderr: new PassThrough(), env,
    stdinIsTTY: false, stdoutIsTTY: tty, stderrIsTTY: tty,
  });
  assert.equal(useColor(stdio({}, true)), true);
  assert.equal(useColor(stdio({ NO_COLOR: '1' }, true)), false);
  assert.equal(useColor(stdio({}, false)), false);
});
