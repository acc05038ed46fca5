// Check rules as options, shared by `check` (traces on disk) and `run` (a program traced now): the
// options that state rules and baselines, reading them before any trace, and holding a report to
// them with the results written where the options say.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { compareBaseline, parseBaseline, parseTolerance, type Tolerance } from '../check/baseline.js';
import { evaluate } from '../check/evaluate.js';
import { formatJunit } from '../check/junit.js';
import { parseRuleArg, parseRulesFile, RULE_KINDS, type Rule, type RuleKind } from '../check/rules.js';
import { HeaptraceError } from '../errors.js';
import { MESSAGES } from '../messages.js';
import { formatJson, jsonPieces } from '../report/json.js';
import type { Report } from '../report/types.js';
import { writeOutput, type Stdio } from './stdio.js';

type RuleOptions = { [K in RuleKind]: string | string[] | undefined };

export interface RuleArgs extends RuleOptions {
  rules: string | undefined;
  allowMissing: boolean;
  junit: string | undefined;
  baseline: string | undefined;
  /** Undefined when not given (10%): so `run` can tell it was given without a rule. */
  tolerance: string | undefined;
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

export function ruleOptions<T>(y: Argv<T>): Argv<T & RuleArgs> {
  let b = y as unknown as Argv<T & RuleArgs>;
  for (const kind of RULE_KINDS) {
    b = b.option(kind, { type: 'string', requiresArg: true, describe: `${RULE_HELP[kind]} (repeatable)` }) as unknown as Argv<T & RuleArgs>;
  }
  return b
    .option('rules', { type: 'string', requiresArg: true, describe: 'read rules from a JSON FILE: {"rules": [{"kind", "glob", "limit"}, …]}' })
    .option('allow-missing', { type: 'boolean', default: false, describe: 'a file rule whose GLOB matches no file passes instead of failing' })
    .option('baseline', { type: 'string', requiresArg: true, describe: 'compare with a stored report (heaptrace report --json): each file\'s heap peak and each program\'s largest heap peak may exceed it only by --tolerance' })
    .option('tolerance', { type: 'string', describe: 'how far above the baseline is still a pass: 10%, 64KiB, or 10%+64KiB (default 10%)' })
    .option('update-baseline', { type: 'boolean', default: false, describe: 'write this trace\'s report to the --baseline FILE instead of comparing' })
    .option('junit', { type: 'string', requiresArg: true, describe: 'write JUnit XML to FILE ("-" for stdout), one testcase per rule' }) as unknown as Argv<
    T & RuleArgs
  >;
}

/** What the rule options ask for, read and checked before any trace is. */
export interface RulePlan {
  rules: Rule[];
  tolerance: Tolerance;
  /** The stored report to compare with; null without --baseline or with --update-baseline. */
  baseline: Report | null;
}

const DEFAULT_TOLERANCE = '10%';

/** True when the options state any rule, rules file or baseline. */
export function hasRules(args: RuleArgs): boolean {
  return RULE_KINDS.some((k) => args[k] !== undefined) || args.rules !== undefined || args.baseline !== undefined;
}

/**
 * For `run`, where rules are optional: the options that only qualify rules are a usage error
 * without one, as they are in `check`, instead of being silently ignored.
 */
export function checkRulesGiven(args: RuleArgs): void {
  if (hasRules(args)) return;
  if (args.updateBaseline) throw new HeaptraceError('HT_USAGE', UPDATE_NEEDS_BASELINE);
  const given = [
    args.junit !== undefined && '--junit',
    args.tolerance !== undefined && '--tolerance',
    args.allowMissing && '--allow-missing',
  ].filter((s) => s !== false);
  if (given.length === 0) return;
  const rules = [...RULE_KINDS.map((k) => `--${k}`), '--rules FILE', '--baseline FILE'].join(', ');
  throw new HeaptraceError('HT_USAGE', `${given.join(', ')} ${given.length > 1 ? 'need' : 'needs'} a rule to apply to: ${rules}`);
}

const UPDATE_NEEDS_BASELINE = '--update-baseline needs --baseline FILE';

/** Rules from the options, in kind order, then from --rules FILE. */
async function collectRules(args: RuleArgs): Promise<Rule[]> {
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

/** Read and check every rule option; a typo fails here, before a large trace is read or a program run. */
export async function planRules(args: RuleArgs): Promise<RulePlan> {
  const rules = await collectRules(args);
  if (rules.length === 0 && args.baseline === undefined) throw new HeaptraceError('HT_USAGE', MESSAGES.noRules);
  const tolerance = parseTolerance(args.tolerance ?? DEFAULT_TOLERANCE);
  if (args.updateBaseline && args.baseline === undefined) throw new HeaptraceError('HT_USAGE', UPDATE_NEEDS_BASELINE);
  const baseline =
    args.baseline !== undefined && !args.updateBaseline ? parseBaseline(args.baseline, await readText(args.baseline)) : null;
  return { rules, tolerance, baseline };
}

export interface RuleOutputs {
  /** --json of `check`: the results as JSON to FILE or "-". */
  json?: string | undefined;
  /** Where the one-line-per-rule summary goes, unless stdout carries JSON or JUnit. */
  summary: NodeJS.WritableStream;
}

/** Hold the report to the plan, write JUnit, JSON and the summary; true when every check passed. */
export async function applyRules(report: Report, plan: RulePlan, args: RuleArgs, stdio: Stdio, out: RuleOutputs): Promise<boolean> {
  const outcome = evaluate(report, plan.rules, { allowMissing: args.allowMissing });
  let baselineNote = '';
  if (plan.baseline !== null) {
    const compared = compareBaseline(report, plan.baseline, plan.tolerance);
    outcome.results.push(...compared);
    outcome.passed &&= compared.every((r) => r.status === 'pass');
    baselineNote = `baseline ${args.baseline ?? ''}: ${compared.filter((r) => r.status === 'pass').length} of ${compared.length} files and programs within ${plan.tolerance.text}`;
  } else if (args.updateBaseline && args.baseline !== undefined) {
    await writeOutput(stdio, args.baseline, jsonPieces(report));
    baselineNote = `baseline written to ${args.baseline}`;
  }
  if (args.junit !== undefined) await writeOutput(stdio, args.junit, formatJunit(outcome));
  if (out.json !== undefined) {
    await writeOutput(stdio, out.json, formatJson({ schemaVersion: 1, passed: outcome.passed, results: outcome.results }));
  }
  if (!(out.summary === stdio.stdout && (out.json === '-' || args.junit === '-'))) {
    const failed = outcome.results.filter((r) => r.status === 'fail').length;
    const total = outcome.results.length;
    const summary = failed === 0 ? `all ${total} checks hold` : `${failed} of ${total} checks failed`;
    // Baseline comparisons can be hundreds: their passes are summed up, their failures listed.
    const shown = outcome.results.filter((r) => r.origin === 'rule' || r.status === 'fail');
    const lines = [...shown.map((r) => r.message), ...(baselineNote ? [baselineNote] : []), summary];
    await writeOutput({ ...stdio, stdout: out.summary }, '-', lines.join('\n') + '\n');
  }
  return outcome.passed;
}
