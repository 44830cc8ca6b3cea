/**
 * Iteration over every key of a store, as apify-client 2.x and @crawlee/memory-storage 3.x offer it:
 * `listKeys()` can be awaited (one page) or iterated (`for await`, all pages), and `keys()`,
 * `values()` and `entries()` back Crawlee's `KeyValueStore.keys()/values()/entries()`.
 */
import type { KeyValueStoreItemData, ListKeysOptions, ListKeysResult } from '../../client/types.js';

/** One page of keys from `exclusiveStartKey`, with the other options of the listing. */
export type PageReader = (options: ListKeysOptions) => Promise<ListKeysResult>;

/** A value that is both the first page (awaited) and the whole listing (iterated). */
export type Paged<First, Item> = Promise<First> & AsyncIterable<Item>;

function withIterator<First, Item>(
  first: Promise<First>,
  iterate: () => AsyncGenerator<Item>,
): Paged<First, Item> {
  // A caller that only iterates never awaits `first`: its failure must not go unhandled.
  first.catch(() => undefined);
  return Object.assign(first, { [Symbol.asyncIterator]: iterate });
}

/** Every key item from `options.exclusiveStartKey` on, at most `options.limit` in total. */
async function* allItems(
  readPage: PageReader,
  options: ListKeysOptions,
  first: Promise<ListKeysResult>,
): AsyncGenerator<KeyValueStoreItemData> {
  let remaining = options.limit;
  let page = await first;
  for (;;) {
    for (const item of page.items) {
      if (remaining !== undefined && remaining <= 0) return;
      if (remaining !== undefined) remaining -= 1;
      yield item;
    }
    if (!page.isTruncated || !page.nextExclusiveStartKey || page.items.length === 0) return;
    if (remaining !== undefined && remaining <= 0) return;
    page = await readPage({ ...options, exclusiveStartKey: page.nextExclusiveStartKey, limit: remaining });
  }
}

/** `listKeys()`: the first page when awaited, every item when iterated. */
export function pagedKeys(
  readPage: PageReader,
  options: ListKeysOptions = {},
): Paged<ListKeysResult, KeyValueStoreItemData> {
  const first = readPage(options);
  return withIterator(first, () => allItems(readPage, options, first));
}

/** `keys()`: the first page when awaited, every key when iterated. */
export function pagedKeyNames(
  readPage: PageReader,
  options: ListKeysOptions = {},
): Paged<ListKeysResult, string> {
  const first = readPage(options);
  return withIterator(first, async function* () {
    for await (const item of allItems(readPage, options, first)) yield item.key;
  });
}

/** `values()` / `entries()`: the first page's records when awaited, every record when iterated. */
export function pagedRecords<T>(
  readPage: PageReader,
  readValue: (key: string) => Promise<{ value: unknown } | undefined>,
  shape: (key: string, value: unknown) => T,
  options: ListKeysOptions = {},
): Paged<T[], T> {
  const first = readPage(options).then(async (page) => {
    const out: T[] = [];
    for (const { key } of page.items) {
      const record = await readValue(key);
      if (record) out.push(shape(key, record.value));
    }
    return out;
  });
  return withIterator(first, async function* () {
    for await (const item of allItems(readPage, options, readPage(options))) {
      const record = await readValue(item.key);
      if (record) yield shape(item.key, record.value);
    }
  });
}
