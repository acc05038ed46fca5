// `heaptrace check [TRACE…] --max-delta GLOB=SIZE …`: hold the traces to rules. Exit 0 when every
// rule holds, 1 when one fails, 2 on bad usage, a bad rule or unreadable input (SPEC §3).
import type { Argv } from 'yargs';
import { checkOutputArgs } from '../outputs.js';
import { applyRules, planRules, ruleOptions, type RuleArgs } from '../rules.js';
import type { Stdio } from '../stdio.js';
import type { CommandContext } from './index.js';
import { analyzeArgs, inputOptions, type InputArgs } from './report.js';

export interface CheckArgs extends InputArgs, RuleArgs {
  json: string | undefined;
}

export async function runCheck(args: CheckArgs, stdio: Stdio): Promise<number> {
  // Outputs and rules first: a typo fails fast, before reading a large trace.
  checkOutputArgs(args);
  const plan = await planRules(args);
  const report = await analyzeArgs(args, stdio);
  const passed = await applyRules(report, plan, args, stdio, { json: args.json, summary: stdio.stdout });
  return passed ? 0 : 1;
}

export const checkCommand = {
  command: ['check [trace..]'],
  describe: 'Hold traces to memory budgets: exit 0 when every rule holds, 1 when one fails',
  builder: (y: Argv) =>
    ruleOptions(inputOptions(y))
      .option('json', { type: 'string', requiresArg: true, describe: 'write the results as JSON to FILE ("-" for stdout, replacing the text)' })
      .example("$0 check trace.log --max-delta 'registry.xml=2MiB'", 'fail when reading registry.xml costs more than 2 MiB of heap')
      .example("$0 check trace.log --max-heap 64MiB --junit check.xml", 'a process budget, reported for CI')
      .example('$0 check trace.log --baseline base.json --tolerance 10%', 'fail when any file or program costs 10% more than in base.json')
      .example('$0 check trace.log --baseline base.json --update-baseline', 'store this run as the baseline'),
  handler: (ctx: CommandContext) => (argv: CheckArgs) => {
    ctx.run = (stdio) => runCheck(argv, stdio);
  },
} as const;
