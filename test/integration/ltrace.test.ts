// Real programs under real ltrace. test/programs/ltrace_files.c reads one file with fopen/fread and
// one with open/read, allocates after each amounts that grow with what it read, and prints its own
// tally of the requested bytes charged to each file (SPEC §2 applied by the program to itself).
// heaptrace's per-file growth, net and peak, and the process's live-heap peak and end, must equal
// those printed numbers to the byte.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze, validateReport, type Report } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import {
  LTRACE_VISIBLE, compileC, describeFiles, fileEntry, ltraceToFile, outputLines, workDir,
} from '../helpers/trace.js';

interface Printed {
  reads: Map<string, number>;
  files: Map<string, { growth: number; net: number; peak: number }>;
  total: { peak: number; end: number };
}

function printed(stdout: string): Printed {
  const reads = new Map(outputLines(stdout, 'READ').map(([p, n]) => [p ?? '', Number(n)]));
  const files = new Map(
    outputLines(stdout, 'FILE').map(([p, g, n, k]) => [p ?? '', { growth: Number(g), net: Number(n), peak: Number(k) }]),
  );
  const [peak, end] = (outputLines(stdout, 'TOTAL')[0] ?? []).map(Number);
  assert.ok(peak !== undefined && end !== undefined, `program output: ${stdout}`);
  return { reads, files, total: { peak, end } };
}

/** Two inputs whose sizes set the amounts the program allocates. */
function inputs(dir: string): [string, string] {
  const a = join(dir, 'stream-input.txt');
  const b = join(dir, 'fd-input.txt');
  writeFileSync(a, 'line of text\n'.repeat(300));
  writeFileSync(b, 'x'.repeat(2_500));
  return [a, b];
}

function assertMatches(report: Report, out: Printed): void {
  assert.equal(validateReport(report), null);
  assert.equal(report.input.format, 'ltrace');
  assert.equal(out.files.size, 2, 'the program reported both files');
  for (const [path, tally] of out.files) {
    const f = fileEntry(report, path);
    assert.deepEqual(f.heap, tally, `${path}\n  ${describeFiles(report)}`);
    assert.equal(f.bytesRead, out.reads.get(path), `bytes read from ${path}`);
  }
  assert.equal(report.processes.length, 1);
  const p = report.processes[0];
  assert.equal(p?.heap.peak, out.total.peak, 'live requested bytes at their peak');
  assert.equal(p?.heap.end, out.total.end, 'live requested bytes at the end');
}

