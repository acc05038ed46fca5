// Files are read in large blocks and handed to split2 in smaller pieces (src/parse/input.ts): the
// cuts fall anywhere, inside lines and inside UTF-8 sequences, and must change nothing.
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
  // About 1.3 MB: several 256 KiB reads, each cut into 64 KiB pieces.
  const generated = generateTrace({ size: 1_300_000, seed: 3, out: join(dir, 'gen.strace') });
  let text = readFileSync(generated.path, 'utf8');
  // A two-byte character astride the first piece boundary (byte 65,536), in a -y name the report
  // keeps, and a line longer than a whole piece.
  // Whole lines up to a little before the cut (the generated trace is ASCII: characters are bytes).
  const head = text.slice(0, text.lastIndexOf('\n', 62_000) + 1);
  const pid = /^(\d+) /.exec(head)?.[1] ?? '1';
  const open = (name: string, fd: number): string =>
    `${pid} 10:00:00.000001 openat(AT_FDCWD, "${name}", O_RDONLY) = ${fd}<${name}>\n`;
  const lead = open('/tmp/x', 90);
  const prefix = `${pid} 10:00:00.000001 openat(AT_FDCWD, "`;
  const pad = 65_535 - Buffer.byteLength(head + lead + prefix, 'utf8');
  assert.ok(pad > 5 && pad < 4000, `padding ${pad}`);
  const name = '/tmp/' + 'p'.repeat(pad - 5) + 'é.xml';
  const long = `${pid} 10:00:00.000002 write(1, "${'w'.repeat(100_000)}", 100000) = 100000\n`;
  text = head + lead + open(name, 91) + long + text.slice(head.length);
  assert.equal(Buffer.from(text, 'utf8').subarray(65_535, 65_537).toString('utf8'), 'é', 'the character straddles the cut');
  const file = join(dir, 'trace.strace');
  writeFileSync(file, text);

  const fromFile = await analyze(file);
  const fromText = await analyze({ text, name: file });
  assert.equal(fromFile.input.lines, generated.lines + 3);
  assert.equal(fromFile.input.unparsed, 0);
  assert.ok(fromFile.files.some((f) => f.path === name), 'the name with the split character is read whole');
  assert.deepEqual(JSON.parse(JSON.stringify(fromFile)), JSON.parse(JSON.stringify(fromText)));
});
