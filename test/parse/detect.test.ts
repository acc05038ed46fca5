// The input's format is told from its first lines, with no flag: every real capture is recognised.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DETECT_LINES, DetectingParser, lineFormat } from '../../src/parse/detect.js';
import { emptyCounts, type TraceParser } from '../../src/parse/parser.js';
import { SHAPES, shape } from '../helpers/paths.js';

/** The format decided for a capture, the way analyze() decides it. */
function formatOf(text: string): string | null {
  const p = new DetectingParser(() => recorder());
  for (const line of text.split('\n')) p.push(line);
  p.end();
  return p.format;
}

function recorder(): TraceParser {
  return {
    counts: emptyCounts(), timestampKind: 'none', firstTime: NaN, lastTime: NaN, straceMessages: 0,
    lastStraceMessage: '', sawSummary: false, firstLine: '', truncated: false, ltraceCalls: null, push() {}, pushRange() {}, end() {},
  };
}

test('every capture in the corpus is recognised: 0x-2x strace, 3x ltrace', () => {
  const names = readdirSync(SHAPES).filter((f) => /^\d/.test(f));
  // The corpus as committed: a missing folder or a renamed capture must not pass by checking nothing.
  assert.equal(names.length, 54);
  assert.equal(names.filter((f) => f.startsWith('3')).length, 9);
  for (const name of names) {
    const expected = name.startsWith('3') ? 'ltrace' : 'strace';
    assert.equal(formatOf(readFileSync(shape(name), 'utf8')), expected, name);
  }
});

test('lines that tell', () => {
  const cases: Array<[string, 'strace' | 'ltrace' | null]> = [
    ['10686 free(0x2e4992a0)                           = <void>', 'ltrace'],
    ['[pid 7] +++ exited (status 0) +++', 'ltrace'],
    ['7215 --- SIGSEGV (Segmentation fault) ---', 'ltrace'],
    ['10737 --- Called exec() ---', 'ltrace'],
    ['[0x40120e] hs_mallocs->malloc(100) = 0x80bc2a0', 'ltrace'],
    ['malloc@libc.so.6(472) = 0x382f2a0', 'ltrace'],
    ['10700 SYS_brk(0) = 0x17d6e000', 'ltrace'],
    ['04:24:07.185712 pthread_create(0x7ffc, 0, 0x55d0, 0) = 0', 'ltrace'],
    ['usleep(20000 <no return ...>', 'ltrace'],
    ['execve("/bin/true", ["true"], 0x7ffd /* 20 vars */) = 0', 'strace'],
    ['brk(NULL) = 0x55d0c6b4e000', 'strace'],
    ['+++ exited with 0 +++', 'strace'],
    ['--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---', 'strace'],
    ['openat(AT_FDCWD, "/x", O_RDONLY) = -1 ENOENT (No such file or directory)', 'strace'],
    // Both tracers print these: wait for a line that tells.
    ['read(3, "abc", 100) = 3', null],
    ['+++ killed by SIGSEGV +++', null],
    ['close(3) = 0', null],
  ];
  for (const [line, f] of cases) assert.equal(lineFormat(line), f, line);
});

test('held lines are replayed in order to the parser chosen; undecided input is read as strace', () => {
  const seen: string[] = [];
  const p = new DetectingParser((f) => ({ ...recorder(), push: (l: string) => seen.push(`${f}:${l}`) }));
  p.push('read(3, "a", 1) = 1');
  p.push('close(3) = 0');
  p.push('1 malloc(1) = 0x10');
  p.push('1 free(0x10) = <void>');
  assert.deepEqual(seen, ['ltrace:read(3, "a", 1) = 1', 'ltrace:close(3) = 0', 'ltrace:1 malloc(1) = 0x10', 'ltrace:1 free(0x10) = <void>']);
  assert.equal(formatOf(Array.from({ length: DETECT_LINES + 5 }, () => 'close(3) = 0').join('\n')), 'strace');
});
