// A real program under strace: it reads a file, then allocates 8 MiB. `heaptrace check` must pass
// a budget above that cost and fail one below it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { MiB, missingTools, straceToFile, tempDir } from '../helpers/trace.js';

const PROGRAM = String.raw`
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static char buf[4096];
static void *volatile sink;
int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) return 3;
  while (read(fd, buf, sizeof buf) > 0) {}
  close(fd);
  size_t mib = argc > 2 ? (size_t)atoi(argv[2]) : 8;
  sink = malloc(mib << 20); /* above the mmap threshold: one mmap of the size plus a page */
  memset(sink, 1, mib << 20);
  return 0;
}
`;

const skip = missingTools('strace', 'gcc');

/** Build the program in dir and write the 10,000-byte input it reads; returns both paths. */
function setUp(dir: string): { exe: string; input: string } {
  const src = join(dir, 'alloc.c');
  writeFileSync(src, PROGRAM);
  const exe = join(dir, 'alloc');
  execFileSync('gcc', ['-O0', '-Wall', '-o', exe, src], { stdio: ['ignore', 'pipe', 'pipe'] });
  const input = join(dir, 'input.dat');
  writeFileSync(input, 'x'.repeat(10_000));
  return { exe, input };
}

test('check on a real trace: 8 MiB allocated after reading input.dat passes at 9MiB, fails at 7MiB', { skip: skip ?? false }, async () => {
  const { dir, cleanup } = tempDir('check-real');
  try {
    const { exe, input } = setUp(dir);
    const trace = join(dir, 'trace.log');
    straceToFile([exe, input], trace);

    const json = await runCli(['check', trace, '-q', '--json', '-', '--max-delta', 'input.dat=9MiB']);
    assert.equal(json.code, 0, json.stdout + json.stderr);
    const measured = (JSON.parse(json.stdout) as { results: Array<{ measured: number }> }).results[0]?.measured ?? 0;
    assert.ok(measured >= 8 * MiB && measured < 9 * MiB, `input.dat heap peak ${measured}`);

    const fail = await runCli(['check', trace, '-q', '--max-delta', 'input.dat=7MiB']);
    assert.equal(fail.code, 1, fail.stdout + fail.stderr);
    assert.match(fail.stdout, /FAIL  max-delta input\.dat ≤ 7 MiB: 8(\.\d+)? MiB \(.*input\.dat, 9\.77 KiB read, /);
  } finally {
    cleanup();
  }
});

test('baseline on real traces: the same run passes, a run allocating 50% more fails', { skip: skip ?? false }, async () => {
  const { dir, cleanup } = tempDir('check-baseline');
  try {
    const { exe, input } = setUp(dir);
    const trace = (name: string, mib: number): string => {
      const t = join(dir, name);
      straceToFile([exe, input, String(mib)], t);
      return t;
    };
    const base = join(dir, 'base.json');
    const stored = await runCli(['check', trace('a.log', 8), '-q', '--baseline', base, '--update-baseline']);
    assert.equal(stored.code, 0, stored.stdout + stored.stderr);
    assert.match(stored.stdout, /baseline written to/);

    const same = await runCli(['check', trace('b.log', 8), '-q', '--baseline', base, '--tolerance', '10%']);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /within 10%/);
    assert.doesNotMatch(same.stdout, /PASS  baseline/, 'passing baseline comparisons are summed up, not listed');

    const more = await runCli(['check', trace('c.log', 12), '-q', '--baseline', base, '--tolerance', '10%']);
    assert.equal(more.code, 1, more.stdout + more.stderr);
    assert.match(more.stdout, /FAIL  baseline heap peak of .*input\.dat ≤ 8\.\d+ MiB: 12(\.\d+)? MiB \(baseline 8(\.\d+)? MiB, tolerance 10%\)/);

    const slack = await runCli(['check', trace('d.log', 12), '-q', '--baseline', base, '--tolerance', '5MiB']);
    assert.equal(slack.code, 0, 'an absolute tolerance of 5 MiB absorbs 4 MiB more: ' + slack.stdout);
  } finally {
    cleanup();
  }
});
