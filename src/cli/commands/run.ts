// `heaptrace run [OPTIONS] -- COMMAND [ARGS…]`: trace a program under strace, analyse the trace as
// it streams, write the report and hold it to check rules. The exit status is the program's (128+N
// when a signal killed it), or 1 when a check rule fails; 2 for usage errors.
import type { Argv } from 'yargs';
import { ERROR_CODES, HeaptraceError } from '../../errors.js';
import { MESSAGES } from '../../messages.js';
import { printable } from '../../report/text.js';
import { ProgressLine } from '../../run/progress.js';
import { runTraced, signalExitCode, type ProgramStdio, type RunResult } from '../../run/session.js';
import { formatResident, parseInterval } from '../../run/smaps.js';
import { findExecutable, probeStrace } from '../../run/strace.js';
import { checkOutputArgs, outputOptions, writeReport, type OutputArgs } from '../outputs.js';
import { applyRules, checkRulesGiven, hasRules, planRules, ruleOptions, type RuleArgs } from '../rules.js';
import type { Stdio } from '../stdio.js';
import type { CommandContext } from './index.js';
import { writeWarnings, type ProblemArgs } from './report.js';

export interface RunArgs extends OutputArgs, RuleArgs, ProblemArgs {
  command: string[] | undefined;
  _: Array<string | number>;
  '--'?: string[] | undefined;
  saveTrace: string | undefined;
  smaps: string | undefined;
}

/** The run's outcome when strace ended before the program's exit was seen. */
function tracerEnded(program: string, tracer: RunResult['tracer']): string {
  const how = tracer.signal !== null ? `was killed by ${tracer.signal}` : `exited with ${tracer.code ?? '?'}`;
  return MESSAGES.tracerEnded(program, how, ERROR_CODES.HT_RUN_FAILED);
}

function programStdio(stdio: Stdio): ProgramStdio {
  if (stdio.fds) return { stdin: stdio.fds[0], stdout: stdio.fds[1], stderr: stdio.fds[2] };
  return {
    stdin: stdio.stdin as unknown as ProgramStdio['stdin'],
    stdout: stdio.stdout as unknown as ProgramStdio['stdout'],
    stderr: stdio.stderr as unknown as ProgramStdio['stderr'],
  };
}

export async function runRun(args: RunArgs, stdio: Stdio): Promise<number> {
  // After "--" everything is the program's. yargs hands those words over in "--" or, inside main's
  // parser, after the command name in "_"; words before "--" that are not options land in `command`.
  const rest = args['--'] ?? args._.slice(1);
  const command = [...(args.command ?? []), ...rest].map(String);
  const program = command[0];
  if (program === undefined || program === '') throw new HeaptraceError('HT_USAGE', MESSAGES.noRunCommand);
  // Everything that can be wrong with the options fails before the program runs.
  checkOutputArgs(args);
  checkRulesGiven(args);
  const plan = hasRules(args) ? await planRules(args) : null;
  const smapsMs = args.smaps !== undefined ? parseInterval(args.smaps) : null;
  const features = probeStrace(stdio.env.PATH);
  if (findExecutable(program, stdio.env.PATH) === null) throw new HeaptraceError('HT_NO_COMMAND', MESSAGES.noCommand(program));

  const progress = stdio.stderrIsTTY && !args.quiet ? new ProgressLine(stdio.stderr) : null;
  let result: RunResult;
  try {
    result = await runTraced({
      command,
      features,
      env: stdio.env,
      stdio: programStdio(stdio),
      strict: args.strict,
      saveTrace: args.saveTrace,
      smapsMs,
      signals: stdio.signals,
      onProgress: progress ? (p) => progress.update(p) : undefined,
    });
  } finally {
    // A failed run's error message must not land at the end of a half-drawn progress line.
    progress?.clear();
  }

  const { report, exit } = result;
  writeWarnings(report, args, stdio);
  await writeReport(report, args, stdio, 'stderr');
  if (args.smaps !== undefined && report.timeline.resident) stdio.stderr.write('\n' + formatResident(report.timeline.resident, args.smaps));
  if (result.killedLeftovers.length > 0) stdio.stderr.write(`heaptrace: ${MESSAGES.tracerDied(result.killedLeftovers.length)}\n`);
  let code: number;
  if (exit === null) {
    // The program's status is unknown: not 0, and not strace's status passed off as the program's.
    code = ERROR_CODES.HT_RUN_FAILED;
    stdio.stderr.write(`heaptrace: ${tracerEnded(printable(program), result.tracer)}\n`);
  } else if (exit.signal !== null) {
    code = signalExitCode(exit.signal);
    stdio.stderr.write(`heaptrace: ${MESSAGES.killedBy(printable(program), exit.signal, code)}\n`);
  } else {
    code = exit.code ?? 0;
  }
  if (plan !== null) {
    const passed = await applyRules(report, plan, args, stdio, { summary: stdio.stderr });
    if (!passed) return 1;
  }
  return code;
}

export const runCommand = {
  command: ['run [command..]'],
  describe: 'Run a program under strace and report on it as it runs: heaptrace run [OPTIONS] -- COMMAND [ARGS...]',
  builder: (y: Argv) =>
    ruleOptions(outputOptions(y))
      .positional('command', { type: 'string', array: true, describe: 'the program and its arguments, after --' })
      .option('save-trace', { type: 'string', requiresArg: true, describe: 'also keep the raw strace log in FILE (gzip when it ends in .gz), for heaptrace report later' })
      .option('smaps', { type: 'string', requiresArg: true, describe: "sample each traced process's /proc/PID/smaps_rollup every INTERVAL (100ms, 1s): resident and private dirty memory beside the model" })
      .option('strict', { type: 'boolean', default: false, describe: 'fail (exit 2) when any trace line cannot be parsed' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no warnings and no progress line on stderr' })
      .example('$0 run -- python3 app.py', 'run app.py under strace; the summary goes to stderr after it ends')
      .example("$0 run --max-delta 'registry.xml=2MiB' -- ./daemon --once", 'a memory test for CI: exit 1 when loading registry.xml costs more than 2 MiB')
      .example('$0 run --json report.json --smaps 100ms --save-trace trace.gz -- ./app', 'the report with the resident view, and the raw trace kept')
      .epilog(
        'The summary, warnings and check results go to stderr: stdout, stdin and stderr belong to the program. ' +
          'Exit status: the program\'s (128+N when killed by signal N); 1 when a check rule fails; 2 for usage errors, a missing strace, or strace dying before the program ended; 127 when COMMAND is not found. ' +
          'Ctrl-C reaches the program as usual; heaptrace then writes its reports marked partial. See docs/run.md.',
      ),
  handler: (ctx: CommandContext) => (argv: RunArgs) => {
    ctx.run = (stdio) => runRun(argv, stdio);
  },
} as const;
