// Test-suite helpers over a Report: find a file by glob, assert a heap budget with node's
// AssertionError so any test runner shows it as an ordinary failed assertion.
import { AssertionError } from 'node:assert';
import type { FileReport, Report } from '../report/types.js';
import { formatBytes, formatRatio } from '../report/units.js';
import { matchingFiles, nearestPaths } from './evaluate.js';
import { parseSize } from './size.js';

/** The file a glob (or a plain basename) matches, the one with the largest heap peak when several do. */
export function findFile(report: Report, globOrName: string): FileReport | undefined {
  return matchingFiles(report, globOrName)[0];
}

/**
 * Throws AssertionError unless every file matching `glob` has a heap peak of at most `size`
 * (bytes, or a SIZE string like "2MiB"), or when no file matches.
 */
export function assertMaxHeapDelta(report: Report, glob: string, size: number | string): void {
  const limit = parseSize(size);
  const worst = matchingFiles(report, glob)[0];
  if (worst === undefined) {
    const near = nearestPaths(report, glob);
    throw new AssertionError({
      message: `${glob}: no file in the trace matches${near.length > 0 ? ` (nearest: ${near.join(', ')})` : ''}`,
      actual: undefined,
      expected: glob,
      operator: 'assertMaxHeapDelta',
      stackStartFn: assertMaxHeapDelta,
    });
  }
  if (worst.heap.peak <= limit) return;
  throw new AssertionError({
    message: `${glob}: heap peak ${formatBytes(worst.heap.peak)} exceeds ${formatBytes(limit)} (${formatBytes(worst.bytesRead)} read, ${formatRatio(worst.amplification)})${worst.path === glob ? '' : ` in ${worst.path}`}`,
    actual: worst.heap.peak,
    expected: limit,
    operator: '<=',
    stackStartFn: assertMaxHeapDelta,
  });
}
