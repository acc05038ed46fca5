// The heap as the program asked for it (ltrace input): every block malloc, calloc, realloc, new …
// returned and not yet freed, by address, and their total. One per address space, so threads share
// it, fork copies it and exec starts a new one.

/** What a free (or the old side of a realloc) found. */
export const RELEASE = {
  /** The block was live: its bytes are gone. */
  FREED: 0,
  /** Never seen allocated: made before the trace began, or by a call ltrace did not trace. */
  UNKNOWN: 1,
  /** Freed before and not allocated again since. */
  DOUBLE: 2,
} as const;
export type Release = (typeof RELEASE)[keyof typeof RELEASE];

/**
 * Freed addresses remembered to tell double frees: past this many the memory is dropped (a later
 * free of one of those then counts as unknown rather than double), so a long trace of ever-new
 * addresses keeps the model's memory flat.
 */
const FREED_LIMIT = 1 << 18;

export class LiveHeap {
  /** Live requested bytes: never negative, whatever the trace says. */
  bytes = 0;
  private readonly blocks: Map<number, number>;
  /** Addresses freed and not reused since, to tell a double free from an unknown pointer. */
  private readonly freed: Set<number>;

  /** An empty heap, or a copy of `from`. */
  constructor(from?: LiveHeap) {
    this.blocks = new Map(from?.blocks);
    this.freed = new Set(from?.freed);
    // Copied, not summed from `blocks`: blocks without an address count but are not in the map.
    this.bytes = from?.bytes ?? 0;
  }

  get count(): number {
    return this.blocks.size;
  }

  /**
   * A new block of `size` bytes at `ptr` (NaN: ltrace did not show where, as for posix_memalign
   * without its out-parameter; the bytes are live but no free can be matched to them).
   */
  allocate(ptr: number, size: number): void {
    if (!(size >= 0)) return;
    this.bytes += size;
    if (Number.isNaN(ptr)) return;
    // A live address handed out again means its free was not traced: the old block is gone.
    const old = this.blocks.get(ptr);
    if (old !== undefined) this.bytes -= old;
    this.blocks.set(ptr, size);
    this.freed.delete(ptr);
  }

  release(ptr: number): Release {
    const size = this.blocks.get(ptr);
    if (size === undefined) return this.freed.has(ptr) ? RELEASE.DOUBLE : RELEASE.UNKNOWN;
    this.blocks.delete(ptr);
    if (this.freed.size >= FREED_LIMIT) this.freed.clear();
    this.freed.add(ptr);
    this.bytes -= size;
    return RELEASE.FREED;
  }

  /** fork(): the child starts with the parent's blocks. */
  clone(): LiveHeap {
    return new LiveHeap(this);
  }
}
