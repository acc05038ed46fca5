// The benchmark: `npm run bench` (= `npm run build && node dist/test/bench/bench.js`).
//
// Generates a realistic strace trace (test/bench/generate.ts) into bench-data/ (cached by size,
// seed and generator version), then times, each in its own child process so that peak RSS is that
// measurement's alone:
//   (a) the baseline: counting the file's lines with fs.createReadStream(f).pipe(split2());
//   (b) the real thing: `node dist/src/cli/bin.js report FILE --json OUT`.
// Prints MB/s (MB = 10^6 bytes), lines/s, wall seconds and peak RSS for each, the ratio of (b) to
// (a), and whether the targets are met. It never fails because of a timing: it is a benchmark,
// not a test. It fails (exit 1) only when a measurement could not be made.
//
//   node dist/test/bench/bench.js [--size 100MB[,1GB…]] [--runs N] [--seed N] [--steady] [--gzip] [--keep] [--json FILE]

import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGunzip, createGzip } from 'node:zlib';
import split2 from 'split2';

import { GENERATOR_VERSION, formatSize, generateTrace, parseSize } from './generate.js';

/** Targets from the performance issue. */
const TARGETS = {
  maxRatio: 4,
  minMBps: 200,
  maxRssMiB: 200,
} as const;

const TIME = '/usr/bin/time';

// -------------------------------------------------------------------------------------------
// The baseline child: `bench.js --count-lines FILE` prints {"lines": n, "maxRssKiB": n}. A
// FILE.gz is decompressed on the way, as the report decompresses it.

function countLines(file: string): Promise<void> {
  return new Promise((done, fail) => {
    let lines = 0;
    const bytes = createReadStream(file).on('error', fail);
    (file.endsWith('.gz') ? bytes.pipe(createGunzip()).on('error', fail) : bytes)
      .pipe(split2())
      .on('data', () => {
        lines++;
      })
      .on('error', fail)
      .on('end', () => {
        process.stdout.write(JSON.stringify({ lines, maxRssKiB: process.resourceUsage().maxRSS }) + '\n');
        done();
      });
  });
}

// Without /usr/bin/time, the CLI's own peak RSS is written by this module, preloaded with
// --import, to the file named by HEAPTRACE_BENCH_RSS when the process exits.
const RSS_PROBE =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { writeFileSync } from 'node:fs';" +
      "process.on('exit', () => { const f = process.env.HEAPTRACE_BENCH_RSS;" +
      ' if (f) writeFileSync(f, String(process.resourceUsage().maxRSS)); });',
  );

// -------------------------------------------------------------------------------------------
// Running one measurement

interface Measurement {
  wallSeconds: number;
  maxRssKiB: number;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Keeps the first `limit` characters of a stream: enough for error messages and the JSON line. */
function collect(stream: NodeJS.ReadableStream | null, limit = 64 * 1024): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer) => {
    if (text.length < limit) text += chunk.toString('utf8').slice(0, limit - text.length);
  });
  return () => text;
}

async function measure(nodeArgs: string[], work: string, useTime: boolean): Promise<Measurement> {
  const timeFile = join(work, 'time.txt');
  const rssFile = join(work, 'rss.txt');
  rmSync(timeFile, { force: true });
  rmSync(rssFile, { force: true });
  const command = useTime ? TIME : process.execPath;
  const args = useTime ? ['-v', '-o', timeFile, process.execPath, ...nodeArgs] : ['--import', RSS_PROBE, ...nodeArgs];
  const t0 = performance.now();
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HEAPTRACE_BENCH_RSS: rssFile, NO_COLOR: '1' },
  });
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, sig) => done([code, sig]));
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  let maxRssKiB = Number.NaN;
  if (useTime && existsSync(timeFile)) {
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeFile, 'utf8'));
    if (m) maxRssKiB = Number(m[1]);
  } else if (existsSync(rssFile)) {
    maxRssKiB = Number(readFileSync(rssFile, 'utf8'));
  }
  return { wallSeconds, maxRssKiB, exitCode, signal, stdout: out(), stderr: err() };
}

function failed(what: string, m: Measurement): Error {
  const how = m.signal !== null ? `killed by ${m.signal}` : `exit code ${m.exitCode}`;
  return new Error(`${what} failed (${how})\n${m.stderr.trim() || m.stdout.trim()}`);
}

// -------------------------------------------------------------------------------------------
// Figures

interface Row {
  wallSeconds: number[];
  maxRssKiB: number[];
}

interface SizeResult {
  size: string;
  trace: string;
  bytes: number;
  lines: number;
  generatedSeconds: number | null;
  baseline: Summary;
  report: Summary | null;
  ratio: number | null;
  reportInput: Record<string, unknown> | null;
  /** Processes in the report, which memory may grow with (null without a report). */
  processes: number | null;
}

