// The library API: what the CLI itself uses, and what test suites call.
export { analyze, analyzeSources, type AnalyzeInput, type AnalyzeOptions, type ModelEvent, type MemoryChange } from './analyze.js';
export { HeaptraceError, isHeaptraceError, type ErrorCode } from './errors.js';
export type * from './report/types.js';
export { formatBytes, formatRatio } from './report/units.js';
export { validateReport, reportSchema } from './report/schema.js';
