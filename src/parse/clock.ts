// A trace's clock, shared by the strace and ltrace parsers: reads a line's timestamp and turns it
// into seconds on one axis. -r stamps add up; -t/-tt stamps carry no date, so a jump back of more
// than 12 hours is midnight passing.
import type { TimestampKind } from './events.js';
import { CH, codesOf, isDigit } from './scan.js';

export class TraceClock {
  kind: TimestampKind = 'none';
  /** Seconds of the first and latest timestamp seen, NaN without. */
  firstTime = NaN;
  lastTime = NaN;
  /** The time of the stamp read last. */
  value = NaN;
  private relBase = 0;
  private dayOffset = 0;
  private readonly stamps = new TimestampReader();

  /**
   * Reads the timestamp at line[i] (the line ends at n), if any, into `value`; returns the index
   * after it, or i when there is none.
   */
  read(line: string, i: number, u: Uint16Array = codesOf(line), n = line.length): number {
    const end = this.stamps.read(line, i, this.kind, u, n);
    if (end > i) this.note(this.stamps.value, this.stamps.kind);
    return end;
  }

  private note(raw: number, kind: TimestampKind): void {
    let value = raw;
    if (this.kind === 'none') this.kind = kind;
    if (kind === 'relative') {
      this.relBase += value;
      value = this.relBase;
    } else if (kind === 'time-of-day') {
      value += this.dayOffset;
      if (!Number.isNaN(this.lastTime) && value < this.lastTime - 43_200) {
        this.dayOffset += 86_400;
        value += 86_400;
      }
    }
    if (Number.isNaN(this.firstTime)) this.firstTime = value;
    if (Number.isNaN(this.lastTime) || value > this.lastTime) this.lastTime = value;
    this.value = value;
  }

  snapshot(): ClockSnapshot {
    return { kind: this.kind, firstTime: this.firstTime, lastTime: this.lastTime, relBase: this.relBase, dayOffset: this.dayOffset };
  }

  restoreFrom(c: ClockSnapshot): void {
    this.kind = c.kind;
    this.firstTime = c.firstTime;
    this.lastTime = c.lastTime;
    this.relBase = c.relBase;
    this.dayOffset = c.dayOffset;
  }

  // One saved state, in fields: save() runs for every line and must not allocate.
  private savedKind: TimestampKind = 'none';
  private savedFirst = NaN;
  private savedLast = NaN;
  private savedRel = 0;
  private savedDay = 0;

  /** Remember the clock's state, to put back when the line read since turns out to be read again later. */
  save(): void {
    this.savedKind = this.kind;
    this.savedFirst = this.firstTime;
    this.savedLast = this.lastTime;
    this.savedRel = this.relBase;
    this.savedDay = this.dayOffset;
  }

  restore(): void {
    this.kind = this.savedKind;
    this.firstTime = this.savedFirst;
    this.lastTime = this.savedLast;
    this.relBase = this.savedRel;
    this.dayOffset = this.savedDay;
  }
}

/** A clock's whole state, as plain data. */
export interface ClockSnapshot {
  kind: TimestampKind;
  firstTime: number;
  lastTime: number;
  relBase: number;
  dayOffset: number;
}

/**
 * The clock after a chunk read apart (its clock started with no time seen, knowing the trace's
 * kind), given the clock before it, and the shift its times take: or null when the chunk's times
 * cannot be read apart. -r times add up (the sum's roundings differ); a -t/-tt chunk can be
 * shifted only when no midnight passed inside it or at its start, and it starts no earlier than
 * the latest time before (else the 12-hour test would have compared with another time). A chunk
 * holding the trace's first time is read in order too.
 */
