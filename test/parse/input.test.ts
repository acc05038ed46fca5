// Files are read in large blocks and handed to split2 in smaller pieces (src/parse/input.ts): reads
// end anywhere, pieces inside lines longer than a piece, some inside UTF-8 sequences; none of it
// may change the report.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { analyze } from '../../src/index.js';
import { openLines, streamSource } from '../../src/parse/input.js';
import { StraceParser } from '../../src/parse/strace.js';
import { Problems } from '../../src/problems.js';
import { generateTrace } from '../bench/generate.js';
import { SHAPES } from '../helpers/paths.js';

test('a file read in blocks and pieces gives the report its text gives, lines across every cut included', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // About 1.3 MB: a file is read 1 MiB at a time (a stream 256 KiB), each read cut into 64 KiB pieces.
  const generated = generateTrace({ size: 1_300_000, seed: 3, out: join(dir, 'gen.strace') });
  let text = readFileSync(generated.path, 'utf8');
  // Pieces end where lines end, so a cut falls inside a line only where the line is longer than a
  // piece (or where a read ends). Such a line here holds a two-byte character astride its cut, in
  // a -y name the report keeps; a longer line follows.
  // Whole lines up to a little before the first piece's end (the generated trace is ASCII).
  const head = text.slice(0, text.lastIndexOf('\n', 62_000) + 1);
  const pid = /^(\d+) /.exec(head)?.[1] ?? '1';
  const open = (name: string, fd: number): string =>
    `${pid} 10:00:00.000001 openat(AT_FDCWD, "${name}", O_RDONLY) = ${fd}<${name}>\n`;
  const lead = open('/tmp/x', 90);
  // The long line starts a piece (the one before ends at lead's newline) and is cut 65,536 bytes
  // in, inside the descriptor's -y name (the name the model keeps): its "é" takes bytes 65,535 and
  // 65,536 of the line.
  const lineStart = Buffer.byteLength(head + lead, 'utf8');
  const prefix = `${pid} 10:00:00.000001 openat(AT_FDCWD, "long.xml", O_RDONLY) = 91</tmp/`;
  const name = '/tmp/' + 'p'.repeat(65_535 - Buffer.byteLength(prefix, 'utf8')) + 'é.xml';
  const opened = `${pid} 10:00:00.000001 openat(AT_FDCWD, "long.xml", O_RDONLY) = 91<${name}>\n`;
  const long = `${pid} 10:00:00.000002 write(1, "${'w'.repeat(100_000)}", 100000) = 100000\n`;
  text = head + lead + opened + long + text.slice(head.length);
  const cut = lineStart + 65_536;
  assert.equal(Buffer.from(text, 'utf8').subarray(cut - 1, cut + 1).toString('utf8'), 'é', 'the character straddles the cut');
  const file = join(dir, 'trace.strace');
  writeFileSync(file, text);

  const fromFile = await analyze(file);
  const fromText = await analyze({ text, name: file });
  assert.equal(fromFile.input.lines, generated.lines + 3);
  assert.equal(fromFile.input.unparsed, 0);
  assert.ok(fromFile.files.some((f) => f.path === name), 'the name with the split character is read whole');
  assert.deepEqual(JSON.parse(JSON.stringify(fromFile)), JSON.parse(JSON.stringify(fromText)));
});

test('a file that ends inside a line is reported as cut, as its text is', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const generated = generateTrace({ size: 1_300_000, seed: 5, out: join(dir, 'gen.strace') });
  const whole = readFileSync(generated.path, 'utf8');
  // Cut in the middle of a line a little past the first 1 MiB read.
  const text = whole.slice(0, whole.indexOf('\n', 1_100_000) - 20);
  const file = join(dir, 'cut.strace');
  writeFileSync(file, text);
  const fromFile = await analyze(file);
  assert.equal(fromFile.input.truncated, true);
  assert.equal(fromFile.input.lines, text.split('\n').length);
  assert.deepEqual(JSON.parse(JSON.stringify(fromFile)), JSON.parse(JSON.stringify(await analyze({ text, name: file }))));
});

