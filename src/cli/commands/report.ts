// `heaptrace report [TRACE…]`, the default command: read traces, print the summary and write the
// requested report files.
import type { Argv } from 'yargs';
import { analyzeSources } from '../../analyze.js';
import { HeaptraceError } from '../../errors.js';
import { resolveFiles, streamSource, textSize, type Source } from '../../parse/input.js';
import { formatWarnings } from '../../report/text.js';
import type { Report } from '../../report/types.js';
import { Live } from '../../run/live.js';
import { ProgressLine } from '../../run/progress.js';
import { checkOutputArgs, outputOptions, writeReport, type OutputArgs } from '../outputs.js';
import type { Stdio } from '../stdio.js';
import type { CommandContext } from './index.js';

/** How input problems are treated: shared by every command that analyses a trace, `run` included. */
export interface ProblemArgs {
  strict: boolean;
  quiet: boolean;
}

export interface InputArgs extends ProblemArgs {
  trace: string[];
}

export interface ReportArgs extends InputArgs, OutputArgs {}

export function inputOptions<T>(y: Argv<T>): Argv<T & InputArgs> {
  return y
    .positional('trace', {
      describe: 'strace or ltrace log(s), plain or gzip; "-" or nothing for standard input; the NAME of strace -ff -o NAME for its NAME.PID files',
      type: 'string',
      array: true,
      default: [] as string[],
    })
    .option('strict', { type: 'boolean', default: false, describe: 'fail (exit 2) when any input line cannot be parsed' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no warnings and no progress line on stderr' }) as unknown as Argv<T & InputArgs>;
}

/** The sources named on the command line, standard input when none. */
export function sourcesFor(args: InputArgs, stdio: Stdio): Source[] {
  if (args.trace.length === 0) {
    if (stdio.stdinIsTTY) {
      throw new HeaptraceError(
        'HT_USAGE',
        'no trace given and standard input is a terminal: name a trace file, pipe one in, or use "heaptrace run -- PROGRAM"',
      );
    }
    return [streamSource(stdio.stdin, '-')];
  }
  return resolveFiles(args.trace).map((s) => (s.name === '-' ? streamSource(stdio.stdin, '-') : s));
}

/** The report's warnings on stderr, once per kind, unless --quiet. */
export function writeWarnings(report: Report, args: ProblemArgs, stdio: Stdio): void {
  if (!args.quiet) stdio.stderr.write(formatWarnings(report));
}

export async function analyzeArgs(args: InputArgs, stdio: Stdio): Promise<Report> {
  const sources = sourcesFor(args, stdio);
  const progress = stdio.stderrIsTTY && !args.quiet ? startProgress(sources, stdio) : null;
  let report: Report;
  try {
    report = await analyzeSources(sources, { strict: args.strict, ...(progress ? { live: progress.live.attach } : {}) });
  } finally {
    progress?.stop();
  }
  writeWarnings(report, args, stdio);
  return report;
}

/** The bytes of text the sources hold (a gzip file's as its trailer gives them); null when one has no size (standard input). */
export function textTotal(sources: readonly Source[]): number | null {
  let total = 0;
  for (const s of sources) {
    if (s.path === undefined) return null;
    try {
      total += textSize(s.path);
    } catch {
      return null;
    }
  }
  return total;
}

/** A run shorter than this draws no progress line (it would only flicker). */
const PROGRESS_AFTER_S = 1;
const PROGRESS_MS = 250;

/**
 * The progress line on a terminal's stderr while a long trace is read: how far through it, calls
 * per second, the largest heap and the costliest file so far. `stop` erases it, so that what
 * follows (warnings, the summary, an error) starts a line of its own.
 */
function startProgress(sources: Source[], stdio: Stdio): { live: Live; stop: () => void } {
  const live = new Live();
  const line = new ProgressLine(stdio.stderr);
  const total = textTotal(sources);
  const began = Date.now();
  const timer = setInterval(() => {
    const elapsed = (Date.now() - began) / 1000;
    if (elapsed < PROGRESS_AFTER_S) return;
    line.update({ ...live.progress(elapsed), read: { bytes: live.read(), total } });
  }, PROGRESS_MS);
  timer.unref();
  return {
    live,
    stop: () => {
      clearInterval(timer);
      line.clear();
    },
  };
}

export async function runReport(args: ReportArgs, stdio: Stdio): Promise<number> {
  checkOutputArgs(args);
  await writeReport(await analyzeArgs(args, stdio), args, stdio);
  return 0;
}

export const reportCommand = {
  command: ['report [trace..]', '$0 [trace..]'],
  describe: 'Summarise memory growth per file and per process (the default command)',
  builder: (y: Argv) =>
    outputOptions(inputOptions(y))
      .example('$0 trace.log', 'summarise a trace made with strace -f -tt -T -y -o trace.log PROGRAM')
      .example('strace -f -tt -y PROGRAM 2>&1 | $0', 'read the trace from a pipe')
      .example('$0 ltrace.log', 'the same report from ltrace -f -tt -T -s 4096 -o ltrace.log PROGRAM, in requested bytes')
      .example('$0 trace.log --json report.json', 'also write the full report as JSON')
      .example('$0 trace.log --html report.html', 'a page with the timeline, the file costs and the tables; opens offline')
      .example('$0 trace.log --svg timeline.svg --vega-lite timeline.vl.json', 'the charts as an image and as a Vega-Lite spec'),
  handler: (ctx: CommandContext) => (argv: ReportArgs) => {
    ctx.run = (stdio) => runReport(argv, stdio);
  },
} as const;
