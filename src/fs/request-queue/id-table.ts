import type { PendingEntry } from './queue-index.js';

/**
 * Handled request ids as the snapshot lists them: one sorted block of `id\n` lines kept as bytes,
 * searched by bisection. A million handled requests cost a few bytes each and no objects, and
 * loading them is one pass over the block.
 */
export class FrozenIds {
  private constructor(
    private readonly block: Buffer,
    /** Start of each id's line in `block`, in id order. */
    private readonly starts: Int32Array,
  ) {}

  /**
   * Reads `count` lines of plain ids from `source` at `from`, in ascending order. Returns the set,
   * the ids that were not plain (percent-encoded: the caller keeps them elsewhere) and the offset
   * after the last line.
   * @throws Error when a line is missing, empty or out of order.
   */
  static read(source: Buffer, from: number, count: number): { ids: FrozenIds; other: string[]; end: number } {
    let end = from;
    for (let i = 0; i < count; i += 1) {
      const nl = source.indexOf(10, end);
      if (nl === -1 || nl === end) throw new Error(`bad handled line ${i + 1}`);
      end = nl + 1;
    }
    const block = Buffer.from(source.subarray(from, end));
    const starts = new Int32Array(count);
    const other: string[] = [];
    let n = 0;
    let pos = 0;
    for (let i = 0; i < count; i += 1) {
      const nl = block.indexOf(10, pos);
      if (hasPercent(block, pos, nl)) {
        other.push(decodeURIComponent(block.toString('latin1', pos, nl)));
      } else {
        if (n > 0 && compareAt(block, starts[n - 1] as number, pos) >= 0)
          throw new Error('handled ids out of order');
        starts[n] = pos;
        n += 1;
      }
      pos = nl + 1;
    }
    return { ids: new FrozenIds(block, starts.slice(0, n)), other, end };
  }

  get size(): number {
    return this.starts.length;
  }

  private lineEnd(start: number): number {
    return this.block.indexOf(10, start);
  }

  /** Compares `id` with the id at `start`: <0, 0, >0. */
  private compare(id: string, start: number): number {
    const end = this.lineEnd(start);
    const length = end - start;
    const common = Math.min(id.length, length);
    for (let i = 0; i < common; i += 1) {
      const d = id.charCodeAt(i) - (this.block[start + i] as number);
      if (d !== 0) return d;
    }
    return id.length - length;
  }

  has(id: string): boolean {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare(id, this.starts[mid] as number);
      if (c === 0) return true;
      if (c < 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return false;
  }

  /** The ids in ascending order. */
  *values(): Generator<string> {
    for (const start of this.starts) yield this.block.toString('latin1', start, this.lineEnd(start));
  }
}

function hasPercent(block: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i += 1) if (block[i] === 37 /* % */) return true;
  return false;
}

/** Compares the lines at `a` and `b` of `block` byte by byte. */
function compareAt(block: Buffer, a: number, b: number): number {
  for (let i = 0; ; i += 1) {
    const x = block[a + i] as number;
    const y = block[b + i] as number;
    if (x === 10 || y === 10) return (x === 10 ? 0 : 1) - (y === 10 ? 0 : 1);
    if (x !== y) return x - y;
  }
}

/**
 * Every known request id and its state: a pending entry, or `null` once handled. Ids handled when
 * the snapshot was written stay in a {@link FrozenIds} block; everything since lives in a Map.
 */
export class IdTable {
  private readonly live = new Map<string, PendingEntry | null>();
  private frozen: FrozenIds | undefined;
  /** Frozen ids changed since (deleted, or pending again): the frozen copy no longer counts. */
  private readonly superseded = new Set<string>();

  /** Adopts the handled ids of a snapshot (only on an empty table). */
  freeze(ids: FrozenIds): void {
    this.frozen = ids;
  }

  private inFrozen(id: string): boolean {
    return this.frozen !== undefined && !this.superseded.has(id) && this.frozen.has(id);
  }

  get size(): number {
    return this.live.size + (this.frozen ? this.frozen.size - this.superseded.size : 0);
  }

  get(id: string): PendingEntry | null | undefined {
    const value = this.live.get(id);
    if (value !== undefined) return value;
    return this.inFrozen(id) ? null : undefined;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  set(id: string, value: PendingEntry | null): void {
    if (!this.live.has(id) && this.inFrozen(id)) this.superseded.add(id);
    this.live.set(id, value);
  }

  delete(id: string): boolean {
    if (this.live.delete(id)) return true;
    if (!this.inFrozen(id)) return false;
    this.superseded.add(id);
    return true;
  }

  /** Every id, in no particular order. */
  *keys(): Generator<string> {
    yield* this.live.keys();
    if (!this.frozen) return;
    for (const id of this.frozen.values()) if (!this.superseded.has(id)) yield id;
  }

  /** The handled ids in ascending order (what the snapshot lists). */
  handledIds(): string[] {
    const recent: string[] = [];
    for (const [id, value] of this.live) if (value === null) recent.push(id);
    recent.sort();
    if (!this.frozen) return recent;
    const out: string[] = [];
    let i = 0;
    for (const id of this.frozen.values()) {
      if (this.superseded.has(id)) continue;
      while (i < recent.length && (recent[i] as string) < id) out.push(recent[i++] as string);
      out.push(id);
    }
    while (i < recent.length) out.push(recent[i++] as string);
    return out;
  }
}