interface Summary {
  /** Median over the runs. */
  wallSeconds: number;
  MBps: number;
  linesPerSecond: number;
  /** Highest over the runs. */
  peakRssMiB: number;
  runs: { wallSeconds: number; peakRssMiB: number }[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? Number.NaN) + (s[mid] ?? Number.NaN)) / 2;
}

function summarise(row: Row, bytes: number, lines: number): Summary {
  const wall = median(row.wallSeconds);
  return {
    wallSeconds: wall,
    MBps: bytes / 1e6 / wall,
    linesPerSecond: lines / wall,
    peakRssMiB: Math.max(...row.maxRssKiB) / 1024,
    runs: row.wallSeconds.map((w, i) => ({ wallSeconds: w, peakRssMiB: (row.maxRssKiB[i] ?? Number.NaN) / 1024 })),
  };
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const fix = (n: number, d: number): string => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

function table(rows: [string, Summary][]): string {
  const head = ['measurement', 'wall s', 'MB/s', 'lines/s', 'peak RSS MiB'];
  const body = rows.map(([name, s]) => [name, fix(s.wallSeconds, 2), fix(s.MBps, 1), int(s.linesPerSecond), fix(s.peakRssMiB, 1)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [fmt(head), ...body.map(fmt)].join('\n');
}

function verdict(ok: boolean): string {
  return ok ? '[met]    ' : '[not met]';
}

// -------------------------------------------------------------------------------------------
// Options

interface Options {
  sizes: number[];
  runs: number;
  seed: number;
  /** Traces of the same population at every size (generate.ts, GenerateOptions.steady). */
  steady: boolean;
  /** Measure a gzipped copy of each trace (made once, beside it) instead of the trace. */
  gzip: boolean;
  keep: boolean;
  json: string | null;
  root: string;
  data: string;
  cli: string;
}

const USAGE = `usage: node dist/test/bench/bench.js [options]
  --size SIZE[,SIZE…]  trace size(s): bytes, kB, MB, GB, KiB, MiB, GiB (default 100MB)
  --runs N             runs per measurement; the median wall time is reported (default 3)
  --seed N             generator seed (default 1)
  --gzip               measure a gzipped copy of each trace (made once, kept beside it); MB/s
                       still count the text's bytes
  --steady             traces of the same processes and threads at every size, so that sizes
                       differ in the log's length alone (by default helpers keep being forked)
  --keep               keep the report JSON outputs in bench-data/ (they are deleted otherwise);
                       generated traces always stay in bench-data/ for the next run
  --json FILE          also write the figures as JSON
  --cli FILE           the heaptrace CLI to measure (default dist/src/cli/bin.js)
`;

/** The repository: the nearest folder above this script holding heaptrace's package.json. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && /"name":\s*"heaptrace"/.test(readFileSync(pkg, 'utf8'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

function parseArgs(argv: string[]): Options | null {
  const root = findRoot();
  const o: Options = {
    sizes: [100e6],
    runs: 3,
    seed: 1,
    steady: false,
    gzip: false,
    keep: false,
    json: null,
    root,
    data: join(root, 'bench-data'),
    cli: join(root, 'dist', 'src', 'cli', 'bin.js'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      return null;
    }
    if (a === '--keep') {
      o.keep = true;
      continue;
    }
    if (a === '--steady') {
      o.steady = true;
      continue;
    }
    if (a === '--gzip') {
      o.gzip = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
    if (a === '--size') o.sizes = v.split(',').map(parseSize);
    else if (a === '--runs') o.runs = Number(v);
    else if (a === '--seed') o.seed = Number(v);
    else if (a === '--json') o.json = resolve(v);
    else if (a === '--cli') o.cli = resolve(v);
    else throw new Error(`unknown option "${a}"\n${USAGE}`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error(`got --runs ${o.runs}: it must be a whole number, 1 or more`);
  if (!Number.isInteger(o.seed)) throw new Error(`got --seed ${o.seed}: it must be a whole number`);
  return o;
}

// -------------------------------------------------------------------------------------------

interface TraceMeta {
  version: number;
  size: number;
  seed: number;
  /** Absent in traces cached before the option existed: not steady. */
  steady?: boolean;
  bytes: number;
  lines: number;
}

/** The cached trace for (size, seed, steadiness, generator version), made when missing. */
function ensureTrace(o: Options, size: number): { path: string; meta: TraceMeta; seconds: number | null } {
  mkdirSync(o.data, { recursive: true });
  const base = join(o.data, `trace-${formatSize(size)}-seed${o.seed}${o.steady ? '-steady' : ''}-v${GENERATOR_VERSION}`);
  const path = base + '.strace';
  const metaPath = base + '.json';
  if (existsSync(path) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as TraceMeta;
    const same = meta.version === GENERATOR_VERSION && meta.size === size && meta.seed === o.seed && (meta.steady ?? false) === o.steady;
    if (same && statSync(path).size === meta.bytes) {
      return { path, meta, seconds: null };
    }
  }
  process.stderr.write(`generating ${relative(process.cwd(), path)} (${formatSize(size)}, seed ${o.seed}${o.steady ? ', steady' : ''})…\n`);
  const t0 = performance.now();
  const r = generateTrace({ size, seed: o.seed, out: path, steady: o.steady });
  const meta: TraceMeta = { version: GENERATOR_VERSION, size, seed: o.seed, steady: o.steady, bytes: r.bytes, lines: r.lines };
  writeFileSync(metaPath, JSON.stringify(meta, null, 2) + '\n');
  return { path, meta, seconds: (performance.now() - t0) / 1000 };
}

function countProcesses(json: unknown): number | null {
  if (typeof json !== 'object' || json === null || !('processes' in json)) return null;
  const processes = (json as { processes: unknown }).processes;
  return Array.isArray(processes) ? processes.length : null;
}

function pickInput(json: unknown): Record<string, unknown> | null {
  if (typeof json !== 'object' || json === null || !('input' in json)) return null;
  const input = (json as { input: unknown }).input;
  return typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : null;
}

/** A gzipped copy of the trace at `path` (zlib's default level, as gzip's), made when missing or older. */
async function ensureGzip(path: string): Promise<string> {
  const gz = path + '.gz';
  if (existsSync(gz) && statSync(gz).mtimeMs >= statSync(path).mtimeMs) return gz;
  process.stderr.write(`compressing ${relative(process.cwd(), path)}…\n`);
  await pipeline(createReadStream(path), createGzip(), createWriteStream(gz + '.part'));
  renameSync(gz + '.part', gz);
  return gz;
}

async function benchSize(o: Options, size: number, work: string, useTime: boolean, haveCli: boolean): Promise<SizeResult> {
  const made = ensureTrace(o, size);
  const { meta, seconds } = made;
  const path = o.gzip ? await ensureGzip(made.path) : made.path;
  const self = fileURLToPath(import.meta.url);
  const base: Row = { wallSeconds: [], maxRssKiB: [] };
  const rep: Row = { wallSeconds: [], maxRssKiB: [] };
  const out = o.keep ? join(o.data, `report-${formatSize(size)}-seed${o.seed}${o.steady ? '-steady' : ''}.json`) : join(work, 'report.json');
  let reportInput: Record<string, unknown> | null = null;
  let processes: number | null = null;
  for (let run = 1; run <= o.runs; run++) {
    process.stderr.write(`${formatSize(size)} run ${run}/${o.runs}: line count…`);
    const b = await measure([self, '--count-lines', path], work, useTime);
    if (b.exitCode !== 0) throw failed('the line count', b);
    const counted = (JSON.parse(b.stdout) as { lines: number; maxRssKiB: number });
    if (counted.lines !== meta.lines) throw new Error(`split2 counted ${counted.lines} lines, the generator wrote ${meta.lines}`);
    base.wallSeconds.push(b.wallSeconds);
    base.maxRssKiB.push(Number.isNaN(b.maxRssKiB) ? counted.maxRssKiB : b.maxRssKiB);
    if (haveCli) {
      process.stderr.write(' report…');
      rmSync(out, { force: true });
      const r = await measure([o.cli, 'report', path, '--json', out], work, useTime);
      if (r.exitCode !== 0) throw failed(`heaptrace report (${o.cli})`, r);
      rep.wallSeconds.push(r.wallSeconds);
      rep.maxRssKiB.push(r.maxRssKiB);
      const json = JSON.parse(readFileSync(out, 'utf8')) as unknown;
      reportInput = pickInput(json);
      processes = countProcesses(json);
    }
    process.stderr.write(' done\n');
  }
  const baseline = summarise(base, meta.bytes, meta.lines);
  const report = haveCli ? summarise(rep, meta.bytes, meta.lines) : null;
  return {
    size: formatSize(size),
    trace: relative(o.root, path),
    bytes: meta.bytes,
    lines: meta.lines,
    generatedSeconds: seconds,
    baseline,
    report,
    ratio: report ? report.wallSeconds / baseline.wallSeconds : null,
    reportInput,
    processes,
  };
}

function print(o: Options, r: SizeResult): void {
  const lines: string[] = [];
  const gen = r.generatedSeconds === null ? 'cached' : `generated in ${r.generatedSeconds.toFixed(1)} s`;
  const procs = r.processes === null ? '' : `, ${int(r.processes)} processes`;
  const packed = o.gzip ? `, gzipped to ${fix(statSync(join(o.root, r.trace)).size / 1e6, 1)} MB` : '';
  lines.push('', `trace ${r.trace}: ${fix(r.bytes / 1e6, 1)} MB${packed}, ${int(r.lines)} lines${procs} (${gen})`);
  const gz = o.gzip ? ', gzip' : '';
  const rows: [string, Summary][] = [[`split2 line count${gz} (baseline)`, r.baseline]];
  if (r.report) rows.push([`heaptrace report --json${gz}`, r.report]);
  lines.push(table(rows));
  if (o.runs > 1) {
    for (const [name, s] of rows) {
      lines.push(`  ${name}: ` + s.runs.map((x) => `${x.wallSeconds.toFixed(2)} s/${x.peakRssMiB.toFixed(0)} MiB`).join(', '));
    }
  }
  if (r.report && r.ratio !== null) {
    lines.push(`ratio report / line count: ${r.ratio.toFixed(2)}x`);
    lines.push(`${verdict(r.ratio <= TARGETS.maxRatio)} report within ${TARGETS.maxRatio}x the split2 line count: ${r.ratio.toFixed(2)}x`);
    lines.push(`${verdict(r.report.MBps >= TARGETS.minMBps)} report at ${TARGETS.minMBps} MB/s or more: ${r.report.MBps.toFixed(1)} MB/s`);
    lines.push(`${verdict(r.report.peakRssMiB < TARGETS.maxRssMiB)} peak RSS under ${TARGETS.maxRssMiB} MiB: ${r.report.peakRssMiB.toFixed(1)} MiB`);
    const input = r.reportInput;
    if (input) {
      const seen = input['lines'];
      const notes = [`input.lines ${typeof seen === 'number' ? int(seen) : String(seen)}${seen === r.lines ? ' (= the line count)' : ` (the file has ${int(r.lines)})`}`];
      for (const k of ['events', 'parsed', 'ignored', 'rejoined', 'unparsed']) {
        const v = input[k];
        if (typeof v === 'number') notes.push(`${k} ${int(v)}`);
      }
      lines.push(`report says: ${notes.join(', ')}`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--count-lines') {
    const file = argv[1];
    if (file === undefined) throw new Error('--count-lines needs a file');
    await countLines(file);
    return 0;
  }
  const o = parseArgs(argv);
  if (o === null) return 0;
  const useTime = existsSync(TIME);
  const haveCli = existsSync(o.cli);
  const cpu = cpus();
  process.stdout.write(
    `heaptrace benchmark, ${new Date().toISOString().slice(0, 10)}: node ${process.version}, ${process.platform} ${process.arch}, ` +
      `${cpu.length} CPUs (${cpu[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM\n` +
      `${o.runs} run(s) each: median wall time, highest peak RSS; RSS from ${useTime ? `${TIME} -v` : 'process.resourceUsage() in the child'}; MB = 10^6 bytes\n`,
  );
  if (!haveCli) process.stdout.write(`note: ${relative(process.cwd(), o.cli)} does not exist: measuring the baseline only\n`);
  const work = mkdtempSync(join(tmpdir(), 'heaptrace-bench-'));
  const results: SizeResult[] = [];
  try {
    for (const size of o.sizes) {
      const r = await benchSize(o, size, work, useTime, haveCli);
      print(o, r);
      results.push(r);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const measured = results.filter((r) => r.report !== null);
  if (measured.length > 1) {
    // Memory may grow with processes and files, never with the log's length (issue 2). Steady
    // traces hold the same population (give or take a helper) and differ in length alone, so their
    // peaks must match within the run-to-run spread (about 8 MiB here); otherwise the growth is
    // shown, not judged.
    const first = measured[0];
    const last = measured[measured.length - 1];
    if (first?.report && last?.report) {
      const grow = last.report.peakRssMiB - first.report.peakRssMiB;
      const peak = (r: SizeResult, rss: number): string =>
        `${r.size} ${rss.toFixed(1)} MiB${r.processes === null ? '' : ` (${int(r.processes)} processes)`}`;
      const both = `${peak(first, first.report.peakRssMiB)}, ${peak(last, last.report.peakRssMiB)}: ${grow >= 0 ? '+' : ''}${grow.toFixed(1)} MiB`;
      process.stdout.write(
        o.steady
          ? `\n${verdict(grow < 16)} peak RSS independent of the log's length: ${both}\n`
          : `\n[info]    peak RSS ${both}; the traces differ in processes too (--steady compares lengths alone)\n`,
      );
    }
  }
  if (o.json !== null) writeFileSync(o.json, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpu.length, results }, null, 2) + '\n');
  return 0;
}

const me = process.argv[1];
if (me !== undefined && import.meta.url === pathToFileURL(me).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`\nbench: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