test('a large file that is not a trace stops with HT_NOT_A_TRACE after its first lines', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // 2 MB of log lines: the verdict comes after 1,000 lines, inside the first of two reads.
  const line = 'Nov 21 08:00:00 host daemon[42]: request served in 3 ms from cache\n';
  const file = join(dir, 'app.log');
  writeFileSync(file, line.repeat(Math.ceil(2_000_000 / line.length)));
  await assert.rejects(analyze(file), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'HT_NOT_A_TRACE');
    assert.match(err.message, /host daemon/);
    return true;
  });
});

/**
 * What openLines hands over for a text that arrives in the given chunks: each line, and whether
 * every line handed over in place came with its own code units.
 */
async function linesOf(chunks: Buffer[]): Promise<{ lines: string[]; inPlace: number; unitsRight: boolean }> {
  const lines: string[] = [];
  let inPlace = 0;
  let unitsRight = true;
  const stream = await openLines(
    streamSource(Readable.from(chunks)),
    (line) => void lines.push(line),
    (s, from, to, u) => {
      inPlace++;
      for (let k = from; k < to; k++) if (u[k] !== s.charCodeAt(k)) unitsRight = false;
      lines.push(s.slice(from, to));
    },
  );
  stream.lines.resume();
  await finished(stream.lines);
  return { lines, inPlace, unitsRight };
}

// Lines of ASCII, of two-, three- and four-byte characters, of CRLF ends, empty, and longer than
// the 64 KiB pieces split2 is handed and the 256 KiB chunks zlib inflates.
const TEXT_LINE = fc.oneof(
  fc.string({ maxLength: 80 }).map((x) => x.replace(/\n/g, ' ')),
  fc.constantFrom('', '\r', 'open("/tmp/caf\u00e9-\u6f22\ud83d\ude00") = 3\r', 'x'.repeat(70_000), 'é'.repeat(40_000), 'y'.repeat(300_000)),
);

/**
 * The property both tests below check: a text of such lines, its bytes packed by `pack` (as they
 * are, or gzipped) and cut anywhere into the chunks of a stream, comes out as the text's lines.
 */
async function linesSurviveCuts(pack: (text: Buffer) => Buffer, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(TEXT_LINE, { minLength: 1, maxLength: 30 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 12 }), async (ls, endsInNewline, cuts) => {
      const text = ls.join('\n') + (endsInNewline ? '\n' : '');
      const buf = pack(Buffer.from(text, 'utf8'));
      const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
      const chunks = [0, ...points].map((p, k, all) => buf.subarray(p, all[k + 1] ?? buf.length)).filter((c) => c.length > 0);
      const got = await linesOf(chunks);
      // An empty last "line" (the text ends in a newline, or is empty) is no line.
      const expected = text.split('\n');
      if (expected[expected.length - 1] === '') expected.pop();
      assert.deepEqual(got.lines, expected);
      assert.ok(got.unitsRight, 'code units match the text');
      // Every line that ends in a newline arrives in place; only a last line without one as a string.
      assert.equal(got.inPlace, text.split('\n').length - 1);
    }),
    { numRuns },
  );
}

test('lines handed over in place are the lines of the text, with their code units, however the bytes arrive', async () => {
  await linesSurviveCuts((text) => text, 150);
});

test('gzipped, the same lines, however the compressed bytes arrive (zlib inflating while lines are parsed)', async () => {
  await linesSurviveCuts((text) => gzipSync(text), 100);
});

test('gzip on standard input is told by its first two bytes even when a pipe brings them apart', async () => {
  const gz = gzipSync(Buffer.from('open("/a", O_RDONLY) = 3\nbrk(NULL) = 0x1000\n'));
  const got = await linesOf([gz.subarray(0, 1), gz.subarray(1, 2), gz.subarray(2)]);
  assert.deepEqual(got.lines, ['open("/a", O_RDONLY) = 3', 'brk(NULL) = 0x1000']);
});

