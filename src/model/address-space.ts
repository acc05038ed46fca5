// One address space: the brk heap segment and a map of [start, end) intervals with the attributes
// the accounting needs (SPEC §1). The two totals are kept up to date on every change, so reading
// them is O(1); a change costs O(log n + pieces touched) plus an array splice (n is the number of
// mappings, a few hundred to a few thousand in real programs).
import { pageUp } from '../parse/scan.js';
import type { LiveHeap } from './live-heap.js';
import type { ProcessState } from './model.js';

export const ATTR = {
  WRITABLE: 1,
  PRIVATE: 2,
  ANONYMOUS: 4,
  GROWSDOWN: 8,
} as const;

/** Attributes of a mapping whose origin the trace did not show (mremap of an unknown range). */
export const UNKNOWN_ORIGIN = ATTR.WRITABLE | ATTR.PRIVATE | ATTR.ANONYMOUS;

function heapBytes(attrs: number, len: number): number {
  return (attrs & (ATTR.WRITABLE | ATTR.PRIVATE | ATTR.ANONYMOUS | ATTR.GROWSDOWN)) ===
    (ATTR.WRITABLE | ATTR.PRIVATE | ATTR.ANONYMOUS)
    ? len
    : 0;
}

function writableBytes(attrs: number, len: number): number {
  return (attrs & (ATTR.WRITABLE | ATTR.PRIVATE | ATTR.GROWSDOWN)) === (ATTR.WRITABLE | ATTR.PRIVATE) ? len : 0;
}

export class AddressSpace {
  /** The process whose series this address space's changes count in (threads and vfork children share it). */
  owner: ProcessState | null = null;
  /** Sorted, non-overlapping intervals as three parallel arrays. */
  private starts: number[] = [];
  private ends: number[] = [];
  private attrs: number[] = [];
  /** The brk heap: the first break seen (page-rounded) and the current one; NaN until seen. */
  private brkBase = NaN;
  private brkCur = NaN;
  /** Bytes in private anonymous writable intervals (not the brk segment). */
  private mappedHeap = 0;
  /** Bytes in private writable intervals (not the brk segment). */
  private mappedWritable = 0;

  constructor(
    /**
     * ltrace input: the blocks the program requested. When present, `heap` counts them (live
     * requested bytes) and `mapped` keeps the SPEC §1 heap that the -S system calls show.
     */
    readonly live: LiveHeap | null = null,
  ) {}

  get brkSize(): number {
    return Number.isNaN(this.brkBase) ? 0 : Math.max(0, this.brkCur - this.brkBase);
  }

  /** SPEC §1 "heap": the brk segment plus private anonymous writable non-grows-down intervals. */
  get heap(): number {
    return this.live === null ? this.brkSize + this.mappedHeap : this.live.bytes;
  }

  /** SPEC §1 "heap" whatever `heap` counts: what the allocator took from the kernel. */
  get mapped(): number {
    return this.brkSize + this.mappedHeap;
  }

  /** SPEC §1 "writable": the brk segment plus every private writable non-grows-down interval (VmData). */
  get writable(): number {
    return this.brkSize + this.mappedWritable;
  }

  get mappingCount(): number {
    return this.starts.length;
  }

  /** A copy for fork(): the child starts with exactly the parent's map. */
  clone(): AddressSpace {
    const c = new AddressSpace(this.live === null ? null : this.live.clone());
    c.starts = this.starts.slice();
    c.ends = this.ends.slice();
    c.attrs = this.attrs.slice();
    c.brkBase = this.brkBase;
    c.brkCur = this.brkCur;
    c.mappedHeap = this.mappedHeap;
    c.mappedWritable = this.mappedWritable;
    return c;
  }

  /** brk(x) = y: the heap segment now ends at y; the first value seen is the baseline. */
  setBreak(y: number): void {
    const v = pageUp(y);
    if (Number.isNaN(this.brkBase)) this.brkBase = v;
    this.brkCur = Math.max(v, this.brkBase);
  }

