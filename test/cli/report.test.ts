import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { unnamedReport } from '../../src/cli/main.js';
import { analyze, validateReport, type Report } from '../../src/index.js';
import { formatJson } from '../../src/report/json.js';
import { BIN, SAMPLES, shape } from '../helpers/paths.js';
import { runCli } from '../helpers/cli.js';
import { forkingTrace } from '../helpers/vega.js';

const SPIKE = SAMPLES + 'registry-spike.strace';

test('report prints the files by heap peak, the processes and the input accounting', async () => {
  const r = await runCli(['report', SPIKE]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /9\.56 MiB\s+9\.56 MiB\s+9\.56 MiB\s+16 KiB\s+612x\s+\/home\/wingo\/f\/flumotion\/cache\/registry\/registry\.xml/);
  assert.match(r.stdout, /Input: 13 lines: 13 parsed, 0 ignored, 0 rejoined, 0 unparsed/);
});

test('report is the default command', async () => {
  const a = await runCli([SPIKE]);
  const b = await runCli(['report', SPIKE]);
  assert.equal(a.code, 0);
  assert.equal(a.stdout, b.stdout);
});

test('"report" is dropped before yargs parses, except before help, version or a trace named like a command', () => {
  assert.deepEqual(unnamedReport(['report', 'trace.log', '--json', 'r.json']), ['trace.log', '--json', 'r.json']);
  assert.deepEqual(unnamedReport(['report']), []);
  assert.deepEqual(unnamedReport(['report', 'trace.log', '-h']), ['report', 'trace.log', '-h']);
  assert.deepEqual(unnamedReport(['report', '--version']), ['report', '--version']);
  assert.deepEqual(unnamedReport(['report', 'run', '--json', '-']), ['report', 'run', '--json', '-']);
  assert.deepEqual(unnamedReport(['check', 'report']), ['check', 'report']);
  assert.deepEqual(unnamedReport(['trace.log']), ['trace.log']);
});