test('ltrace: per-file growth, net and peak equal the program\'s own tally; unknown and double frees counted', async (t) => {
  const dir = workDir(t, 'ltrace-files', 'ltrace', 'gcc');
  if (dir === null) return;
  const exe = compileC('ltrace_files', dir, LTRACE_VISIBLE);
  const [a, b] = inputs(dir);
  const trace = join(dir, 'trace.txt');
  // With the tcache off glibc lets a fastbin double free pass, so the program survives its own.
  const run = ltraceToFile([exe, a, b, 'frees'], trace, { env: { GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0' } });
  assert.match(run.stdout, /^FREES 1 1$/m);

  const report = await analyze(trace);
  assertMatches(report, printed(run.stdout));
  const count = (code: string): number => report.warnings.find((w) => w.code === code)?.count ?? 0;
  assert.equal(count('HT_UNKNOWN_FREE'), 1, 'asprintf\'s block, allocated where ltrace could not see');
  assert.equal(count('HT_DOUBLE_FREE'), 1);
  assert.equal(count('HT_LTRACE_NO_HEAP_CALLS'), 0);
  assert.equal(report.input.timestamps, 'time-of-day');
  assert.equal(report.input.unparsed, 0);
});

test('ltrace -S: requested and mapped bytes side by side, the difference as overhead', async (t) => {
  const dir = workDir(t, 'ltrace-syscalls', 'ltrace', 'gcc');
  if (dir === null) return;
  const exe = compileC('ltrace_files', dir, LTRACE_VISIBLE);
  const [a, b] = inputs(dir);
  const trace = join(dir, 'trace.txt');
  const run = ltraceToFile([exe, a, b], trace, { syscalls: true });

  const report = await analyze(trace);
  // The system calls inside malloc change nothing requested: the file numbers are the same.
  const own = printed(run.stdout);
  assertMatches(report, own);
  const p = report.processes[0];
  assert.ok(p?.mapped && p.overhead, 'a log with -S lines has the mapped side');
  assert.ok(p.mapped.peak >= p.heap.peak, `the allocator took at least what was asked (mapped ${p.mapped.peak}, requested ${p.heap.peak})`);
  // The overhead's requested side is the program's own tally, not the report's heap figure.
  assert.equal(p.mapped.end - p.overhead.end, own.total.end);
  assert.equal(p.mapped.peak - p.overhead.peak, own.total.peak);
  assert.ok(p.writable.peak >= p.mapped.peak, 'writable includes the heap mappings');

  const text = await runCli([trace]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /MAPPED PEAK/);
  assert.match(text.stdout, /live requested bytes/);
});

test('a build ltrace cannot see (PIE, BIND_NOW, no PLT) gets a warning that says how to capture', async (t) => {
  const dir = workDir(t, 'ltrace-hidden', 'ltrace', 'gcc');
  if (dir === null) return;
  const exe = compileC('ltrace_files', dir, ['-fPIE', '-pie', '-fno-plt', '-Wl,-z,now']);
  const [a, b] = inputs(dir);
  const trace = join(dir, 'trace.txt');
  const run = ltraceToFile([exe, a, b], trace);
  assert.equal(printed(run.stdout).files.size, 2, 'the program itself ran and allocated');

  const report = await analyze(trace);
  assert.equal(report.input.format, 'ltrace');
  assert.ok(report.warnings.some((w) => w.code === 'HT_LTRACE_NO_HEAP_CALLS'), JSON.stringify(report.warnings));
  const cli = await runCli([trace]);
  assert.equal(cli.code, 0);
  assert.match(cli.stderr, /ltrace traced no allocation calls/);
  assert.match(cli.stderr, /-no-pie -Wl,-z,lazy/);
  assert.match(cli.stderr, /-e malloc\+free\+calloc\+realloc/);
});

test('heaptrace check and the library work on ltrace input as on strace input', async (t) => {
  const dir = workDir(t, 'ltrace-check', 'ltrace', 'gcc');
  if (dir === null) return;
  const exe = compileC('ltrace_files', dir, LTRACE_VISIBLE);
  const [a, b] = inputs(dir);
  const trace = join(dir, 'trace.txt');
  const run = ltraceToFile([exe, a, b], trace);
  const peak = printed(run.stdout).files.get(a)?.peak ?? 0;
  assert.ok(peak > 0);

  const report = await analyze(trace);
  assert.equal(report.file('stream-input.txt')?.heap.peak, peak, 'report.file() finds the file by its basename');

  const pass = await runCli(['check', trace, '--max-delta', `stream-input.txt=${peak}`]);
  assert.equal(pass.code, 0, pass.stdout + pass.stderr);
  const fail = await runCli(['check', trace, '--max-delta', `stream-input.txt=${peak - 1}`]);
  assert.equal(fail.code, 1, fail.stdout + fail.stderr);
  assert.match(fail.stdout, /stream-input\.txt/);

  const json = await runCli([trace, '--json', '-']);
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as Report;
  assert.equal(validateReport(parsed), null);
  assert.equal(parsed.timeline.axis, 'seconds');
  assert.ok(parsed.timeline.series[0]?.heap.includes(printed(run.stdout).total.peak), 'the timeline keeps the exact peak');
  assert.ok(parsed.timeline.activity.some((x) => x.path === a && x.growth > 0), 'file activity on the timeline');
});