  /** mmap: [start, end) replaces whatever overlapped it. */
  map(start: number, end: number, attrs: number): void {
    this.remove(start, end);
    const k = this.firstEndingAfter(start);
    this.starts.splice(k, 0, start);
    this.ends.splice(k, 0, end);
    this.attrs.splice(k, 0, attrs);
    this.mappedHeap += heapBytes(attrs, end - start);
    this.mappedWritable += writableBytes(attrs, end - start);
    this.coalesce(start, end);
  }

  /** munmap: [start, end) is gone, intervals cut where they straddle it. */
  remove(start: number, end: number): void {
    this.splitAt(start);
    this.splitAt(end);
    const from = this.firstEndingAfter(start);
    let to = from;
    while (to < this.starts.length && (this.starts[to] as number) < end) {
      const len = (this.ends[to] as number) - (this.starts[to] as number);
      const a = this.attrs[to] as number;
      this.mappedHeap -= heapBytes(a, len);
      this.mappedWritable -= writableBytes(a, len);
      to++;
    }
    if (to > from) {
      this.starts.splice(from, to - from);
      this.ends.splice(from, to - from);
      this.attrs.splice(from, to - from);
    }
  }

  /** mprotect: known intervals within [start, end) become writable or not. */
  protect(start: number, end: number, writable: boolean): void {
    this.splitAt(start);
    this.splitAt(end);
    for (let k = this.firstEndingAfter(start); k < this.starts.length && (this.starts[k] as number) < end; k++) {
      const len = (this.ends[k] as number) - (this.starts[k] as number);
      const old = this.attrs[k] as number;
      const now = writable ? old | ATTR.WRITABLE : old & ~ATTR.WRITABLE;
      if (now === old) continue;
      this.mappedHeap += heapBytes(now, len) - heapBytes(old, len);
      this.mappedWritable += writableBytes(now, len) - writableBytes(old, len);
      this.attrs[k] = now;
    }
    this.coalesce(start, end);
  }

  /**
   * Merge neighbours with equal attributes around [start, end). Allocators grow arenas by
   * mprotect-ing successive slices of one reservation; without merging, every slice would stay a
   * separate interval and the map would grow with the length of the run.
   */
  private coalesce(start: number, end: number): void {
    let k = Math.max(0, this.firstEndingAfter(start) - 1);
    while (k + 1 < this.starts.length && (this.starts[k] as number) <= end) {
      if (this.ends[k] === this.starts[k + 1] && this.attrs[k] === this.attrs[k + 1]) {
        this.ends[k] = this.ends[k + 1] as number;
        this.starts.splice(k + 1, 1);
        this.ends.splice(k + 1, 1);
        this.attrs.splice(k + 1, 1);
      } else {
        k++;
      }
    }
  }

  /**
   * The process is gone: drop the intervals and keep only the totals, so a long trace of many
   * short-lived processes holds a few numbers per process, not their maps.
   */
  release(): void {
    this.starts = [];
    this.ends = [];
    this.attrs = [];
  }

  /** The attributes of the interval holding addr, or null when the trace never showed it mapped. */
  attrsAt(addr: number): number | null {
    const k = this.firstEndingAfter(addr);
    if (k < this.starts.length && (this.starts[k] as number) <= addr) return this.attrs[k] as number;
    return null;
  }

  /** Index of the first interval whose end is above addr (binary search). */
  private firstEndingAfter(addr: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ends[mid] as number) <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Make addr an interval boundary if it falls strictly inside one. */
  private splitAt(addr: number): void {
    const k = this.firstEndingAfter(addr);
    if (k >= this.starts.length) return;
    const s = this.starts[k] as number;
    if (s >= addr) return;
    const e = this.ends[k] as number;
    this.ends[k] = addr;
    this.starts.splice(k + 1, 0, addr);
    this.ends.splice(k + 1, 0, e);
    this.attrs.splice(k + 1, 0, this.attrs[k] as number);
  }
}