test('report runs as the default command, but still has its own help and takes a trace named like a command', async () => {
  const help = await runCli(['report', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^heaptrace report \[trace\.\.\]/);
  const top = await runCli(['--help']);
  assert.notEqual(help.stdout, top.stdout);
  const named = await runCli(['report', 'check']);
  assert.equal(named.code, 2);
  assert.match(named.stderr, /cannot read check: no such file/);
  const unknown = await runCli(['report', SPIKE, '--bogus']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown argument: bogus/);
});

test('--json - writes a report that validates, and only the report, to stdout', async () => {
  const r = await runCli([SPIKE, '--json', '-']);
  assert.equal(r.code, 0);
  const report = JSON.parse(r.stdout) as Report;
  assert.equal(validateReport(report), null);
  assert.equal(report.schemaVersion, 1);
  assert.equal(report.files[0]?.heap.peak, 10_027_008);
});

test('--json FILE writes the report and still prints the summary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-'));
  try {
    const out = join(dir, 'r.json');
    const r = await runCli([SPIKE, '--json', out]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Heap growth by file/);
    assert.equal((JSON.parse(readFileSync(out, 'utf8')) as Report).files.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a report of many 64 KiB pieces reaches stdout and a file whole and in order', async () => {
  const text = forkingTrace(600);
  const expected = formatJson(await analyze({ text, name: '-' }));
  assert.ok(expected.length > 8 * 65_536, `${expected.length} characters`);
  const piped = await runCli(['--json', '-'], text);
  assert.equal(piped.code, 0);
  assert.equal(piped.stdout, expected);
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-'));
  try {
    const out = join(dir, 'r.json');
    assert.equal((await runCli(['--json', out], text)).code, 0);
    assert.equal(readFileSync(out, 'utf8'), expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('standard input, "-" and gzip are read', async () => {
  const text = readFileSync(SPIKE, 'utf8');
  const viaStdin = await runCli(['--json', '-'], text);
  const viaDash = await runCli(['-', '--json', '-'], text);
  assert.equal(viaStdin.code, 0);
  assert.equal((JSON.parse(viaStdin.stdout) as Report).files[0]?.heap.peak, 10_027_008);
  assert.equal(viaDash.stdout, viaStdin.stdout);
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-'));
  try {
    const gz = join(dir, 'trace.log.gz');
    writeFileSync(gz, gzipSync(Buffer.from(text)));
    const r = await runCli([gz, '--json', '-']);
    assert.equal(r.code, 0);
    assert.equal((JSON.parse(r.stdout) as Report).files[0]?.heap.peak, 10_027_008);
    writeFileSync(gz, gzipSync(Buffer.from(text)).subarray(0, 40));
    const cut = await runCli([gz]);
    assert.equal(cut.code, 2);
    assert.match(cut.stderr, /looks like gzip but does not decompress/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input exits 2 with a clear message and no stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-'));
  try {
    const cases: Array<[string, Buffer | null, RegExp]> = [
      ['missing.log', null, /cannot read .*missing\.log: no such file/],
      ['empty.log', Buffer.alloc(0), /is empty: there is no trace to read; capture one with: strace -f/],
      ['binary.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]), /is not text .* not an strace or ltrace log/],
      ['other.log', Buffer.from('GET /index.html 200\nGET /favicon.ico 404\n'), /not an strace or ltrace log: none of its first lines/],
      // A real first line, then text that never ends a line: bounded memory, a clear error.
      ['endless.log', Buffer.concat([Buffer.from('1 brk(NULL) = 0x1000\n'), Buffer.alloc(65 * 1024 * 1024, 0x78)]), /has a line longer than 64 MiB/],
    ];
    for (const [name, content, message] of cases) {
      const p = join(dir, name);
      if (content) writeFileSync(p, content);
      const r = await runCli([p]);
      assert.equal(r.code, 2, name);
      assert.match(r.stderr, message, name);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `${name}: no stack trace`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unparsed lines are a counted warning, and an error with --strict', async () => {
  const trace = readFileSync(SPIKE, 'utf8') + 'this line is garbage\n';
  const loose = await runCli(['--json', '-'], trace);
  assert.equal(loose.code, 0);
  const report = JSON.parse(loose.stdout) as Report;
  assert.equal(report.input.unparsed, 1);
  assert.deepEqual(report.input.unparsedLines, ['-:14']);
  assert.match(loose.stderr, /warning: 1 × lines not understood as trace records \(first at -:14\)/);
  const strict = await runCli(['--strict'], trace);
  assert.equal(strict.code, 2);
  assert.match(strict.stderr, /--strict: .*1 unparsed line/);
  const quiet = await runCli(['-q'], trace);
  assert.equal(quiet.stderr, '');
});

test('unknown options are usage errors (exit 2); --help and --version exit 0', async () => {
  const bad = await runCli(['--no-such-option', SPIKE]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Unknown argument/);
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /strace -f -tt -T -y -o trace\.log/);
  const version = await runCli(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
});

test('the real binary survives a closed pipe (| head)', async () => {
  const child = spawn(process.execPath, [BIN, shape('01-threads-f-stderr.txt'), '--json', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.doesNotMatch(stderr, /internal error|EPIPE|\n\s+at /);
  assert.ok(code === 0 || code === null, `exit ${code}`);
});

test('the real binary writes nothing on stderr with -q: the V8 heap flag it sets at start-up is one this node knows', async () => {
  const child = spawn(process.execPath, [BIN, SPIKE, '-q'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(stderr, '');
  assert.equal(code, 0);
  assert.match(stdout, /9\.56 MiB/);
});

test('--vega-lite -, --html FILE and --svg FILE write the charts; the spec on stdout replaces the summary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heaptrace-'));
  try {
    const html = join(dir, 'r.html');
    const svg = join(dir, 'r.svg');
    const r = await runCli([SPIKE, '--vega-lite', '-', '--html', html, '--svg', svg]);
    assert.equal(r.code, 0, r.stderr);
    const spec = JSON.parse(r.stdout) as { $schema: string; datasets: { peak: { bytes: number }[] } };
    assert.equal(spec.$schema, 'https://vega.github.io/schema/vega-lite/v6.json');
    assert.equal(spec.datasets.peak[0]?.bytes, 10_027_008);
    assert.match(readFileSync(html, 'utf8'), /^<!doctype html>[\s\S]*registry\.xml[\s\S]*<\/html>\n$/);
    assert.match(readFileSync(svg, 'utf8'), /^<svg [\s\S]*peak_marks[\s\S]*<\/svg>$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('only one output may take stdout, and --html/--svg need a file', async () => {
  const both = await runCli([SPIKE, '--json', '-', '--vega-lite', '-']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /only one output can go to stdout, got --json - and --vega-lite -/);
  assert.equal(both.stdout, '');
  const unread = await runCli(['/nonexistent/trace.log', '--json', '-', '--vega-lite', '-']);
  assert.equal(unread.code, 2);
  assert.match(unread.stderr, /only one output can go to stdout/, 'the usage error comes before reading the trace');
  const html = await runCli([SPIKE, '--html', '-']);
  assert.equal(html.code, 2);
  assert.match(html.stderr, /--html needs a file name/);
});

test('an unwritable --html target is an error naming it, not a crash', async () => {
  const r = await runCli([SPIKE, '--html', '/nonexistent-dir/r.html']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot write \/nonexistent-dir\/r\.html/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
});
