/** `listKeys`: keys in UTF-8 binary order, paged by `exclusiveStartKey`, sizes without reading values. */
import type { KeyValueStoreItemData, ListKeysResult } from '../../client/types.js';
import { isErrno } from '../../errors.js';
import { checkOptions, intOption } from './options.js';
import { lowerBound } from './sorted-keys.js';
import type { StoreHandle } from './store-handle.js';

/** Default and maximum page size of `listKeys`. */
export const MAX_KEYS_LIMIT = 1000;

/** Checked options of `listKeys`. */
export interface ListKeysQuery {
  limit: number;
  exclusiveStartKey: string | undefined;
  prefix: string | undefined;
}

/**
 * Checks the options of `listKeys`. `collection` and `signature` are accepted and ignored (the
 * platform uses them for store schemas and signed URLs). A limit above 1000 is lowered to 1000.
 * @throws StorageError `STORAGE_INVALID_OPTION`
 */
export function parseListKeysOptions(options: unknown): ListKeysQuery {
  const o = checkOptions(
    options,
    {
      limit: 'number',
      exclusiveStartKey: 'string',
      prefix: 'string',
      collection: 'string',
      signature: 'string',
    },
    'listKeys()',
  );
  return {
    limit: intOption(o.limit, 'limit', { min: 1, max: MAX_KEYS_LIMIT, fallback: MAX_KEYS_LIMIT }),
    exclusiveStartKey: (o.exclusiveStartKey as string | undefined) || undefined,
    prefix: (o.prefix as string | undefined) || undefined,
  };
}

async function sizeOrUndefined(h: StoreHandle, key: string): Promise<KeyValueStoreItemData | undefined> {
  const entry = h.index.entries.get(key);
  if (!entry) return undefined;
  try {
    return { key, size: await h.index.sizeOf(entry) };
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
    h.index.markStale(); // deleted since the listing: leave it out
    return undefined;
  }
}

/** One page of keys. `nextExclusiveStartKey` is absent on the last page. */
export async function listKeysPage(h: StoreHandle, query: ListKeysQuery): Promise<ListKeysResult> {
  await h.index.ensureFresh();
  const keys = h.index.sortedKeys();
  const { limit, exclusiveStartKey, prefix } = query;
  let at = exclusiveStartKey === undefined ? 0 : lowerBound(keys, exclusiveStartKey, true);
  if (prefix !== undefined) at = Math.max(at, lowerBound(keys, prefix));
  const matches = (key: string | undefined): key is string =>
    key !== undefined && (prefix === undefined || key.startsWith(prefix));
  const page: string[] = [];
  while (page.length < limit && matches(keys[at])) page.push(keys[at++] as string);
  const isTruncated = matches(keys[at]);
  const sized = await Promise.all(page.map((key) => sizeOrUndefined(h, key)));
  const items = sized.filter((item): item is KeyValueStoreItemData => item !== undefined);
  const result: ListKeysResult = { count: items.length, limit, isTruncated, items };
  if (exclusiveStartKey !== undefined) result.exclusiveStartKey = exclusiveStartKey;
  if (isTruncated) result.nextExclusiveStartKey = page[page.length - 1];
  return result;
}
