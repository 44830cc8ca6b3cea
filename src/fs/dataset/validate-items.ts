import { StorageError } from '../../errors.js';
import { isHiddenField, isPlainObject } from '../../items/index.js';
import { toJson } from '../atomic-write.js';

/** An item is refused at this size of its JSON, and above (9 MiB, the platform's limit). */
export const MAX_ITEM_BYTES = 9 * 1024 * 1024;

/** An item checked and serialised, ready to be written. */
export interface PreparedItem {
  /** File content: JSON indented with tabs, as @crawlee/memory-storage writes it. */
  text: string;
  /** Top-level field names as stored. */
  keys: string[];
  /** Non-empty once hidden fields are dropped (counts in `cleanItemCount`). */
  clean: boolean;
}

function invalidItem(index: number, message: string, cause?: unknown): StorageError {
  return new StorageError('STORAGE_INVALID_VALUE', `Item ${index}: ${message}`, {
    details: { index },
    ...(cause === undefined ? {} : { cause }),
  });
}

function parseJson(text: string, index: number): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalidItem(index, `the string is not valid JSON (${(err as Error).message}).`, err);
  }
}

/** Splits what `pushItems` accepts into single items, parsing JSON strings. */
function splitItems(input: unknown): unknown[] {
  if (typeof input === 'string') {
    const parsed = parseJson(input, 0);
    return Array.isArray(parsed) ? parsed : [parsed];
  }
  if (Array.isArray(input)) {
    return input.map((entry, index) => {
      const item = typeof entry === 'string' ? parseJson(entry, index) : entry;
      if (Array.isArray(item)) throw invalidItem(index, 'an item is a JSON object, not an array.');
      return item;
    });
  }
  return [input];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/** Top-level names as they will be stored (JSON drops `undefined` values; `toJSON` may reshape). */
function storedKeys(item: Record<string, unknown>, json: string): string[] {
  if (typeof item.toJSON === 'function') return Object.keys(JSON.parse(json) as object);
  return Object.keys(item).filter((key) => item[key] !== undefined);
}

/**
 * Checks one dataset item and returns its compact JSON: a JSON object (not an array, not a value
 * whose `toJSON` gives something else), serialisable, under {@link MAX_ITEM_BYTES}.
 * @throws StorageError `STORAGE_INVALID_VALUE`, `STORAGE_ITEM_TOO_LARGE`
 */
export function checkItem(item: unknown, index: number): string {
  if (!isPlainObject(item)) {
    throw invalidItem(index, `a dataset item is a JSON object, got ${describe(item)}.`);
  }
  const json = toJson(item, `Item ${index}`);
  if (!json.startsWith('{')) throw invalidItem(index, 'the item does not serialise to a JSON object.');
  const bytes = Buffer.byteLength(json);
  if (bytes >= MAX_ITEM_BYTES) {
    throw new StorageError(
      'STORAGE_ITEM_TOO_LARGE',
      `Item ${index} is ${bytes} bytes of JSON; items must be under ${MAX_ITEM_BYTES} bytes. Split it or store large data in a key-value store.`,
      { details: { index, bytes, limit: MAX_ITEM_BYTES } },
    );
  }
  return json;
}

/** Checks and serialises one item for writing. */
function prepareItem(item: unknown, index: number): PreparedItem {
  const json = checkItem(item, index);
  const keys = storedKeys(item as Record<string, unknown>, json);
  return { text: JSON.stringify(item, null, '\t'), keys, clean: keys.some((key) => !isHiddenField(key)) };
}

/**
 * Checks everything `pushItems` was given before anything is written: an object, an array of
 * objects, a JSON string (of an object or an array) or an array of JSON strings.
 *
 * @throws StorageError `STORAGE_INVALID_VALUE` (not a JSON object, not valid JSON, BigInt,
 *   circular, function) or `STORAGE_ITEM_TOO_LARGE` (9 MiB of JSON or more).
 */
export function prepareItems(input: unknown): PreparedItem[] {
  return splitItems(input).map(prepareItem);
}
