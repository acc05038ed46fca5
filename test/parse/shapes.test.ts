// Every real capture in test/corpus/shapes (copied from the team's shared shapes, which lists the
// exact strace/ltrace command for each) goes through the whole pipeline: no throw, every line
// accounted for, a report that validates, and for each odd shape the fact it exists to test.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { analyze, validateReport, type Report } from '../../src/index.js';
import { SHAPES, shape } from '../helpers/paths.js';
import { analyzeLines } from '../helpers/trace.js';

const NOT_TRACES: Record<string, RegExp> = {
  '15b-attach-p-stderr.txt': /only strace's own messages/,
  '20a-arg-names.txt': /strace said: "strace: invalid option -- 'N'"/,
  '22a-summary-c.txt': /strace -c summary table/,
};

const strace = readdirSync(SHAPES).filter((f) => /^(0|1|2)\d/.test(f) && !f.startsWith('07-ff.') && f.endsWith('.txt'));

for (const name of strace) {
  test(`shape ${name}: parses, accounts for every line, validates`, async () => {
    const expected = NOT_TRACES[name];
    if (expected) {
      await assert.rejects(analyze(shape(name)), (e: Error) => {
        assert.match(e.message, expected);
        assert.match(e.message, /strace -f -tt -T -y -o trace\.log/);
        return true;
      });
      return;
    }
    const r = await analyze(shape(name));
    const i = r.input;
    assert.equal(i.parsed + i.ignored + i.rejoined + i.unparsed, i.lines, 'every line is parsed, ignored, rejoined or unparsed');
    assert.equal(validateReport(r), null);
    for (const p of r.processes) {
      assert.ok(p.heap.peak >= p.heap.end, `pid ${p.pid}: heap peak below its end`);
      assert.ok(p.writable.peak >= p.writable.end, `pid ${p.pid}: writable peak below its end`);
    }
  });
}

const byName = async (name: string): Promise<Report> => analyze(shape(name));
const proc = (r: Report, pid: number) => {
  const p = r.processes.find((x) => x.pid === pid);
  assert.ok(p, `no process ${pid} in ${r.processes.map((x) => x.pid).join(',')}`);
  return p;
};

test('threads in stderr (-f) and -o forms give the same model', async () => {
  const a = await byName('01-threads-f-stderr.txt');
  const b = await byName('02-threads-f-ofile.txt');
  const c = await byName('03-threads-f-tt-T.txt');
  for (const r of [a, b, c]) {
    assert.equal(r.processes.length, 1, 'threads are not processes');
    assert.equal(r.processes[0]?.threads.length, 3);
    assert.equal(r.input.unparsed, 0);
  }
  // Same program, same allocations: the same peaks to the byte.
  assert.equal(a.processes[0]?.heap.peak, b.processes[0]?.heap.peak);
  assert.equal(b.processes[0]?.writable.peak, c.processes[0]?.writable.peak);
  // In stderr mode the first pid is learnt (set_tid_address) and "strace: Process N attached" cut out of a line.
  assert.equal(a.processes[0]?.pid, 9488);
  assert.equal(a.input.rejoined, 1);
  assert.equal(c.input.timestamps, 'time-of-day');
  assert.ok((c.input.duration ?? 0) > 0);
});

test('every timestamp form is read', async () => {
  const kinds: Record<string, string> = {
    '04a-ttt.txt': 'epoch', '04b-r.txt': 'relative', '04c-t.txt': 'time-of-day',
    '04d-timestamps-unix-ns.txt': 'epoch', '04e-tt-r-combined.txt': 'time-of-day',
  };
  const peaks = new Set<number>();
  for (const [name, kind] of Object.entries(kinds)) {
    const r = await byName(name);
    assert.equal(r.input.timestamps, kind, name);
    assert.equal(r.input.unparsed, 0, name);
    assert.ok(r.input.duration !== null && r.input.duration >= 0, name);
    peaks.add(r.processes[0]?.writable.peak ?? -1);
  }
  assert.equal(peaks.size, 1, 'the same program traced five ways has one peak');
});

test('signals, kills and exit statuses are recorded', async () => {
  const a = await byName('05a-signals-f.txt');
  assert.equal(a.processes.find((p) => p.parentPid !== null)?.exit?.code, 3);
  const segv = await byName('05b-signals-segv.txt');
  assert.ok(segv.processes.some((p) => p.exit?.signal === 'SIGSEGV'));
  const abort = await byName('05c-signals-abort.txt');
  assert.ok(abort.processes.some((p) => p.exit?.signal === 'SIGABRT'));
  const killed = await byName('06-killed-sigkill.txt');
  assert.equal(killed.processes[0]?.exit?.signal, 'SIGKILL');
});

test('strace -ff files are merged with the pid from each suffix', async () => {
  const r = await analyze(shape('07-ff'));
  assert.deepEqual(r.processes.map((p) => p.pid), [10308, 10309, 10310]);
  assert.equal(proc(r, 10309).parentPid, 10308);
  assert.equal(proc(r, 10310).command, '/bin/echo');
  // The -ff files were captured without timestamps: the order across files is unknown and said so.
  assert.ok(r.warnings.some((w) => w.code === 'HT_UNORDERED_FF'));
  const merged = await byName('25-ffmerge-merged.txt');
  assert.equal(merged.processes.length, 3);
  assert.equal(merged.input.unparsed, 0);
});

