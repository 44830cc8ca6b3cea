import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno } from '../../errors.js';
import { moveAside, readInSlices, readJsonSync } from '../atomic-write.js';
import { itemFileName } from '../layout.js';

/** Name of an item file: its number and `.json` (peers' 9-digit names included). */
const ITEM_FILE_RE = /^(\d+)\.json$/;

/** Files read or written at the same time while reading or writing a range of items. */
export const IO_CONCURRENCY = 32;

/** Path of item number `n` (1-based). Built from a number only, so it cannot leave `dir`. */
export function itemPath(dir: string, n: number): string {
  return join(dir, itemFileName(n));
}

/** The number of an item file name, or `undefined` for any other file (`.DS_Store`, metadata, temp files). */
export function itemNumberOf(fileName: string): number | undefined {
  const match = ITEM_FILE_RE.exec(fileName);
  if (!match) return undefined;
  const n = Number(match[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** Numbers of the item files in a dataset folder, ascending. */
export async function listItemNumbers(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  const numbers: number[] = [];
  for (const name of names) {
    const n = itemNumberOf(name);
    if (n !== undefined) numbers.push(n);
  }
  return numbers.sort((a, b) => a - b);
}

/** True when item file `n` exists. */
export async function itemExists(dir: string, n: number): Promise<boolean> {
  try {
    await stat(itemPath(dir, n));
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

/** One item file as read: its parsed value and size, or why there is none. */
export type ItemRead = { state: 'ok'; value: unknown; bytes: number } | { state: 'missing' | 'corrupt' };

/**
 * Reads and parses item files `numbers`, in order, synchronously a slice at a time (see
 * readInSlices). A file that does not parse is moved aside into `__corrupt__/` (and reported) so
 * that the dataset keeps opening; its number is then a gap.
 */
export async function readItems(dir: string, numbers: readonly number[]): Promise<ItemRead[]> {
  const corrupt: Array<{ path: string; error: Error }> = [];
  const out = await readInSlices(numbers, (n): { result: ItemRead; bytes: number } => {
    const path = itemPath(dir, n);
    const read = readJsonSync(path);
    if (read.state === 'corrupt') corrupt.push({ path, error: read.error });
    const result: ItemRead =
      read.state === 'ok' ? { state: 'ok', value: read.value, bytes: read.bytes } : { state: read.state };
    return { result, bytes: read.bytes };
  });
  for (const { path, error } of corrupt) {
    await moveAside(dir, path, `dataset item does not parse: ${error.message}`);
  }
  return out;
}

/** Removes item files (best effort, used to undo a failed write); never throws. */
export async function removeItems(dir: string, numbers: number[]): Promise<void> {
  await mapLimit(
    numbers,
    IO_CONCURRENCY,
    (n) => rm(itemPath(dir, n), { force: true }).catch(() => undefined), // best effort: the write error matters
  );
}

/**
 * `Promise.all(items.map(fn))` with at most `limit` calls in flight; results in input order.
 * After a failure no new call starts, and it rejects only once the calls in flight have settled
 * (so a caller undoing a failed write does not race the writes).
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return results;
}
