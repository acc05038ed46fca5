// Human units for sizes (IEC: KiB, MiB, GiB, as memory is counted in pages) and counts.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** The unit a size reads best in: the largest of B, KiB, MiB … that its magnitude reaches, and its size in bytes. */
export function sizeUnit(n: number): { name: (typeof UNITS)[number]; size: number } {
  const v = Math.abs(n);
  let u = 0;
  let size = 1;
  while (v >= size * 1024 && u < UNITS.length - 1) {
    size *= 1024;
    u++;
  }
  return { name: UNITS[u] as (typeof UNITS)[number], size };
}

/** 10027008 → "9.56 MiB"; 4096 → "4 KiB"; 0 → "0 B"; negative sizes keep their sign. */
export function formatBytes(n: number): string {
  const sign = n < 0 ? '-' : '';
  const unit = sizeUnit(n);
  const v = Math.abs(n) / unit.size;
  if (unit.size === 1) return `${sign}${v} B`;
  const digits = v >= 100 || Number.isInteger(v) ? 0 : v >= 10 ? 1 : 2;
  return `${sign}${Number(v.toFixed(digits))} ${unit.name}`;
}

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Amplification ratio: 612.3 → "612x", 1.53 → "1.5x", null → "-". */
export function formatRatio(r: number | null): string {
  if (r === null) return '-';
  if (r >= 100) return `${Math.round(r)}x`;
  if (r >= 10) return `${Number(r.toFixed(1))}x`;
  return `${Number(r.toFixed(2))}x`;
}

/** Seconds: 0.5234 → "0.523 s", 75 → "75.0 s". */
export function formatSeconds(s: number | null): string {
  if (s === null) return '-';
  return s >= 10 ? `${s.toFixed(1)} s` : `${s.toFixed(3)} s`;
}