test('-yy socket, pipe and nested decorations name descriptors', async () => {
  const r = await byName('08a-yy.txt');
  assert.equal(r.input.unparsed, 0);
  const names = r.files.map((f) => f.path);
  assert.ok(names.includes('TCP:[127.0.0.1:59149->127.0.0.1:35484]'), names.join(' | '));
  assert.ok(names.includes('UNIX-STREAM:[16723->16722]'), names.join(' | '));
  assert.ok(names.includes('/tmp/heaptrace weird <name> "q".txt'), 'escaped \\74 \\76 decoded');
  const y = await byName('08b-y.txt');
  assert.ok(y.files.some((f) => f.path.startsWith('socket:[')), y.files.map((f) => f.path).join(' | '));
});

test('-k stacks, -e write= dumps and -C tables are ignored, not unparsed', async () => {
  for (const name of ['09-k-stack.txt', '21-dumpio.txt', '22b-summary-C.txt']) {
    const r = await byName(name);
    assert.equal(r.input.unparsed, 0, name);
    assert.ok(r.input.ignored > 0, name);
  }
});

test('hostile strings stay data: quotes, ") = 0", UTF-8, </script>, __proto__', async () => {
  for (const name of ['10a-strings-s32.txt', '10b-strings-s200.txt', '10c-strings-x.txt', '10d-strings-xx.txt']) {
    const r = await byName(name);
    assert.equal(r.input.unparsed, 0, name);
  }
  const r = await analyzeLines([
    '1 openat(AT_FDCWD, "/tmp/</script><img src=x onerror=alert(1)>", O_RDONLY) = 3',
    '1 read(3, "x", 1) = 1',
    '1 openat(AT_FDCWD, "/tmp/__proto__", O_RDONLY) = 4',
    '1 read(4, "x", 1) = 1',
    '1 openat(AT_FDCWD, "/tmp/caf\\303\\251/line\\nbreak) = 0", O_RDONLY) = 5',
    '1 read(5, "x", 1) = 1',
  ]);
  assert.deepEqual(r.files.map((f) => f.path).sort(), ['/tmp/</script><img src=x onerror=alert(1)>', '/tmp/__proto__', '/tmp/café/line\nbreak) = 0'].sort());
  const json = JSON.parse(JSON.stringify(r)) as Report;
  assert.ok(json.files.some((f) => f.path === '/tmp/__proto__'));
});

test('-X verbose and -X raw give the same memory as symbolic output', async () => {
  const v = await byName('11a-X-verbose.txt');
  const raw = await byName('11b-X-raw.txt');
  assert.ok((v.processes[0]?.writable.peak ?? 0) > 0);
  assert.equal(v.processes[0]?.writable.peak, raw.processes[0]?.writable.peak);
});

test('-Y comm decorations, including a hostile comm with "] <", are read', async () => {
  const a = await byName('12a-Y-ofile.txt');
  assert.equal(a.processes.length, 3);
  assert.equal(a.input.unparsed, 0);
  const b = await byName('12b-Y-stderr.txt');
  assert.deepEqual(b.processes.map((p) => p.pid), [10370, 10371, 10372]);
  assert.equal(b.warnings.find((w) => w.code === 'HT_ORPHAN_RESUMED'), undefined);
  const c = await byName('12c-Y-hostile-comm.txt');
  assert.equal(c.processes.length, 1);
  assert.equal(c.processes[0]?.pid, 10970);
  assert.equal(c.processes[0]?.command, 'a>] <b"c');
});

test('a 2>&1 capture is rejoined where strace\'s own or the program\'s output split a line', async () => {
  const r = await byName('16-interleaved-2to1.txt');
  assert.equal(r.input.unparsed, 0);
  assert.equal(r.input.rejoined, 2);
  assert.equal(proc(r, 10442).parentPid, 10441);
});

test('execve from a thread resumes under the leader\'s pid', async () => {
  const r = await byName('17-thread-execve.txt');
  assert.equal(r.input.unparsed, 0);
  assert.equal(proc(r, 10584).command, '/bin/true');
  assert.equal(r.warnings.find((w) => w.code === 'HT_ORPHAN_RESUMED'), undefined);
});

test('a trace cut mid-line by a killed strace is read to its last full line and says so', async () => {
  const r = await byName('19-truncated-strace-killed.txt');
  assert.equal(r.input.truncated, true);
  assert.equal(r.input.unparsed, 1);
  assert.ok(r.warnings.some((w) => w.code === 'HT_TRUNCATED'));
  assert.ok((r.processes[0]?.heap.peak ?? 0) > 0);
});

test('filtered traces without clone warn that threads may be modelled as processes', async () => {
  const r = await byName('23-combined-prefixes.txt');
  assert.ok(r.warnings.some((w) => w.code === 'HT_UNKNOWN_PARENT'));
  assert.equal(r.input.unparsed, 0);
  assert.ok(r.files.some((f) => f.path === '/usr/lib/x86_64-linux-gnu/libc.so.6'));
});

test('a relative (-r) timestamp on a split line counts once', async () => {
  const r = await analyzeLines([
    '     0.000100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLDstrace: Process 5 attached',
    ', child_tidptr=0x7f) = 5',
    '     0.000200 brk(NULL) = 0x1000',
  ]);
  assert.equal(r.input.rejoined, 1);
  assert.equal(r.input.timestamps, 'relative');
  assert.equal(r.input.duration, 0.0002, 'from the first line to the last: 0.0001 + 0.0002 - 0.0001');
});