export function continueClock(before: ClockSnapshot, chunk: ClockSnapshot): { clock: ClockSnapshot; shift: number } | null {
  if (Number.isNaN(chunk.firstTime)) return { clock: before, shift: 0 };
  // The trace's first time in the chunk: events before it in the chunk must see no clock yet.
  if (chunk.kind !== before.kind || Number.isNaN(before.lastTime)) return null;
  if (chunk.kind === 'epoch') {
    return { clock: { ...before, lastTime: chunk.lastTime > before.lastTime ? chunk.lastTime : before.lastTime }, shift: 0 };
  }
  if (chunk.kind !== 'time-of-day' || chunk.dayOffset !== 0) return null;
  const shift = before.dayOffset;
  if (chunk.firstTime + shift < before.lastTime) return null;
  return { clock: { ...before, lastTime: chunk.lastTime + shift }, shift };
}

/**
 * Reads strace's timestamps: -t/-tt HH:MM:SS[.frac], -ttt/--timestamps=unix epoch.frac, or -r
 * relative (told from epoch by size, unless `known` already says which the trace uses). The
 * result stays in the reader's fields, so no object is made per line.
 */
export class TimestampReader {
  value = NaN;
  kind: TimestampKind = 'none';
  private frac = 0;

  /** The index after the timestamp at line[i] (the line ends at n), or i when there is none. */
  read(line: string, i: number, known: TimestampKind, u: Uint16Array = codesOf(line), n = line.length): number {
    // Fast path for -tt, the recommended capture: HH:MM:SS.uuuuuu.
    if (
      i + 15 < n && u[i + 2] === CH.COLON && u[i + 5] === CH.COLON &&
      u[i + 8] === CH.DOT && u[i + 15] === CH.SPACE
    ) {
      const z = CH.ZERO * 11;
      const h = (u[i] as number) * 10 + (u[i + 1] as number) - z;
      const m = (u[i + 3] as number) * 10 + (u[i + 4] as number) - z;
      const sec = (u[i + 6] as number) * 10 + (u[i + 7] as number) - z;
      let us = 0;
      for (let k = 9; k < 15; k++) us = us * 10 + (u[i + k] as number) - CH.ZERO;
      if (h >= 0 && h < 24 && m >= 0 && m < 60 && sec >= 0 && sec < 61 && us >= 0 && us < 1_000_000) {
        this.value = h * 3600 + m * 60 + sec + us / 1e6;
        this.kind = 'time-of-day';
        return i + 15;
      }
    }
    let a = 0;
    let j = i;
    for (; j < n && isDigit(u[j] as number); j++) a = a * 10 + (u[j] as number) - CH.ZERO;
    const sep = u[j];
    if (sep === CH.COLON) {
      // HH:MM:SS[.frac]
      let m = 0;
      let s = 0;
      let k = j + 1;
      for (; k < n && isDigit(u[k] as number); k++) m = m * 10 + (u[k] as number) - CH.ZERO;
      if (u[k] !== CH.COLON) return i;
      k++;
      for (; k < n && isDigit(u[k] as number); k++) s = s * 10 + (u[k] as number) - CH.ZERO;
      j = this.fraction(u, k, n);
      this.value = a * 3600 + m * 60 + s + this.frac;
      this.kind = 'time-of-day';
    } else if (sep === CH.DOT) {
      j = this.fraction(u, j, n);
      this.value = a + this.frac;
      this.kind = known === 'none' ? (a >= 100_000_000 ? 'epoch' : 'relative') : known;
    } else {
      return i;
    }
    // A timestamp is followed by a space; anything else means these digits were not one.
    return u[j] === CH.SPACE ? j : i;
  }

  /** Digits after a "." at j, as a fraction in this.frac; returns the index after them. */
  private fraction(u: Uint16Array, j: number, n: number): number {
    this.frac = 0;
    if (u[j] !== CH.DOT) return j;
    let f = 0;
    let scale = 1;
    let k = j + 1;
    for (; k < n && isDigit(u[k] as number); k++) {
      f = f * 10 + (u[k] as number) - CH.ZERO;
      scale *= 10;
    }
    this.frac = f / scale;
    return k;
  }
}
