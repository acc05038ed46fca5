// `heaptrace check [TRACE…] --max-delta GLOB=SIZE …`: hold the traces to rules. Exit 0 when every
// rule holds, 1 when one fails, 2 on bad usage, a bad rule or unreadable input (SPEC §3).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { compareBaseline, parseBaseline, parseTolerance } from '../../check/baseline.js';
import { evaluate } from '../../check/evaluate.js';
import { formatJunit } from '../../check/junit.js';
import { parseRuleArg, parseRulesFile, RULE_KINDS, type Rule, type RuleKind } from '../../check/rules.js';
import { HeaptraceError } from '../../errors.js';
import { MESSAGES } from '../../messages.js';
import { writeOutput, type Stdio } from '../stdio.js';
import type { CommandContext } from './index.js';
import { analyzeArgs, inputOptions, type InputArgs } from './report.js';

type RuleOptions = { [K in RuleKind]: string | string[] | undefined };

export interface CheckArgs extends InputArgs, RuleOptions {
  rules: string | undefined;
  allowMissing: boolean;
  junit: string | undefined;
  json: string | undefined;
  baseline: string | undefined;
  tolerance: string;
  updateBaseline: boolean;
}

const RULE_HELP: Readonly<Record<RuleKind, string>> = {
  'max-delta': 'GLOB=SIZE: the heap peak charged to each matching file is at most SIZE',
  'max-net': 'GLOB=SIZE: the net heap change charged to each matching file is at most SIZE',
  'max-growth': 'GLOB=SIZE: the heap growth (increases only) charged to each matching file is at most SIZE',
  'max-amplification': 'GLOB=RATIO: heap peak / bytes read of each matching file is at most RATIO',
  'max-heap': 'SIZE: the largest heap peak of any process is at most SIZE',
  'max-writable': 'SIZE: the largest writable (VmData) peak of any process is at most SIZE',
};

/** Rules from the options, in kind order, then from --rules FILE. */
async function collectRules(args: CheckArgs): Promise<Rule[]> {
  const rules: Rule[] = [];
  for (const kind of RULE_KINDS) {
    const v = args[kind];
    // A repeated option arrives as an array; declared as a plain string so it never swallows the traces.
    for (const text of v === undefined ? [] : Array.isArray(v) ? v : [v]) rules.push(parseRuleArg(kind, String(text)));
  }
  if (args.rules !== undefined) {
    let text: string;
    try {
      text = await readFile(args.rules, 'utf8');
    } catch (err) {
      throw new HeaptraceError('HT_UNREADABLE', MESSAGES.unreadable(args.rules, (err as Error).message));
    }
    rules.push(...parseRulesFile(args.rules, text));
  }
  if (rules.length === 0 && args.baseline === undefined) throw new HeaptraceError('HT_USAGE', MESSAGES.noRules);
  return rules;
}

async function readText(file: string): Promise<string> {
  if (!existsSync(file)) throw new HeaptraceError('HT_NO_INPUT', MESSAGES.missingFile(file));
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new HeaptraceError('HT_UNREADABLE', MESSAGES.unreadable(file, (err as Error).message));
  }
}

export async function runCheck(args: CheckArgs, stdio: Stdio): Promise<number> {
  // Rules first: a typo in a rule fails fast, before reading a large trace.
  const rules = await collectRules(args);
  const tolerance = parseTolerance(args.tolerance);
  if (args.updateBaseline && args.baseline === undefined) throw new HeaptraceError('HT_USAGE', '--update-baseline needs --baseline FILE');
  const baseline =
    args.baseline !== undefined && !args.updateBaseline ? parseBaseline(args.baseline, await readText(args.baseline)) : null;
  const report = await analyzeArgs(args, stdio);
  const outcome = evaluate(report, rules, { allowMissing: args.allowMissing });
  let baselineNote = '';
  if (baseline !== null) {
    const compared = compareBaseline(report, baseline, tolerance);
    outcome.results.push(...compared);
    outcome.passed &&= compared.every((r) => r.status === 'pass');
    baselineNote = `baseline ${args.baseline ?? ''}: ${compared.filter((r) => r.status === 'pass').length} of ${compared.length} files and programs within ${tolerance.text}`;
  } else if (args.updateBaseline && args.baseline !== undefined) {
    await writeOutput(stdio, args.baseline, JSON.stringify(report, null, 2) + '\n');
    baselineNote = `baseline written to ${args.baseline}`;
  }
  if (args.junit !== undefined) await writeOutput(stdio, args.junit, formatJunit(outcome));
  if (args.json !== undefined) {
    await writeOutput(stdio, args.json, JSON.stringify({ schemaVersion: 1, passed: outcome.passed, results: outcome.results }, null, 2) + '\n');
  }
  if (args.json !== '-' && args.junit !== '-') {
    const failed = outcome.results.filter((r) => r.status === 'fail').length;
    const total = outcome.results.length;
    const summary = failed === 0 ? `all ${total} checks hold` : `${failed} of ${total} checks failed`;
    // Baseline comparisons can be hundreds: their passes are summed up, their failures listed.
    const shown = outcome.results.filter((r) => r.origin === 'rule' || r.status === 'fail');
    const lines = [...shown.map((r) => r.message), ...(baselineNote ? [baselineNote] : []), summary];
    await writeOutput(stdio, '-', lines.join('\n') + '\n');
  }
  return outcome.passed ? 0 : 1;
}

export const checkCommand = {
  command: ['check [trace..]'],
  describe: 'Hold traces to memory budgets: exit 0 when every rule holds, 1 when one fails',
  builder: (y: Argv) => {
    let b = inputOptions(y);
    for (const kind of RULE_KINDS) {
      b = b.option(kind, { type: 'string', requiresArg: true, describe: `${RULE_HELP[kind]} (repeatable)` });
    }
    return b
      .option('rules', { type: 'string', requiresArg: true, describe: 'read rules from a JSON FILE: {"rules": [{"kind", "glob", "limit"}, …]}' })
      .option('allow-missing', { type: 'boolean', default: false, describe: 'a file rule whose GLOB matches no file passes instead of failing' })
      .option('baseline', { type: 'string', requiresArg: true, describe: 'compare with a stored report (heaptrace report --json): each file\'s heap peak and each program\'s largest heap peak may exceed it only by --tolerance' })
      .option('tolerance', { type: 'string', default: '10%', describe: 'how far above the baseline is still a pass: 10%, 64KiB, or 10%+64KiB' })
      .option('update-baseline', { type: 'boolean', default: false, describe: 'write this trace\'s report to the --baseline FILE instead of comparing' })
      .option('junit', { type: 'string', requiresArg: true, describe: 'write JUnit XML to FILE ("-" for stdout), one testcase per rule' })
      .option('json', { type: 'string', requiresArg: true, describe: 'write the results as JSON to FILE ("-" for stdout, replacing the text)' })
      .example("$0 check trace.log --max-delta 'registry.xml=2MiB'", 'fail when reading registry.xml costs more than 2 MiB of heap')
      .example("$0 check trace.log --max-heap 64MiB --junit check.xml", 'a process budget, reported for CI')
      .example('$0 check trace.log --baseline base.json --tolerance 10%', 'fail when any file or program costs 10% more than in base.json')
      .example('$0 check trace.log --baseline base.json --update-baseline', 'store this run as the baseline');
  },
  handler: (ctx: CommandContext) => (argv: CheckArgs) => {
    ctx.run = (stdio) => runCheck(argv, stdio);
  },
} as const;
