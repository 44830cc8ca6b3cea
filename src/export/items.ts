import type { Dictionary } from '../client/types.js';
import { StorageError } from '../errors.js';

/**
 * A source of items: each call starts a pass from the first item. Every export makes one pass, and
 * never holds the dataset in memory whole.
 */
export type ItemSource = () => AsyncIterable<Dictionary>;

/**
 * Checks that an item is a JSON object (what a dataset holds).
 * @throws StorageError `STORAGE_INVALID_VALUE`
 */
export function checkItem(item: unknown, index: number): Dictionary {
  if (item !== null && typeof item === 'object' && !Array.isArray(item)) return item as Dictionary;
  throw new StorageError(
    'STORAGE_INVALID_VALUE',
    `Item ${index} is not an object (got ${item === null ? 'null' : Array.isArray(item) ? 'an array' : typeof item}); dataset items are JSON objects.`,
    { details: { index } },
  );
}

/**
 * `JSON.stringify(item, null, space)`, or a coded error for what JSON cannot hold.
 * @throws StorageError `STORAGE_INVALID_VALUE` (BigInt, circular reference)
 */
export function stringifyItem(item: Dictionary, index: number, space?: number): string {
  try {
    return JSON.stringify(item, null, space);
  } catch (err) {
    throw new StorageError(
      'STORAGE_INVALID_VALUE',
      `Item ${index} cannot be written as JSON: ${(err as Error).message}`,
      { cause: err, details: { index } },
    );
  }
}

/** The items of one pass over `source`, checked, with their 0-based index; at most `limit` of them. */
export async function* eachItem(
  source: ItemSource,
  limit = Number.POSITIVE_INFINITY,
): AsyncGenerator<Dictionary> {
  if (limit <= 0) return;
  let index = 0;
  for await (const item of source()) {
    yield checkItem(item, index);
    index += 1;
    if (index >= limit) return;
  }
}
