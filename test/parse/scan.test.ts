import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArgScan, CodeUnits, codesOf, decodeQuoted, decorationOf, findClose, FlagTable, parseIntAt, splitArgs } from '../../src/parse/scan.js';
import { PROT } from '../../src/parse/grammar.js';

test('code units mirror each text exactly, then two zeros, whatever was loaded before', () => {
  const units = new CodeUnits();
  const same = (s: string): void => {
    const u = units.load(s);
    assert.deepEqual(Array.from(u.subarray(0, s.length)), Array.from({ length: s.length }, (_, i) => s.charCodeAt(i)), s.slice(0, 20));
    // Where charCodeAt gives NaN, the scanners must read 0: never what a longer text left there.
    assert.equal(u[s.length], 0);
    assert.equal(u[s.length + 1], 0);
  };
  same('read(3</tmp/x>, "ab", 2) = 2 <0.000010>');
  same('read(3, "ab", 2)');
  same('');
  same('openat(AT_FDCWD, "caf\u00e9 \ud83d\ude00", O_RDONLY) = 3</tmp/caf\u00e9>');
  // A lone surrogate (a UTF-16 string may hold one) comes through unchanged as well.
  same('a\ud800b');
  // Longer than the buffer so far: it grows, and a short text after it still ends in zeros.
  same('x'.repeat(70_000) + '"');
  same('brk(NULL) = 0x5');
  // The same text again is not copied again (the parser asks for its line's units more than once).
  const text = 'mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0) = 0x7f';
  const u = units.load(text);
  u[0] = 0;
  assert.equal(units.load(text)[0], 0, 'the same text is copied once');
  assert.equal(units.load(text + ' ')[0], 'm'.charCodeAt(0), 'another text is copied');
  // The shared units serve any string; a scan given none reads them.
  assert.equal(codesOf('abc')[1], 98);
  assert.equal(findClose('f(a, "x) = 0", b) = 1', 1), 16);
});

test('findClose skips strings that contain ") = 0" and escaped quotes', () => {
  const line = 'write(1, "a \\"quoted\\" \\\\ back) = -1 ENOENT ("..., 37) = 37';
  assert.equal(findClose(line, 5), line.indexOf(') = 37'));
  const nl = 'access("/tmp/line\\nbreak) = 0", F_OK)   = -1 ENOENT (No such file or directory)';
  assert.equal(findClose(nl, 6), nl.indexOf(')   = -1'));
});

test('findClose understands nested and socket decorations', () => {
  const line = 'read(5<TCP:[127.0.0.1:59149->127.0.0.1:35484]>, "GET", 64) = 18';
  assert.equal(findClose(line, 4), line.indexOf(') = 18'));
  const nested = 'fstat(12</dev/null<char 1:3>>, {st_mode=S_IFCHR|0666}) = 0';
  assert.equal(findClose(nested, 5), nested.indexOf(') = 0'));
});

test('findClose reports an unclosed call as -1', () => {
  assert.equal(findClose('mmap(NULL, 8392704, PROT_NONE, -1, 0 <unfinished ...>', 4), -1);
  assert.equal(findClose('write(2, "alarm!\\n", 7alarm!', 5), -1);
});

test('splitArgs splits only at the top level', () => {
  const s = 'f({a=1, b=[2, 3]}, "x, y", 3</a,b>)';
  assert.deepEqual(splitArgs(s, 2, s.length - 1), ['{a=1, b=[2, 3]}', '"x, y"', '3</a,b>']);
});

test('parseIntAt reads hex, decimal, negative, NULL and decorated numbers', () => {
  assert.equal(parseIntAt('0x7f58be205000'), 0x7f58be205000);
  assert.equal(parseIntAt('-1'), -1);
  assert.equal(parseIntAt('NULL'), 0);
  assert.equal(parseIntAt('3</etc/ld.so.cache>'), 3);
  assert.ok(Number.isNaN(parseIntAt('AT_FDCWD')));
});

