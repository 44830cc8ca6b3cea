import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno } from '../../errors.js';
import { moveAside, readFileSyncOrUndefined } from '../atomic-write.js';
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

/** Item files, and bytes, read at a time by {@link readItems} before it lets other work run. */
const READ_SLICE = 64;
const READ_SLICE_BYTES = 1024 * 1024;

/**
 * Reads and parses item files `numbers`, in order. A file that does not parse is moved aside into
 * `__corrupt__/` (and reported) so that the dataset keeps opening; its number is then a gap.
 *
 * The files are read synchronously, {@link READ_SLICE} files or a mebibyte at a time, yielding to
 * the event loop between slices: for files of a few kilobytes this is two to three times the throughput of the
 * thread pool's round trips per open, stat, read and close, and no slice holds the event loop for
 * more than a millisecond or so.
 */
export async function readItems(dir: string, numbers: readonly number[]): Promise<ItemRead[]> {
  const out: ItemRead[] = [];
  const corrupt: Array<{ path: string; error: Error }> = [];
  let slice = { files: 0, bytes: 0 };
  for (const n of numbers) {
    if (slice.files >= READ_SLICE || slice.bytes >= READ_SLICE_BYTES) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      slice = { files: 0, bytes: 0 };
    }
    const path = itemPath(dir, n);
    const buf = readFileSyncOrUndefined(path);
    slice.files += 1;
    slice.bytes += buf?.length ?? 0;
    if (buf === undefined) {
      out.push({ state: 'missing' });
      continue;
    }
    try {
      out.push({ state: 'ok', value: JSON.parse(buf.toString('utf8')), bytes: buf.length });
    } catch (err) {
      corrupt.push({ path, error: err as Error });
      out.push({ state: 'corrupt' });
    }
  }
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
