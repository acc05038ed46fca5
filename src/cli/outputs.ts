// The report's outputs, shared by every command that produces a report (report, run): the options
// that name them and the one function that writes them.
import type { Argv } from 'yargs';
import { HeaptraceError } from '../errors.js';
import { renderHtml } from '../report/html.js';
import { jsonPieces } from '../report/json.js';
import { renderSvg } from '../report/svg.js';
import { formatText } from '../report/text.js';
import type { Report } from '../report/types.js';
import { vegaLiteSpec } from '../report/vega-lite.js';
import { useColor, writeOutput, type Stdio } from './stdio.js';

export interface OutputArgs {
  json: string | undefined;
  html: string | undefined;
  vegaLite: string | undefined;
  svg: string | undefined;
  top: number;
}

export function outputOptions<T>(y: Argv<T>): Argv<T & OutputArgs> {
  return y
    .option('json', { type: 'string', describe: 'write the JSON report to FILE ("-" for stdout, replacing the text summary)', requiresArg: true })
    .option('html', { type: 'string', describe: 'write a self-contained HTML page with the charts and tables to FILE (opens offline)', requiresArg: true })
    .option('vega-lite', { type: 'string', describe: 'write the charts as a Vega-Lite v6 spec, data inline, to FILE ("-" for stdout)', requiresArg: true })
    .option('svg', { type: 'string', describe: 'write the timeline and file costs as an SVG image to FILE', requiresArg: true })
    .option('top', { type: 'number', default: 15, describe: 'how many files the text summary lists' }) as unknown as Argv<T & OutputArgs>;
}

/** The outputs any command may name; `check` has only --json (its results) and --junit. */
export interface OutputTargets {
  json?: string | undefined;
  vegaLite?: string | undefined;
  junit?: string | undefined;
  html?: string | undefined;
  svg?: string | undefined;
}

/**
 * Outputs that cannot go together: at most one on stdout, and the page and the image in files. A
 * usage error before any work; every command calls it once, first (run: before starting the program).
 */
export function checkOutputArgs(args: OutputTargets): void {
  const toStdout = [
    args.json === '-' && '--json -',
    args.vegaLite === '-' && '--vega-lite -',
    args.junit === '-' && '--junit -',
  ].filter((s) => s !== false);
  if (toStdout.length > 1) throw new HeaptraceError('HT_USAGE', `only one output can go to stdout, got ${toStdout.join(' and ')}`);
  for (const [option, target] of [['--html', args.html], ['--svg', args.svg]] as const) {
    if (target === '-') throw new HeaptraceError('HT_USAGE', `${option} needs a file name, got "-": the page and the image are written to files`);
  }
}

/**
 * Write every output the arguments ask for; the text summary goes to stdout unless stdout carries
 * another output. `run` passes summary 'stderr': stdout belongs to the traced program.
 */
export async function writeReport(report: Report, args: OutputArgs, stdio: Stdio, summary: 'stdout' | 'stderr' = 'stdout'): Promise<void> {
  const toStdout = args.json === '-' || args.vegaLite === '-';
  if (args.json !== undefined) await writeOutput(stdio, args.json, jsonPieces(report));
  if (args.vegaLite !== undefined) await writeOutput(stdio, args.vegaLite, JSON.stringify(vegaLiteSpec(report)) + '\n');
  if (args.html !== undefined) await writeOutput(stdio, args.html, await renderHtml(report));
  if (args.svg !== undefined) await writeOutput(stdio, args.svg, await renderSvg(report));
  if (summary === 'stderr') {
    const toStderr: Stdio = { ...stdio, stdout: stdio.stderr, stdoutIsTTY: stdio.stderrIsTTY };
    await writeOutput(toStderr, '-', formatText(report, { top: args.top, color: useColor(toStderr) }));
  } else if (!toStdout) {
    await writeOutput(stdio, '-', formatText(report, { top: args.top, color: useColor(stdio) }));
  }
}
