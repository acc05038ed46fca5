// The library API: what the CLI itself uses, and what test suites call.
export { analyze, analyzeSources, type AnalyzedReport, type AnalyzeInput, type AnalyzeOptions, type ModelEvent, type MemoryChange } from './analyze.js';
export { HeaptraceError, isHeaptraceError, type ErrorCode } from './errors.js';
export type * from './report/types.js';
export { formatBytes, formatRatio } from './report/units.js';
export { vegaLiteSpec, type VegaLiteSpec, type VegaLiteOptions } from './report/vega-lite.js';
export { renderHtml } from './report/html.js';
export { renderSvg } from './report/svg.js';
export { validateReport, reportSchema } from './report/schema.js';
export { parseSize } from './check/size.js';
export { matchGlob, compileGlob, type CompiledGlob } from './check/glob.js';
export { parseRuleArg, parseRulesFile, rulesSchema, RULE_KINDS, type Rule, type RuleKind, type FileRuleKind, type ProcessRuleKind } from './check/rules.js';
export { evaluate, type CheckResult, type CheckStatus, type CheckOptions, type CheckOutcome } from './check/evaluate.js';
export { formatJunit } from './check/junit.js';
export { findFile, assertMaxHeapDelta } from './check/assert.js';
