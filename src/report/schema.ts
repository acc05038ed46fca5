// The report's JSON Schema (shipped as src/report/report.schema.json) and a validator for it.
import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { newAjv } from '../lazy-ajv.js';

const schemaUrl = new URL('../../../src/report/report.schema.json', import.meta.url);

export function reportSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaUrl, 'utf8')) as Record<string, unknown>;
}

let validator: ValidateFunction | null = null;

/** Null when the report is valid, else the validator's complaints, one per line. */
export function validateReport(report: unknown): string | null {
  validator ??= newAjv({ allErrors: true, strict: false }).compile(reportSchema());
  if (validator(report)) return null;
  return (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('\n');
}