test('flag tables read symbolic, verbose (-X verbose) and raw (-X raw) forms alike', () => {
  assert.equal(PROT.read('PROT_READ|PROT_WRITE'), 3);
  assert.equal(PROT.read('0x3 /* PROT_READ|PROT_WRITE */'), 3);
  assert.equal(PROT.read('3'), 3);
  assert.equal(PROT.read('PROT_NONE'), 0);
});

test('a FlagTable gives the same bits whether a text is remembered, evicted or new', () => {
  const table = new FlagTable({ A: 1, B: 2, C: 4 });
  const texts = Array.from({ length: 20 }, (_, k) => ['A', 'B', 'C'].filter((_, b) => (k >> b) & 1).join('|') || 'NONE');
  const expected = (t: string): number => (t.includes('A') ? 1 : 0) | (t.includes('B') ? 2 : 0) | (t.includes('C') ? 4 : 0);
  // Three passes over more texts than it remembers: hits, misses and evictions all agree.
  for (let pass = 0; pass < 3; pass++) for (const t of texts) assert.equal(table.read(`x(${t}, 0)`, 2, 2 + t.length), expected(t), t);
  // A text remembered must not match a longer one that starts the same.
  assert.equal(table.read('A|B'), 3);
  assert.equal(table.read('A|B|C'), 7);
  assert.equal(table.read('A'), 1);
});

test('decorations found by the argument scan are the names decorationOf reads, reused only while unchanged', () => {
  const scan = new ArgScan();
  const read = (line: string, fd: number): (string | null)[] => {
    scan.scan(line, line.indexOf('(') + 1);
    return Array.from({ length: scan.count }, (_, k) => scan.decoration(line, k, fd));
  };
  assert.deepEqual(read('read(3</tmp/a.xml>, "x<y>", 5) = 5', 3), ['/tmp/a.xml', null, null]);
  const again = read('read(3</tmp/a.xml>, "", 5) = 0', 3)[0];
  assert.equal(again, '/tmp/a.xml');
  // Same descriptor, another file (or the same length): the new name, not the remembered one.
  assert.deepEqual(read('read(3</tmp/b.xml>, "", 5) = 0', 3), ['/tmp/b.xml', null, null]);
  assert.deepEqual(read('read(3</tmp/b.xm>, "", 5) = 0', 3), ['/tmp/b.xm', null, null]);
  assert.equal(read('read(3</tmp/b.xml>, "", 5) = 0', 3)[0], '/tmp/b.xml');
  assert.deepEqual(read('fstat(12</dev/null<char 1:3>>, {st_mode=S_IFCHR|0666}) = 0', 12), ['/dev/null', null]);
  assert.deepEqual(read('read(3</tmp/a\\76b\\74c>, "", 1) = 0', 3), ['/tmp/a>b<c', null, null]);
  // Only a decoration right after the number counts, not one inside a struct or after a string.
  assert.deepEqual(read('poll([{fd=5<pipe:[1]>, events=POLLIN}], 1, 0) = 0', 5), [null, null, null]);
  assert.equal(scan.decorationAt('= 4</x/y> <0.1>', 2, 3, 4), '/x/y');
  assert.equal(scan.end, 9, 'just past the decoration');
  assert.equal(scan.decorationAt('= 4</x/y<char 1:3>> <0.1>', 2, 3, 4), '/x/y');
  assert.equal(scan.end, 19);
});

test('strings and decorations are decoded from strace escapes', () => {
  assert.equal(decodeQuoted('"/tmp/caf\\303\\251/x"'), '/tmp/café/x');
  assert.equal(decodeQuoted('"a\\nb"...'), 'a\nb');
  assert.equal(decorationOf('3</tmp/a\\76b\\74c>'), '/tmp/a>b<c');
  assert.equal(decorationOf('12</dev/null<char 1:3>>'), '/dev/null');
  assert.equal(decorationOf('5<TCP:[127.0.0.1:1->127.0.0.1:2]>'), 'TCP:[127.0.0.1:1->127.0.0.1:2]');
  assert.equal(decorationOf('3'), null);
});