/**
 * Lines that stop inside a construct whose end the next line holds: read in place, with the next
 * line right after it in the same text, no walk may run on into it.
 */
const CUT_SHORT = [
  '1 10:00:00.000000 epoll_wait(4,  <unfinished ...>',
  '1 10:00:00.000001 <... epoll_wait resumed>[], 8, 100)',
  '1 10:00:00.000002 write(1, "x", 1) = 1',
  '2 10:00:00.000003 read(3</tmp/a>, "abc',
  'def", 10) = 10 <0.000001>',
  '3 10:00:00.000004 openat(AT_FDCWD</tmp>, "/x", O_RDONLY) = 5</tmp/unclosed',
  '3 10:00:00.000005 close(5</tmp/x>) = 0>',
  '[pid 4<comm',
  '>] 10:00:00.000006 brk(NULL) = 0x5000',
  '5 10:00:00.000007 (+ 0.000001',
  ') brk(NULL) = 0x6000',
  '6 10:00:00.000008 mmap(NULL, 4096, 0x3 /* PROT_READ',
  '|PROT_WRITE */, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000',
  '7 10:00:00.000009 munmap(0x7f0000000000, 4096) =',
  ' 0',
  '8 10:00:00.000010 brk(0x7000) = 0x',
  '7000',
  '9 10:00:00.000011 read(3</tmp/a>, "\\',
  '", 1) = 1',
  '10 10:00:00.000012 read(3</tmp/a>,  <unfinished ...>',
  '10 10:00:00.000013 <... read',
  ' resumed>"x", 1) = 1',
].join('\n');

test('the strace parser fed lines in place emits exactly what it emits fed them as strings, over the whole corpus', () => {
  const names = readdirSync(SHAPES).filter((f) => /^[0-2]/.test(f));
  assert.ok(names.length >= 40, 'the strace captures of the corpus are all there');
  for (const name of [...names, 'cut short']) {
    const text = name === 'cut short' ? CUT_SHORT : readFileSync(join(SHAPES, name), 'utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const run = (feed: (p: StraceParser) => void): unknown => {
      const events: unknown[] = [];
      const problems = new Problems();
      const p = new StraceParser((e) => events.push({ ...e }), problems, name);
      feed(p);
      p.end();
      return { events, counts: p.counts, problems: problems.list(), times: [p.firstTime, p.lastTime, p.timestampKind] };
    };
    const asStrings = run((p) => {
      for (const l of lines) p.push(l);
    });
    // The whole text as one piece, and its units once: each line a range of it.
    const units = new Uint16Array(text.length + 2);
    for (let k = 0; k < text.length; k++) units[k] = text.charCodeAt(k);
    const inPlace = run((p) => {
      let from = 0;
      for (const l of lines) {
        p.pushRange(text, from, from + l.length, units);
        from += l.length + 1;
      }
    });
    assert.deepEqual(inPlace, asStrings, name);
  }
});

test('a large gzip file that is not a trace: the error, and the file closed after it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Lines of numbers, several megabytes gzipped: the parser gives up after its first lines, with
  // most of the file not yet read (a file that fits in one read would be read whole by then).
  const file = join(dir, 'numbers.txt.gz');
  const text = Array.from({ length: 600_000 }, (_, i) => `${i} ${(i * 2_654_435_761) % 4_294_967_291} ${(i * 40_503) % 65_521}\n`).join('');
  const packed = gzipSync(Buffer.from(text));
  assert.ok(packed.length > 4 << 20, `${packed.length} bytes gzipped: more than a few reads`);
  writeFileSync(file, packed);
  // The descriptors of this process open on the file (other tests' files may close meanwhile).
  const open = (): number =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false;
      }
    }).length;
  await assert.rejects(analyze(file, { worker: 'never' }), (e: { code?: string }) => e.code === 'HT_NOT_A_TRACE');
  // The file is closed a few turns of the event loop after the error; wait for it, within reason.
  for (let i = 0; i < 200 && open() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(open(), 0, 'the file is closed again');
});
