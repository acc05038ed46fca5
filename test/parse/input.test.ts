// Files are read in large blocks and handed to split2 in smaller pieces (src/parse/input.ts): reads
// end anywhere, pieces inside lines longer than a piece, some inside UTF-8 sequences; none of it
// may change the report.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/index.js';
import { generateTrace } from '../bench/generate.js';

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
