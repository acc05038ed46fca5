// SIZE (SPEC §3): plain bytes, or kB/MB/GB (powers of 1000), KiB/MiB/GiB (powers of 1024),
// case-insensitive, an optional trailing "B", decimals allowed.
import { HeaptraceError } from '../errors.js';
import { MESSAGES } from '../messages.js';

const FACTORS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1000,
  m: 1000 ** 2,
  g: 1000 ** 3,
  ki: 1024,
  mi: 1024 ** 2,
  gi: 1024 ** 3,
};

// Linear: no nested quantifiers.
const SIZE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kmg]i?)?(b?)\s*$/i;

/** "2MiB" → 2097152; "1.5 kB" → 1500; "4096" → 4096. Throws HT_BAD_SIZE naming the bad text. */
export function parseSize(text: string | number): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text >= 0) return Math.round(text);
    throw new HeaptraceError('HT_BAD_SIZE', MESSAGES.badSize(String(text)));
  }
  const m = SIZE.exec(text);
  if (m === null) throw new HeaptraceError('HT_BAD_SIZE', MESSAGES.badSize(text));
  const unit = (m[2] ?? '').toLowerCase();
  const factor = FACTORS[unit];
  if (factor === undefined) throw new HeaptraceError('HT_BAD_SIZE', MESSAGES.badSize(text));
  return Math.round(Number(m[1]) * factor);
}
