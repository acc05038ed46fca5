// Every real ltrace capture in test/corpus/shapes (30-37; /work/shared/shapes/README.md lists the
// command behind each) goes through the whole pipeline: detected as ltrace, no throw, every line
// accounted for, a report that validates, and the fact each capture exists to show.
//
// The program behind most of them (shapes src/mallocs.c): malloc(100), calloc(4, 256),
// malloc(1 MiB), realloc of the calloc block to 8192, strdup("hello"), four frees, malloc(777)
// leaked, then two threads that each do malloc(64), realloc to 4096, free three times.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { analyze, validateReport, type Report } from '../../src/index.js';
import { SHAPES, shape } from '../helpers/paths.js';

const ltrace = readdirSync(SHAPES).filter((f) => /^3\d/.test(f) && f.endsWith('.txt'));

test('the corpus has the nine ltrace captures', () => {
  assert.equal(ltrace.length, 9, ltrace.join(', '));
});

for (const name of ltrace) {
  test(`ltrace shape ${name}: detected, every line accounted for, validates, never negative`, async () => {
    const r = await analyze(shape(name));
    const i = r.input;
    assert.equal(i.format, 'ltrace');
    assert.equal(i.parsed + i.ignored + i.rejoined + i.unparsed, i.lines);
    assert.equal(validateReport(r), null);
    for (const p of r.processes) {
      assert.ok(p.heap.end >= 0 && p.heap.peak >= p.heap.end, `pid ${p.pid}: heap ${p.heap.peak} / ${p.heap.end}`);
    }
    for (const x of r.timeline.series.flatMap((s) => s.heap)) assert.ok(x >= 0, 'the live heap is never negative');
  });
}

const byName = (name: string): Promise<Report> => analyze(shape(name));
const warning = (r: Report, code: string): number => r.warnings.find((w) => w.code === code)?.count ?? 0;

/** What mallocs.c leaves and reaches with every call traced: 777 bytes leaked, peak 1 MiB + 100 + 8192. */
const LEAK = 777;
const PEAK = 100 + 8192 + 1_048_576;

test('30 (-f -o): threads share one live heap; the leak and the peak are the program\'s', async () => {
  const r = await byName('30-ltrace-f.txt');
  assert.equal(r.input.unparsed, 0);
  assert.equal(r.processes.length, 1, 'threads made by a traced pthread_create are threads');
  const p = r.processes[0];
  assert.deepEqual(p?.threads, [10686, 10687, 10688]);
  // strdup("hello") is 6 bytes, freed before the peak: the peak is malloc(100) + realloc'd 8192 + 1 MiB.
  assert.equal(p?.heap.peak, PEAK + 6);
  assert.equal(p?.heap.end, LEAK);
  assert.equal(warning(r, 'HT_UNKNOWN_FREE'), 0);
  assert.equal(warning(r, 'HT_LTRACE_GUESSED_THREAD'), 0);
  assert.equal(p?.exit?.code, 0);
});

test('30b: the capture where ltrace broke the tracee: its complaint is counted, the crash recorded', async () => {
  const r = await byName('30b-ltrace-f-flaky-tracee-crash.txt');
  assert.equal(r.input.unparsed, 0);
  assert.equal(warning(r, 'HT_LTRACE_BROKE_TRACEE'), 1);
  const p = r.processes[0];
  assert.equal(p?.exit?.signal, 'SIGSEGV');
  // One worker's malloc(64) was live when everything died (its usleep never returned).
  assert.equal(p?.heap.end, LEAK + 64);
});

test('31 (-tt -T, prog->name): times read; strdup was not traced, so its free is unknown', async () => {
  const r = await byName('31-ltrace-tt-T.txt');
  assert.equal(r.input.timestamps, 'time-of-day');
  assert.ok((r.input.duration ?? 0) > 0);
  assert.equal(warning(r, 'HT_UNKNOWN_FREE'), 1, '-e malloc+free+realloc+calloc: strdup\'s block was never seen');
  assert.equal(r.processes[0]?.heap.end, LEAK);
  assert.equal(r.processes[0]?.heap.peak, PEAK);
  // No pthread_create traced: the workers' pids are taken for threads, and said so.
  assert.equal(warning(r, 'HT_LTRACE_GUESSED_THREAD'), 2);
  assert.equal(r.processes.length, 1);
});

test('32 (-S): system calls nested in library calls feed the mapped side', async () => {
  const r = await byName('32-ltrace-S.txt');
  assert.equal(r.input.unparsed, 0);
  const p = r.processes[0];
  assert.equal(p?.heap.end, LEAK);
  assert.ok(p?.mapped, 'mapped side present');
  // malloc(1 MiB) maps 0x101000 bytes and free unmaps them: the mapped peak holds that block.
  assert.ok(p.mapped.peak >= 0x101000, `mapped peak ${p.mapped.peak}`);
  assert.equal(p.overhead?.end, p.mapped.end - p.heap.end);
  assert.ok(p.writable.peak >= p.mapped.peak);
});

test('33: a segfault after the allocations: killed by SIGSEGV, the leak still counted', async () => {
  const r = await byName('33-ltrace-segv.txt');
  assert.equal(r.processes[0]?.exit?.signal, 'SIGSEGV');
  assert.equal(r.input.unparsed, 0);
  assert.equal(r.processes[0]?.heap.end, LEAK, 'the leak outlives the crash');
});

test('34a (-i): return addresses are read past; calloc and strdup untraced, their frees unknown', async () => {
  const r = await byName('34a-ltrace-i.txt');
  assert.equal(r.input.unparsed, 0);
  assert.equal(warning(r, 'HT_UNKNOWN_FREE'), 2);
  assert.equal(r.processes[0]?.heap.end, LEAK);
  assert.equal(r.processes[0]?.exit?.code, 0);
});

for (const name of ['35-ltrace-pie-empty.txt', '36-ltrace-x.txt']) {
  test(`${name}: no allocation call traced at all gets the warning that says how to capture`, async () => {
    const r = await byName(name);
    assert.equal(warning(r, 'HT_LTRACE_NO_HEAP_CALLS'), 1);
    assert.match(r.warnings.find((w) => w.code === 'HT_LTRACE_NO_HEAP_CALLS')?.message ?? '', /-no-pie -Wl,-z,lazy/);
  });
}

test('37 (fork, exec): the pid that execs is a process of its own; exit statuses kept', async () => {
  const r = await byName('37-ltrace-f-fork.txt');
  assert.equal(r.input.unparsed, 0);
  const execed = r.processes.find((p) => p.pid === 10737);
  assert.ok(execed, r.processes.map((p) => p.pid).join(','));
  assert.notEqual(execed.parentPid, null);
  assert.equal(execed.exit?.code, 0);
  const first = r.processes.find((p) => p.pid === 10736);
  assert.equal(first?.exit?.code, 7);
  assert.equal(first?.heap.peak, 1_048_576);
  assert.equal(first?.heap.end, 0);
});

test('strace captures are still read as strace', async () => {
  for (const name of ['02-threads-f-ofile.txt', '03-threads-f-tt-T.txt', '11b-X-raw.txt', '04b-r.txt', '16-interleaved-2to1.txt']) {
    assert.equal((await byName(name)).input.format, 'strace', name);
  }
});
