import { compareKeys } from './naming.js';

/** First index in `sorted` whose key is not below `key` (`strict`: not below or equal). */
export function lowerBound(sorted: readonly string[], key: string, strict = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const cmp = compareKeys(sorted[mid] as string, key);
    if (cmp < 0 || (strict && cmp === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Keys kept in UTF-8 binary order: sorted once after a listing, then kept sorted by single
 * inserts and removals as this process writes.
 */
export class SortedKeys {
  private sorted: string[] | undefined;

  /** Forgets the order; the next `keys()` sorts again. */
  reset(): void {
    this.sorted = undefined;
  }

  /** The keys in order, sorting `all` when the order was reset. */
  keys(all: Iterable<string>): readonly string[] {
    if (!this.sorted) {
      const withBytes = [...all].map((key) => ({ key, bytes: Buffer.from(key, 'utf8') }));
      withBytes.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
      this.sorted = withBytes.map((k) => k.key);
    }
    return this.sorted;
  }

  insert(key: string): void {
    if (!this.sorted) return;
    const at = lowerBound(this.sorted, key);
    if (this.sorted[at] !== key) this.sorted.splice(at, 0, key);
  }

  remove(key: string): void {
    if (!this.sorted) return;
    const at = lowerBound(this.sorted, key);
    if (this.sorted[at] === key) this.sorted.splice(at, 1);
  }
}
