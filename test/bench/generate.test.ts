// The benchmark's trace generator must keep making well-formed strace output: a small trace,
// checked for the structure a real `strace -f -tt -T -y -o` file has.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { cadence, generateTrace, parseSize, quote } from './generate.js';

const SIZE = 200_000;

describe('bench trace generator', () => {
  let dir = '';
  let text = '';
  let lines: string[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'heaptrace-gen-'));
    const r = generateTrace({ size: SIZE, seed: 7, out: join(dir, 'a.strace') });
    text = readFileSync(r.path, 'latin1');
    lines = text.split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a newline');
    assert.equal(r.bytes, text.length);
    assert.equal(r.lines, lines.length);
  });

  after(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('is about the size asked for', () => {
    assert.ok(text.length >= SIZE && text.length < SIZE * 1.5, `${text.length} bytes`);
  });

  it('prefixes every line with a padded pid and a time of day that never goes back', () => {
    const prefix = /^(\d+) +(\d\d):(\d\d):(\d\d)\.(\d{6}) /;
    let last = -1;
    for (const [i, line] of lines.entries()) {
      const m = prefix.exec(line);
      assert.ok(m, `line ${i + 1}: ${line}`);
      const [, pid = '', h = '', min = '', s = '', us = ''] = m;
      // strace -o: "%-5u " — the pid, padded with spaces to 5 columns, then one space
      assert.equal(line.indexOf(' '), pid.length);
      assert.equal(line.slice(0, Math.max(6, pid.length + 1)), pid.padEnd(5, ' ') + ' ', `line ${i + 1}`);
      const t = ((Number(h) * 60 + Number(min)) * 60 + Number(s)) * 1e6 + Number(us);
      assert.ok(t >= last, `line ${i + 1}: time goes back`);
      last = t;
    }
  });

  it('resumes every unfinished call, in the same pid, before that pid does anything else', () => {
    const open = new Map<string, string>(); // pid → call name
    let pairs = 0;
    for (const [i, line] of lines.entries()) {
      const pid = line.slice(0, line.indexOf(' '));
      const body = line.replace(/^\d+ +\S+ /, '');
      const resumed = /^<\.\.\. (\w+) resumed>/.exec(body);
      const pending = open.get(pid);
      if (pending !== undefined) {
        assert.ok(resumed, `line ${i + 1}: pid ${pid} has ${pending} unfinished, got ${body}`);
        assert.equal(resumed[1], pending, `line ${i + 1}`);
        open.delete(pid);
        pairs++;
      } else {
        assert.equal(resumed, null, `line ${i + 1}: resumed with nothing unfinished`);
      }
      if (body.endsWith(' <unfinished ...>')) {
        const name = /^(\w+)\(/.exec(body);
        assert.ok(name, `line ${i + 1}`);
        open.set(pid, name[1] ?? '');
        const next = lines[i + 1] ?? '';
        assert.notEqual(next.slice(0, next.indexOf(' ')), pid, `line ${i + 1}: cut, but the next line is the same pid's`);
      }
    }
    assert.deepEqual([...open], [], 'calls still unfinished at the end');
    assert.ok(pairs > 20, `only ${pairs} unfinished/resumed pairs`);
  });

  it('gives every finished call a return value, and a duration unless it returns "?"', () => {
    for (const [i, line] of lines.entries()) {
      const body = line.replace(/^\d+ +\S+ /, '');
      if (body.startsWith('---') || body.startsWith('+++') || body.endsWith(' <unfinished ...>')) continue;
      assert.match(body, /\) += (?:\?|-?\w+.* <\d+\.\d{6}>)$/, `line ${i + 1}`);
    }
  });

  it('starts with execve and ends when the last process exits', () => {
    assert.match(lines[0] ?? '', /^\d+ +\S+ execve\("/);
    assert.match(lines.at(-1) ?? '', /^\d+ +\S+ \+\+\+ exited with 0 \+\+\+$/);
    const exits = lines.filter((l) => l.includes(' +++ exited with ')).length;
    const starts = new Set(lines.map((l) => l.slice(0, l.indexOf(' ')))).size;
    assert.equal(exits, starts, 'one +++ exited line per thread');
  });

  it('has the shapes a parser must survive', () => {
    for (const needle of [
      'clone3({flags=CLONE_VM|',
      'clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD',
      '--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED',
      '= -1 ENOENT (No such file or directory)',
      '</usr/share/app/data-',
      '<socket:[',
      '<pipe:[',
      'MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE',
      ' resumed> => {parent_tid=[',
      'mremap(',
      'brk(0x',
    ]) {
      assert.ok(text.includes(needle), `no ${needle}`);
    }
    assert.match(text, /write\(2<[^>]+>, "[^"\n]*\) = 0/, 'a written string holding ") = 0"');
  });

  it('makes the same bytes from the same seed, other bytes from another', () => {
    const again = generateTrace({ size: SIZE, seed: 7, out: join(dir, 'b.strace') });
    const other = generateTrace({ size: SIZE, seed: 8, out: join(dir, 'c.strace') });
    const hash = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
    assert.equal(hash(again.path), hash(join(dir, 'a.strace')));
    assert.notEqual(hash(other.path), hash(join(dir, 'a.strace')));
  });

  it('quotes strings as strace -s 32 does', () => {
    assert.equal(quote('a "b" \\ c\n\t'), '"a \\"b\\" \\\\ c\\n\\t"');
    assert.equal(quote('caf\xc3\xa9\x001'), '"caf\\303\\251\\0001"');
    assert.equal(quote('x'.repeat(40)), `"${'x'.repeat(32)}"...`);
  });

  it('keeps a steady trace to the same helpers and thread churns at any size; a default one grows past 100 MB', () => {
    const helpers = (size: number, steady: boolean): number => Math.round(size / cadence(size, steady).forkEvery);
    const churns = (size: number, steady: boolean): number => Math.round(size / cadence(size, steady).churnEvery);
    for (const size of [10e6, 100e6, 1e9, 10e9]) {
      assert.equal(helpers(size, true), 25, `${size} B steady`);
      assert.equal(churns(size, true), 12, `${size} B steady`);
    }
    assert.equal(helpers(10e6, false), 25);
    assert.equal(helpers(1e9, false), 250);
    assert.equal(churns(1e9, false), 125);
    // Small traces are floored: a fork every 40 kB at least, whatever the size.
    assert.equal(cadence(100e3, true).forkEvery, 40e3);
  });

  it('reads sizes in the units heaptrace accepts', () => {
    assert.equal(parseSize('100MB'), 100e6);
    assert.equal(parseSize('1gb'), 1e9);
    assert.equal(parseSize('250MiB'), 250 * 1024 * 1024);
    assert.equal(parseSize('4096'), 4096);
    assert.throws(() => parseSize('12QB'), /got "12QB": sizes are a number with B, kB, MB, GB, KiB, MiB or GiB/);
  });
});
