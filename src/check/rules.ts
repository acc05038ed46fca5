// Check rules: what `heaptrace check` holds a report to, from command-line options or a rules file.
import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { newAjv } from '../lazy-ajv.js';
import { HeaptraceError } from '../errors.js';
import { MESSAGES } from '../messages.js';
import { compileGlob } from './glob.js';
import { parseSize } from './size.js';

export const FILE_RULE_KINDS = ['max-delta', 'max-net', 'max-growth', 'max-amplification'] as const;
export const PROCESS_RULE_KINDS = ['max-heap', 'max-writable'] as const;
export const RULE_KINDS = [...FILE_RULE_KINDS, ...PROCESS_RULE_KINDS] as const;
export type FileRuleKind = (typeof FILE_RULE_KINDS)[number];
export type ProcessRuleKind = (typeof PROCESS_RULE_KINDS)[number];
export type RuleKind = (typeof RULE_KINDS)[number];

export interface Rule {
  kind: RuleKind;
  /** The files the rule applies to; null for the process rules (max-heap, max-writable). */
  glob: string | null;
  /** Bytes, or a ratio for max-amplification. */
  limit: number;
}

export const isFileRuleKind = (k: RuleKind): k is FileRuleKind => (FILE_RULE_KINDS as readonly string[]).includes(k);

const RATIO = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*x?\s*$/i;

/** "50", "50x", "2.5x" → the number. */
export function parseRatio(text: string | number): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text >= 0) return text;
    throw new HeaptraceError('HT_BAD_RULE', MESSAGES.badRatio(String(text)));
  }
  const m = RATIO.exec(text);
  if (m === null) throw new HeaptraceError('HT_BAD_RULE', MESSAGES.badRatio(text));
  return Number(m[1]);
}

function parseLimit(kind: RuleKind, limit: string | number): number {
  return kind === 'max-amplification' ? parseRatio(limit) : parseSize(limit);
}

/** A rule from an option's value: GLOB=LIMIT for file rules, LIMIT for process rules. */
export function parseRuleArg(kind: RuleKind, text: string): Rule {
  try {
    if (!isFileRuleKind(kind)) return { kind, glob: null, limit: parseLimit(kind, text) };
    // The limit never holds "=", a path may: split at the last one.
    const eq = text.lastIndexOf('=');
    if (eq <= 0) throw new HeaptraceError('HT_BAD_RULE', MESSAGES.ruleNeedsGlob(kind, text));
    const glob = text.slice(0, eq);
    compileGlob(glob);
    return { kind, glob, limit: parseLimit(kind, text.slice(eq + 1)) };
  } catch (err) {
    if (err instanceof HeaptraceError && !err.message.startsWith('--')) {
      throw new HeaptraceError(err.code, MESSAGES.badRuleArg(kind, text, err.message));
    }
    throw err;
  }
}

const schemaUrl = new URL('../../../src/check/rules.schema.json', import.meta.url);

export function rulesSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaUrl, 'utf8')) as Record<string, unknown>;
}

let validator: ValidateFunction | null = null;

/** "/rules/2/limit" → "rules[2].limit". */
function fieldName(e: ErrorObject): string {
  const parts = e.instancePath.split('/').slice(1);
  if (e.keyword === 'required' || e.keyword === 'additionalProperties') {
    const p = e.params as { missingProperty?: string; additionalProperty?: string };
    parts.push(p.missingProperty ?? p.additionalProperty ?? '');
  }
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? 'the top level' : out;
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'enum':
      return `expected one of ${((e.params as { allowedValues: unknown[] }).allowedValues).join(', ')}`;
    case 'required':
      return 'is missing';
    case 'additionalProperties':
      return 'is not a known field (expected kind, glob, limit)';
    case 'not':
      return 'is not allowed: max-heap and max-writable apply to processes, not files';
    default:
      return `expected: ${e.message ?? 'something else'}`;
  }
}

/** Rules from the text of a rules file (`{"rules": [{kind, glob, limit}, …]}`), named `file` in messages. */
export function parseRulesFile(file: string, text: string): Rule[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new HeaptraceError('HT_BAD_RULE', MESSAGES.badRulesFile(file, `not JSON: ${(err as Error).message}`));
  }
  validator ??= newAjv({ allErrors: true, strict: false }).compile(rulesSchema());
  if (!validator(data)) {
    // "if" only says which branch failed; the branch's own error says why.
    const errors = (validator.errors ?? []).filter((e) => e.keyword !== 'if');
    throw new HeaptraceError('HT_BAD_RULE', MESSAGES.badRulesFile(file, errors.map((e) => `${fieldName(e)} ${describe(e)}`).join('; ')));
  }
  const raw = (data as { rules: Array<{ kind: RuleKind; glob?: string; limit: string | number }> }).rules;
  return raw.map((r, i) => {
    try {
      if (r.glob !== undefined) compileGlob(r.glob);
      return { kind: r.kind, glob: r.glob ?? null, limit: parseLimit(r.kind, r.limit) };
    } catch (err) {
      if (!(err instanceof HeaptraceError)) throw err;
      const field = err.code === 'HT_BAD_GLOB' ? 'glob' : 'limit';
      throw new HeaptraceError('HT_BAD_RULE', MESSAGES.badRulesFile(file, `rules[${i}].${field} ${err.message}`));
    }
  });
}
