/**
 * An ordered collection of unique items: a list of sorted chunks (as Python's sortedcontainers
 * keeps them). Insert and delete cost O(log n) comparisons plus a move inside one chunk of at
 * most `2 × chunkSize` items; reading from the front costs nothing more than the items read.
 */
export class SortedList<T> {
  private chunks: T[][] = [];
  /** The last item of each chunk, for the binary search over chunks. */
  private lasts: T[] = [];
  private count = 0;

  constructor(
    private readonly compare: (a: T, b: T) => number,
    private readonly chunkSize = 512,
  ) {}

  /** Builds a list from items already in order (O(n)). */
  static fromSorted<T>(items: readonly T[], compare: (a: T, b: T) => number, chunkSize = 512): SortedList<T> {
    const list = new SortedList(compare, chunkSize);
    for (let i = 0; i < items.length; i += chunkSize) {
      const chunk = items.slice(i, i + chunkSize);
      list.chunks.push(chunk);
      list.lasts.push(chunk[chunk.length - 1] as T);
    }
    list.count = items.length;
    return list;
  }

  get size(): number {
    return this.count;
  }

  /** Index of the first chunk whose last item is >= `item`; `chunks.length` when none is. */
  private chunkFor(item: T): number {
    let lo = 0;
    let hi = this.lasts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.lasts[mid] as T, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Position of the first item of `chunk` that is >= `item`. */
  private positionIn(chunk: T[], item: T): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(chunk[mid] as T, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds `item`; returns false (and changes nothing) when an equal item is already there. */
  insert(item: T): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([item]);
      this.lasts.push(item);
      this.count = 1;
      return true;
    }
    let c = this.chunkFor(item);
    if (c === this.chunks.length) c -= 1;
    const chunk = this.chunks[c] as T[];
    const pos = this.positionIn(chunk, item);
    if (pos < chunk.length && this.compare(chunk[pos] as T, item) === 0) return false;
    chunk.splice(pos, 0, item);
    this.lasts[c] = chunk[chunk.length - 1] as T;
    this.count += 1;
    if (chunk.length > this.chunkSize * 2) {
      const tail = chunk.splice(this.chunkSize);
      this.chunks.splice(c + 1, 0, tail);
      this.lasts[c] = chunk[chunk.length - 1] as T;
      this.lasts.splice(c + 1, 0, tail[tail.length - 1] as T);
    }
    return true;
  }

  /** Removes the item equal to `item`; returns false when there is none. */
  delete(item: T): boolean {
    const c = this.chunkFor(item);
    const chunk = this.chunks[c];
    if (!chunk) return false;
    const pos = this.positionIn(chunk, item);
    if (pos >= chunk.length || this.compare(chunk[pos] as T, item) !== 0) return false;
    chunk.splice(pos, 1);
    this.count -= 1;
    if (chunk.length === 0) {
      this.chunks.splice(c, 1);
      this.lasts.splice(c, 1);
    } else {
      this.lasts[c] = chunk[chunk.length - 1] as T;
    }
    return true;
  }

  /** True when an item equal to `item` is in the list. */
  has(item: T): boolean {
    const chunk = this.chunks[this.chunkFor(item)];
    if (!chunk) return false;
    const pos = this.positionIn(chunk, item);
    return pos < chunk.length && this.compare(chunk[pos] as T, item) === 0;
  }

  /**
   * Items in order, starting after `after` (exclusive) or from the first. Do not change the list
   * while iterating: collect what you need first.
   */
  *values(after?: T): Generator<T> {
    let c = 0;
    let pos = 0;
    if (after !== undefined) {
      c = this.chunkFor(after);
      const chunk = this.chunks[c];
      if (!chunk) return;
      pos = this.positionIn(chunk, after);
      if (pos < chunk.length && this.compare(chunk[pos] as T, after) === 0) pos += 1;
    }
    for (; c < this.chunks.length; c += 1) {
      const chunk = this.chunks[c] as T[];
      for (; pos < chunk.length; pos += 1) yield chunk[pos] as T;
      pos = 0;
    }
  }

  /** All items in order (a copy). */
  toArray(): T[] {
    return this.chunks.flat();
  }
}
