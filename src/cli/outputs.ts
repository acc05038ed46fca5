// The report's outputs, shared by every command that produces a report (report, run): the options
// that name them and the one function that writes them.
import type { Argv } from 'yargs';
import { formatText } from '../report/text.js';
import type { Report } from '../report/types.js';
import { useColor, writeOutput, type Stdio } from './stdio.js';

export interface OutputArgs {
  json: string | undefined;
  top: number;
}

export function outputOptions<T>(y: Argv<T>): Argv<T & OutputArgs> {
  return y
    .option('json', { type: 'string', describe: 'write the JSON report to FILE ("-" for stdout, replacing the text summary)', requiresArg: true })
    .option('top', { type: 'number', default: 15, describe: 'how many files the text summary lists' }) as unknown as Argv<T & OutputArgs>;
}

/**
 * Write every output the arguments ask for; the text summary goes to stdout unless stdout carries
 * another output. `run` passes summary 'stderr': stdout belongs to the traced program.
 */
export async function writeReport(report: Report, args: OutputArgs, stdio: Stdio, summary: 'stdout' | 'stderr' = 'stdout'): Promise<void> {
  if (args.json !== undefined) await writeOutput(stdio, args.json, JSON.stringify(report, null, 2) + '\n');
  if (summary === 'stderr') {
    const toStderr: Stdio = { ...stdio, stdout: stdio.stderr, stdoutIsTTY: stdio.stderrIsTTY };
    await writeOutput(toStderr, '-', formatText(report, { top: args.top, color: useColor(toStderr) }));
  } else if (args.json !== '-') {
    await writeOutput(stdio, '-', formatText(report, { top: args.top, color: useColor(stdio) }));
  }
}
