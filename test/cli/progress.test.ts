// A long report on a terminal draws a progress line on stderr and erases it before the summary;
// the analysis tells how many bytes of text it has read, on either thread and for gzip files too.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { analyze, type AnalyzeOptions } from '../../src/analyze.js';
import { textTotal } from '../../src/cli/commands/report.js';
import { fileSource, streamSource } from '../../src/parse/input.js';
import { generateTrace } from '../bench/generate.js';
import { runCli } from '../helpers/cli.js';
import { SAMPLES } from '../helpers/paths.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A trace arriving in two halves, 1.6 s apart: long enough for the line to be drawn. */
function slowly(text: string): Readable {
  const half = text.indexOf('\n', text.length >> 1) + 1;
  return Readable.from(
    (async function* (): AsyncGenerator<Buffer> {
      yield Buffer.from(text.slice(0, half));
      await sleep(1600);
      yield Buffer.from(text.slice(half));
    })(),
  );
}

test('report on a terminal: a progress line while the trace comes in, erased before what follows', async () => {
  const text = readFileSync(join(SAMPLES, 'registry-spike.strace'), 'utf8');
  const tty = await runCli(['report', '-'], slowly(text), {}, { stderr: true });
  assert.equal(tty.code, 0, tty.stderr);
  // Standard input has no size: the bytes read so far.
  const drawn = /\r\u001b\[Kheaptrace (\d+\.\d)s · ([\d.]+ (?:B|KiB|MiB)) read · [\d,]+ calls\/s/.exec(tty.stderr);
  assert.ok(drawn, JSON.stringify(tty.stderr.slice(0, 300)));
  assert.ok(Number(drawn[1]) >= 1, 'not drawn in the first second');
  // The last thing drawn is the erase, then the warnings (this trace has no timestamps).
  const last = tty.stderr.lastIndexOf('\r\u001b[K');
  assert.ok(last > drawn.index);
  assert.doesNotMatch(tty.stderr.slice(last + 4), /calls\/s/);
  assert.match(tty.stderr.slice(last + 4), /^heaptrace: warning: /);
  assert.equal(tty.stdout, (await runCli(['report', '-'], text)).stdout, 'the summary is the same');
  // Not a terminal, or --quiet: nothing drawn.
  for (const [args, stderr] of [[['report', '-'], false], [['report', '-', '--quiet'], true]] as const) {
    const r = await runCli([...args], slowly(text), {}, { stderr });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /\r|calls\/s/);
  }
});

test('the analysis counts the bytes of text read: a file, on either thread, gzipped, and an -ff set', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-progress-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const gen = generateTrace({ size: 3_000_000, seed: 4, out: join(dir, 'gen.strace') });
  const gz = join(dir, 'gen.strace.gz');
  writeFileSync(gz, gzipSync(readFileSync(gen.path)));
  const ff = join(dir, 'ff');
  const a = 'open("/a", O_RDONLY) = 3\nread(3, "x", 1) = 1\n';
  const b = 'brk(NULL) = 0x1000\nbrk(0x21000) = 0x21000\n';
  writeFileSync(`${ff}.100`, a);
  writeFileSync(`${ff}.101`, b);
  const cases: [string, NonNullable<AnalyzeOptions['worker']>, number][] = [
    [gen.path, 'never', gen.bytes],
    [gen.path, 'always', gen.bytes],
    [gz, 'never', gen.bytes],
    [gz, 'always', gen.bytes],
    [ff, 'auto', a.length + b.length],
  ];
  for (const [file, worker, bytes] of cases) {
    let read = (): number => -1;
    let first = -1;
    let last = 0;
    let backwards = false;
    let partWay = false;
    await analyze(file, {
      worker,
      live: (_m, _a, _events, r) => {
        read = r;
        first = r();
      },
      onEvent: () => {
        const x = read();
        backwards ||= x < last;
        partWay ||= x > 0 && x < bytes;
        last = x;
      },
    });
    assert.equal(read(), bytes, `${file} (${worker}): all of it at the end`);
    assert.equal(first, 0, 'nothing before the input is read');
    assert.equal(backwards, false, 'never backwards');
    // Read a mebibyte at a time: a 3 MB trace shows part of its bytes while its events are applied.
    if (bytes > 2 << 20) assert.ok(partWay, `${file} (${worker}): part way`);
  }
});

test('the progress line measures files by the text they hold, and standard input by nothing', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-progress-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const plain = join(dir, 'a.strace');
  const packed = join(dir, 'b.strace.gz');
  writeFileSync(plain, 'x'.repeat(1000));
  writeFileSync(packed, gzipSync(Buffer.from('y'.repeat(5000))));
  assert.equal(textTotal([fileSource(plain), fileSource(packed)]), 6000);
  assert.equal(textTotal([fileSource(plain), streamSource(Readable.from([]))]), null);
  assert.equal(textTotal([fileSource(join(dir, 'gone.strace'))]), null);
});
