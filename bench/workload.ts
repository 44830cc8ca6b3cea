/**
 * What a benchmark workload is: a timed operation run by one engine in its own child process, on
 * a fresh folder or on a copy of a fixture prepared once (untimed) by the same engine.
 */
import type { EngineName } from './engines.js';

/** Marks the line a child process prints its result on (engines may print other lines). */
export const RESULT_PREFIX = 'BENCH-RESULT ';

/** Sizes of one benchmark run; `--quick` shrinks them. */
export interface Scale {
  /** Dataset items pushed one by one. */
  pushSingle: number;
  /** Dataset items pushed in batches, and the size of the read fixture. */
  pushBatch: number;
  /** Items per batch push. */
  batchSize: number;
  /** Items per page when reading. */
  pageSize: number;
  /** Small key-value records. */
  records: number;
  /** 1 MB records. */
  largeRecords: number;
  /** Requests added one by one, and in batches. */
  requests: number;
  /** Requests in the queue fixture that is opened and processed. */
  queueFixture: number;
  /** Requests processed (lock head → handled). */
  processed: number;
  /** Items exported. */
  exportItems: number;
  /** Requests in the big queue opened cold. */
  bigQueue: number;
  /** Small files written and read by the raw filesystem ceiling. */
  rawFiles: number;
  /** Handled requests the queue holds before the drain of `drainRequests` new ones. */
  drainHandled: number;
  /** Requests added and then drained, on a fresh queue and after `drainHandled` handled ones. */
  drainRequests: number;
}

export const FULL_SCALE: Scale = {
  pushSingle: 20_000,
  pushBatch: 100_000,
  batchSize: 1000,
  pageSize: 1000,
  records: 10_000,
  largeRecords: 50,
  requests: 50_000,
  queueFixture: 50_000,
  processed: 20_000,
  exportItems: 1_000_000,
  bigQueue: 1_000_000,
  rawFiles: 20_000,
  drainHandled: 500_000,
  drainRequests: 10_000,
};

/**
 * The default: the sizes where the slowest engine finishes a run in about a minute on a
 * shared 2-core machine, smaller where it would not (the whole run then fits in about 15 minutes).
 * The 1,000,000-request queue keeps its size (its fixture is cached between runs).
 */
export const STANDARD_SCALE: Scale = {
  pushSingle: 5000,
  pushBatch: 50_000,
  batchSize: 1000,
  pageSize: 1000,
  records: 5000,
  largeRecords: 50,
  requests: 10_000,
  queueFixture: 20_000,
  processed: 5000,
  exportItems: 200_000,
  bigQueue: 1_000_000,
  rawFiles: 20_000,
  drainHandled: 500_000,
  drainRequests: 10_000,
};

export const QUICK_SCALE: Scale = {
  pushSingle: 500,
  pushBatch: 5000,
  batchSize: 1000,
  pageSize: 1000,
  records: 500,
  largeRecords: 10,
  requests: 1000,
  queueFixture: 2000,
  processed: 500,
  exportItems: 20_000,
  bigQueue: 20_000,
  rawFiles: 2000,
  drainHandled: 20_000,
  drainRequests: 2000,
};

/** Who runs a workload: one of the engines, or the plain filesystem (the physical ceiling). */
export type Runner = EngineName | 'raw';

/** What the timed part of a workload hands back. */
export interface Timed {
  /** Operations done (items, records, requests, MB or opens: see {@link Workload.unit}). */
  ops: number;
  /** Wall time of the timed part, in seconds (including waiting until the writes are on disk). */
  seconds: number;
  /** Facts shown next to the numbers (e.g. the first head's URL). */
  notes?: Record<string, string | number>;
}

/** Everything a workload's code gets in the child process. */
export interface WorkloadContext {
  runner: Runner;
  /** The storage folder: fresh, or a copy of the fixture. */
  dir: string;
  scale: Scale;
}

/** A fixture: data written once per engine (untimed) and copied for each run that uses it. */
export interface Fixture {
  id: string;
  /** Writes the fixture with `runner` into `ctx.dir` (empty, or holding the base). */
  prepare(ctx: WorkloadContext): Promise<void>;
  /** One fixture for every runner (written by the first runner listed, read by all). */
  shared?: boolean;
  /**
   * Data in the layout every engine shares, written once by actor-storage and hard-linked into each
   * runner's folder before `prepare` adds that runner's own part (a peer's SQLite queue).
   */
  base?: { id: string; prepare(ctx: WorkloadContext): Promise<void> };
  /** A shared fixture with a key is kept between benchmark runs (in the cache folder), by this key. */
  cacheKey?: (scale: Scale) => string;
}

/** One row of the report. */
export interface Workload {
  id: string;
  /** Row label, e.g. "Dataset: push one by one". */
  title: string;
  /** What one operation is: "items", "records", "requests", "MB", "open". */
  unit: string;
  /** The runners of this row. */
  runners: readonly Runner[];
  /** How many operations the timed part does at this scale (for the row label). */
  size(scale: Scale): number;
  fixture?: Fixture;
  /** True when the workload changes the fixture: each run then gets its own copy. */
  mutates?: boolean;
  /**
   * Runs the timed part, then checks the result (counts, order, no duplicates).
   * @throws Error when the result is wrong: the runner reports it and exits non-zero.
   */
  run(ctx: WorkloadContext): Promise<Timed>;
}

/** Times `fn` (wall clock). */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - start) / 1000 };
}

/** Throws when `ok` is false: a wrong answer fails the benchmark. */
export function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new Error(`check failed: ${message}`);
}

/** Checks that `numbers` is exactly `from, from+1, …, from+count-1` (order, no gaps, no duplicates). */
export function checkSequence(numbers: readonly number[], from: number, count: number, what: string): void {
  check(numbers.length === count, `${what}: ${numbers.length} instead of ${count}`);
  for (let i = 0; i < count; i++) {
    if (numbers[i] !== from + i) {
      throw new Error(`check failed: ${what}: position ${i} holds ${numbers[i]}, expected ${from + i}`);
    }
  }
}

/**
 * Checks a queue's processing order: every number distinct; strictly first in, first out when
 * `strict` (actor-storage keeps the order of addition). The peers order by a millisecond timestamp,
 * so requests added in the same millisecond come out in any order after a restart: for them the
 * order is reported, not required.
 * @returns whether the order was strictly first in, first out.
 */
export function checkFifo(numbers: readonly number[], from: number, strict: boolean, what: string): boolean {
  check(new Set(numbers).size === numbers.length, `${what}: a request came out twice`);
  const inOrder = numbers.every((n, i) => n === from + i);
  if (strict && !inOrder) {
    const at = numbers.findIndex((n, i) => n !== from + i);
    throw new Error(`check failed: ${what}: position ${at} holds ${numbers[at]}, expected ${from + at}`);
  }
  return inOrder;
}
