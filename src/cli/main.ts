// The CLI: main(argv, stdio) parses with yargs, runs the chosen command and returns the exit code.
// It never calls process.exit; only bin.ts touches the real process.
import yargs, { type Argv } from 'yargs';
import { isHeaptraceError } from '../errors.js';
import { VERSION } from '../version.js';
import { COMMANDS, type CommandContext } from './commands/index.js';
import type { Stdio } from './stdio.js';

const EPILOG = `Exit codes: 0 success; 1 a check rule failed; 2 bad usage, unreadable or non-trace input
(run: the program's own status). Trace and report in one step: heaptrace run -- PROGRAM [ARGS...]
Capture a trace to keep with: strace -f -tt -T -y -o trace.log PROGRAM [ARGS...]
  or with ltrace (detected): ltrace -f -tt -T -s 4096 [-S] -o trace.log PROGRAM [ARGS...]
Sizes are bytes: heap = brk + private anonymous writable mappings (what malloc uses);
writable = every private writable mapping (the kernel's VmData). Not resident memory.
For ltrace input heap is live requested bytes (malloc ... free); -S adds the mapped side.`;

function parser(ctx: CommandContext, stdio: Stdio): Argv {
  let y = yargs()
    .scriptName('heaptrace')
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .alias('V', 'version')
    .strict()
    .wrap(Math.min(110, (stdio.stdout as { columns?: number }).columns ?? 100))
    .epilog(EPILOG)
    .exitProcess(false);
  for (const c of COMMANDS) {
    y = y.command(c.command as unknown as string[], c.describe, c.builder as never, c.handler(ctx) as never);
  }
  return y;
}

/**
 * `report` is also the default command, and runs as it: after a named command's handler yargs
 * renders that command's whole help text, in case the handler shows it later (heaptrace's never
 * do), and measuring its columns costs 25 ms, a tenth of a small report's time. Asking for help,
 * or a trace named like a command (`report check`), keeps the name.
 */
export function unnamedReport(argv: readonly string[]): string[] {
  const [first, ...rest] = argv;
  if (first !== 'report') return [...argv];
  if (rest.some((a) => HELP_FLAGS.has(a)) || COMMAND_NAMES.has(rest[0] ?? '')) return [...argv];
  return rest;
}

const HELP_FLAGS = new Set(['--help', '-h', '--version', '-V']);
const COMMAND_NAMES = new Set(COMMANDS.map((c) => (c.command[0] as string).split(' ')[0]));

export async function main(argv: readonly string[], stdio: Stdio): Promise<number> {
  const ctx: CommandContext = { run: null };
  let usage: { message: string; output: string } | null = null;
  let printed = '';
  parser(ctx, stdio).parse(unnamedReport(argv), {}, (err: Error | undefined, _args: unknown, output: string) => {
    if (err) usage = { message: err.message, output };
    else printed = output;
  });
  if (usage !== null) {
    const u = usage as { message: string; output: string };
    stdio.stderr.write(`heaptrace: ${u.message}\nRun "heaptrace --help" for usage.\n`);
    return 2;
  }
  if (printed.length > 0) {
    stdio.stdout.write(printed + '\n');
    return 0;
  }
  if (ctx.run === null) return 0;
  try {
    return await ctx.run(stdio);
  } catch (err) {
    if (isHeaptraceError(err)) {
      stdio.stderr.write(`heaptrace: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
