/**
 * Dataset behaviour of the client interface, registered once and run against every client of the
 * harness. Asserts codes and data, never messages; nothing here looks at the disk.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetClient, Dictionary, StorageClient } from '../../src/client/types.js';
import { ERROR_TABLE, type ErrorCode, isStorageError } from '../../src/errors.js';
import { type ClientUnderTest, factories } from './harness.js';

/** What a refusal may look like beyond the StorageError code of the fs engine. */
interface Refusal {
  /** Codes also accepted over HTTP, where the transport may refuse first (body parsing, size limits). */
  overHttp?: ErrorCode[];
  /** apify-client may refuse before sending anything (its own argument checks, JSON serialisation). */
  clientSide?: boolean;
}

/**
 * Passes when `action` fails with `code`: a StorageError with that code, or over HTTP the status
 * and error type the code maps to (see ERROR_TABLE).
 */
async function expectCode(
  action: Promise<unknown> | (() => unknown),
  code: ErrorCode,
  refusal: Refusal = {},
): Promise<void> {
  let error: unknown;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (err) {
    error = err;
  }
  expect(error, `expected an error with code ${code}`).toBeDefined();
  if (isStorageError(error)) {
    expect(error.code).toBe(code);
    return;
  }
  const http = error as { statusCode?: number; type?: string; name?: string };
  if (http.statusCode === undefined && refusal.clientSide) {
    expect(['ArgumentError', 'TypeError']).toContain(http.name);
    return;
  }
  const accepted = [code, ...(refusal.overHttp ?? [])].map((c) => ({
    status: ERROR_TABLE[c].status,
    type: ERROR_TABLE[c].type,
  }));
  expect(accepted).toContainEqual({ status: http.statusCode, type: http.type });
}

/** True when apify-client refused an option it does not know (the option cannot travel over HTTP). */
function isClientSideRefusal(err: unknown): boolean {
  return (err as { name?: string }).name === 'ArgumentError';
}

/** True when `err` says the exporter is not built yet (the test is then skipped, not failed). */
function isUnimplemented(err: unknown): boolean {
  return !isStorageError(err) && err instanceof Error && /not implemented/i.test(err.message);
}

const numbers = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each(factories)('datasets over $name', (factory) => {
  let t: ClientUnderTest;
  let client: StorageClient;

  beforeEach(async () => {
    t = await factory.create();
    client = t.client;
  });
  afterEach(async () => {
    await t.close();
  });

  /** A named dataset holding items `{ n: 1 }` … `{ n: count }`. */
  async function seeded(name: string, count: number): Promise<DatasetClient> {
    const { id } = await client.datasets().getOrCreate(name);
    const dataset = client.dataset(id);
    if (count > 0) await dataset.pushItems(numbers(1, count).map((n) => ({ n })));
    return dataset;
  }

  const ns = (items: Dictionary[]) => items.map((item) => item.n);

  /** A page with options some clients cannot send (apify-client checks its options): skips the test then. */
  async function pageOrSkip(dataset: DatasetClient, options: Dictionary, skip: () => void) {
    try {
      return await dataset.listItems(options as never);
    } catch (err) {
      if (isClientSideRefusal(err)) skip();
      throw err;
    }
  }

  describe('collection', () => {
    it('getOrCreate creates a named dataset once, then returns the same one', async () => {
      const first = await client.datasets().getOrCreate('products');
      expect(first).toMatchObject({ name: 'products', itemCount: 0 });
      expect(first.id).toMatch(/^[a-zA-Z0-9]{17}$/);
      for (const date of [first.createdAt, first.modifiedAt, first.accessedAt])
        expect(date).toBeInstanceOf(Date);
      const again = await client.datasets().getOrCreate('products');
      expect(again.id).toBe(first.id);
    });

    it('getOrCreate without a name creates a new unnamed dataset each time', async () => {
      const a = await client.datasets().getOrCreate();
      const b = await client.datasets().getOrCreate();
      expect(a.id).not.toBe(b.id);
      expect(a.name ?? undefined).toBeUndefined();
      expect((await client.dataset(a.id).get())?.id).toBe(a.id);
    });

    it('getOrCreate refuses names that break the platform rule', async () => {
      for (const name of ['bad name', '-edge', 'edge-', 'a'.repeat(64), '../up', 'dots.dots']) {
        await expectCode(client.datasets().getOrCreate(name), 'STORAGE_INVALID_NAME');
      }
    });

    it('list shows named datasets only, unless unnamed is set', async () => {
      await client.datasets().getOrCreate('ds-a');
      await client.datasets().getOrCreate('ds-b');
      const unnamed = await client.datasets().getOrCreate();
      const named = await client.datasets().list();
      expect(named.items.map((d) => d.name)).toEqual(['ds-a', 'ds-b']);
      expect(named).toMatchObject({ total: 2, count: 2, offset: 0, limit: 1000, desc: false });
      const all = await client.datasets().list({ unnamed: true });
      expect(all.total).toBe(3);
      expect(all.items.map((d) => d.id)).toContain(unnamed.id);
    });

    it('list paginates with offset, limit and desc, and caps limit at 1000', async () => {
      for (const name of ['ds-a', 'ds-b', 'ds-c', 'ds-d']) await client.datasets().getOrCreate(name);
      const page = await client.datasets().list({ offset: 1, limit: 2 });
      expect(page.items.map((d) => d.name)).toEqual(['ds-b', 'ds-c']);
      expect(page).toMatchObject({ total: 4, offset: 1, limit: 2, count: 2 });
      const desc = await client.datasets().list({ desc: true, limit: 3 });
      expect(desc.items.map((d) => d.name)).toEqual(['ds-d', 'ds-c', 'ds-b']);
      expect((await client.datasets().list({ limit: 5000 })).limit).toBe(1000);
      expect((await client.datasets().list({ offset: 10 })).items).toEqual([]);
    });

    it('list refuses unknown or malformed options', async () => {
      await expectCode(() => client.datasets().list({ bogus: 1 } as never), 'STORAGE_INVALID_OPTION', {
        clientSide: true,
      });
      await expectCode(() => client.datasets().list({ offset: -1 }), 'STORAGE_INVALID_OPTION', {
        clientSide: true,
      });
      await expectCode(() => client.datasets().list({ limit: 'ten' as never }), 'STORAGE_INVALID_OPTION', {
        clientSide: true,
      });
      await expectCode(() => client.datasets().list({ desc: 'yes' as never }), 'STORAGE_INVALID_OPTION', {
        clientSide: true,
      });
    });
  });

  describe('one dataset', () => {
    it('get returns undefined for a missing dataset, and the same info by id and by name', async () => {
      expect(await client.dataset('nothing-here').get()).toBeUndefined();
      expect(await client.dataset('aaaaaaaaaaaaaaaaa').get()).toBeUndefined();
      const { id } = await client.datasets().getOrCreate('by-both');
      const byId = await client.dataset(id).get();
      const byName = await client.dataset('by-both').get();
      expect(byId?.id).toBe(id);
      expect(byName?.id).toBe(id);
      expect(byName?.name).toBe('by-both');
    });

    it('info counts items, clean items and fields', async () => {
      const dataset = await seeded('counted', 0);
      await dataset.pushItems([{ a: 1, '#debug': 1 }, { '#only': true }, {}, { b: 2 }]);
      const info = await dataset.get();
      expect(info).toMatchObject({ itemCount: 4, cleanItemCount: 2 });
      expect(info?.fields).toEqual(expect.arrayContaining(['a', '#debug', '#only', 'b']));
      expect((await (await seeded('empty', 0)).get())?.fields ?? null).toBeNull();
    });

    it('a push advances modifiedAt, a read advances accessedAt', async () => {
      const dataset = await seeded('times', 1);
      const before = (await dataset.get())!;
      await new Promise((resolve) => setTimeout(resolve, 5));
      await dataset.pushItems({ n: 2 });
      const pushed = (await dataset.get())!;
      expect(pushed.modifiedAt.getTime()).toBeGreaterThan(before.modifiedAt.getTime());
      await new Promise((resolve) => setTimeout(resolve, 5));
      await dataset.listItems();
      const read = (await dataset.get())!;
      expect(read.accessedAt.getTime()).toBeGreaterThan(pushed.modifiedAt.getTime());
      expect(read.modifiedAt.getTime()).toBe(pushed.modifiedAt.getTime());
    });

    it('update renames: the id and the items stay, the old name is free', async () => {
      const dataset = await seeded('old-name', 3);
      const { id } = (await dataset.get())!;
      const renamed = await client.dataset('old-name').update({ name: 'new-name' });
      expect(renamed).toMatchObject({ id, name: 'new-name', itemCount: 3 });
      expect(await client.dataset('old-name').get()).toBeUndefined();
      expect(ns((await client.dataset('new-name').listItems()).items)).toEqual([1, 2, 3]);
      expect((await client.dataset(id).get())?.name).toBe('new-name');
      expect((await client.datasets().getOrCreate('old-name')).id).not.toBe(id);
    });

    it('update refuses a taken or invalid name, and a missing dataset', async () => {
      await client.datasets().getOrCreate('taken');
      await client.datasets().getOrCreate('mine');
      await expectCode(client.dataset('mine').update({ name: 'taken' }), 'STORAGE_NAME_TAKEN');
      await expectCode(client.dataset('mine').update({ name: 'not valid!' }), 'STORAGE_INVALID_NAME');
      await expectCode(client.dataset('missing').update({ name: 'x' }), 'STORAGE_NOT_FOUND');
      expect((await client.dataset('mine').get())?.name).toBe('mine');
    });

    it('update with name null unnames the dataset', async () => {
      const { id } = await client.datasets().getOrCreate('to-unname');
      const info = await client.dataset(id).update({ name: null });
      expect(info.name ?? undefined).toBeUndefined();
      expect((await client.datasets().list()).items.map((d) => d.id)).not.toContain(id);
      expect((await client.datasets().list({ unnamed: true })).items.map((d) => d.id)).toContain(id);
      expect(await client.dataset('to-unname').get()).toBeUndefined();
    });

    it('delete removes the dataset; deleting a missing one does nothing', async () => {
      const dataset = await seeded('doomed', 2);
      const { id } = (await dataset.get())!;
      await client.dataset('doomed').delete();
      expect(await client.dataset(id).get()).toBeUndefined();
      expect(await client.dataset('doomed').get()).toBeUndefined();
      await client.dataset('doomed').delete();
      await expectCode(client.dataset(id).pushItems({ a: 1 }), 'STORAGE_NOT_FOUND');
      expect((await client.datasets().getOrCreate('doomed')).itemCount).toBe(0);
    });
  });

  describe('pushItems', () => {
    it('takes an object, an array, a JSON string (object or array) and an array of JSON strings', async () => {
      const dataset = await seeded('shapes', 0);
      await dataset.pushItems({ n: 1 });
      await dataset.pushItems([{ n: 2 }, { n: 3 }]);
      await dataset.pushItems('{"n":4}');
      await dataset.pushItems('[{"n":5},{"n":6}]');
      await dataset.pushItems(['{"n":7}', '{"n":8}']);
      await dataset.pushItems([]);
      const page = await dataset.listItems();
      expect(ns(page.items)).toEqual(numbers(1, 8));
      expect((await dataset.get())?.itemCount).toBe(8);
    });

    it('keeps nested values, unicode and special keys as given', async () => {
      const dataset = await seeded('values', 0);
      const item = {
        text: 'žluťoučký kůň 🐎',
        nested: { list: [1, 'two', null, { three: 3 }], empty: {} },
        ['__proto__']: 'kept',
        n: 1.5,
        flag: false,
      };
      await dataset.pushItems(JSON.stringify(item));
      const [stored] = (await dataset.listItems()).items;
      expect(JSON.stringify(stored)).toBe(JSON.stringify(item));
      expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    });

    it('refuses items that are not JSON objects, and writes nothing of that call', async () => {
      const dataset = await seeded('strict', 1);
      const bad: unknown[] = [
        [{ n: 2 }, 5],
        [{ n: 2 }, null],
        [{ n: 2 }, [{ n: 3 }]],
        [{ n: 2 }, 'not json'],
        '"just a string"',
        '[{"n":2}, 7]',
        'not json at all',
        42,
        null,
        [{ n: 2 }, '[{"n":3}]'],
      ];
      for (const input of bad) {
        await expectCode(() => dataset.pushItems(input as never), 'STORAGE_INVALID_VALUE', {
          overHttp: ['STORAGE_INVALID_OPTION'],
          clientSide: true,
        });
      }
      expect((await dataset.get())?.itemCount).toBe(1);
      expect(ns((await dataset.listItems()).items)).toEqual([1]);
    });

    it('refuses values JSON cannot hold (BigInt, circular), writing nothing', async () => {
      const dataset = await seeded('unserialisable', 1);
      const circular: Dictionary = { n: 3 };
      circular.self = circular;
      await expectCode(() => dataset.pushItems([{ n: 2 }, { big: 10n }] as never), 'STORAGE_INVALID_VALUE', {
        clientSide: true,
      });
      await expectCode(() => dataset.pushItems([{ n: 2 }, circular]), 'STORAGE_INVALID_VALUE', {
        clientSide: true,
      });
      expect((await dataset.get())?.itemCount).toBe(1);
    });

    it('refuses an item of 9 MiB of JSON or more, writing nothing; a large item under it is kept', async () => {
      const dataset = await seeded('sizes', 0);
      const huge = { blob: 'x'.repeat(9 * 1024 * 1024) };
      await expectCode(() => dataset.pushItems([{ n: 1 }, huge]), 'STORAGE_ITEM_TOO_LARGE', {
        overHttp: ['STORAGE_PAYLOAD_TOO_LARGE'],
      });
      expect((await dataset.get())?.itemCount).toBe(0);
      const large = { blob: 'y'.repeat(1024 * 1024) };
      await dataset.pushItems(large);
      const [stored] = (await dataset.listItems()).items;
      expect(String(stored?.blob).length).toBe(1024 * 1024);
    });

    it('refuses a push to a missing dataset', async () => {
      await expectCode(client.dataset('no-such-dataset').pushItems({ a: 1 }), 'STORAGE_NOT_FOUND');
    });
  });

  describe('listItems: pagination', () => {
    it('returns everything by default, with the pagination facts', async () => {
      const dataset = await seeded('all', 5);
      const page = await dataset.listItems();
      expect(ns(page.items)).toEqual([1, 2, 3, 4, 5]);
      expect(page).toMatchObject({ total: 5, offset: 0, count: 5, desc: false });
      expect(page.limit).toBeGreaterThanOrEqual(5);
    });

    it('takes a page by offset and limit', async () => {
      const dataset = await seeded('paged', 10);
      const page = await dataset.listItems({ offset: 3, limit: 4 });
      expect(ns(page.items)).toEqual([4, 5, 6, 7]);
      expect(page).toMatchObject({ total: 10, offset: 3, limit: 4, count: 4 });
      const tail = await dataset.listItems({ offset: 8, limit: 5 });
      expect(ns(tail.items)).toEqual([9, 10]);
      expect(tail.count).toBe(2);
      const past = await dataset.listItems({ offset: 20, limit: 5 });
      expect(past).toMatchObject({ items: [], count: 0, total: 10 });
    });

    it('desc takes the page from the end, newest first, and a page past the start is shorter', async () => {
      const dataset = await seeded('desc', 10);
      expect(ns((await dataset.listItems({ desc: true, limit: 3 })).items)).toEqual([10, 9, 8]);
      expect(ns((await dataset.listItems({ desc: true, offset: 3, limit: 3 })).items)).toEqual([7, 6, 5]);
      const short = await dataset.listItems({ desc: true, offset: 8, limit: 5 });
      expect(ns(short.items)).toEqual([2, 1]);
      expect(short).toMatchObject({ count: 2, desc: true, total: 10 });
      expect(ns((await dataset.listItems({ desc: true })).items)).toEqual(numbers(1, 10).reverse());
    });

    it('is also an async iterable over every item of the range', async () => {
      const dataset = await seeded('iterated', 25);
      const seen: unknown[] = [];
      for await (const item of dataset.listItems({ offset: 2, limit: 20 })) seen.push(item.n);
      expect(seen).toEqual(numbers(3, 22));
      const desc: unknown[] = [];
      for await (const item of dataset.listItems({ desc: true, offset: 20 })) desc.push(item.n);
      expect(desc).toEqual([5, 4, 3, 2, 1]);
    });

    it('refuses unknown options and values of the wrong type', async () => {
      const dataset = await seeded('options', 1);
      const bad: Dictionary[] = [
        { bogus: true },
        { offset: -1 },
        { offset: 1.5 },
        { limit: -2 },
        { limit: '10' },
        { desc: 'true' },
        { fields: 5 },
        { fields: [1, 2] },
        { clean: 1 },
        { outputFields: ['x'] },
        { fields: ['a', 'b'], outputFields: ['x'] },
      ];
      for (const options of bad) {
        await expectCode(() => dataset.listItems(options as never), 'STORAGE_INVALID_OPTION', {
          clientSide: true,
        });
      }
    });

    it('refuses a missing dataset', async () => {
      await expectCode(client.dataset('missing').listItems(), 'STORAGE_NOT_FOUND');
    });
  });

  describe('listItems: item options', () => {
    const shop = [
      {
        url: 'https://a',
        title: 'A',
        price: { amount: 1, currency: 'EUR' },
        '#debug': 'x',
        tags: ['red', 'blue'],
      },
      { url: 'https://b', title: 'B', price: { amount: 2, currency: 'USD' }, tags: [] },
      { '#only': 'hidden' },
      {},
      { url: 'https://c', errorInfo: 'timeout' },
    ];

    async function shopDataset(): Promise<DatasetClient> {
      const dataset = await seeded('shop', 0);
      await dataset.pushItems(shop);
      return dataset;
    }

    it('fields keeps only those fields, in that order; outputFields renames them', async ({ skip }) => {
      const dataset = await shopDataset();
      const page = await dataset.listItems({ fields: ['title', 'url'], limit: 2 });
      expect(page.items).toEqual([
        { title: 'A', url: 'https://a' },
        { title: 'B', url: 'https://b' },
      ]);
      expect(Object.keys(page.items[0]!)).toEqual(['title', 'url']);
      const options = { fields: ['url', 'title'], outputFields: ['link', 'name'], limit: 1 };
      const renamed = await pageOrSkip(dataset, options, skip);
      expect(renamed.items).toEqual([{ link: 'https://a', name: 'A' }]);
    });

    it('omit drops fields', async () => {
      const dataset = await shopDataset();
      const page = await dataset.listItems({ omit: ['price', 'tags', '#debug'], limit: 1 });
      expect(page.items).toEqual([{ url: 'https://a', title: 'A' }]);
    });

    it('unwind: arrays give one record per element, objects merge, other values stay', async () => {
      const dataset = await seeded('unwind', 0);
      await dataset.pushItems([
        { id: 1, list: [{ a: 1 }, { a: 2 }] },
        { id: 2, list: { a: 3 } },
        { id: 3, list: 'plain' },
        { id: 4 },
        { id: 5, list: [7, 8] },
      ]);
      const page = await dataset.listItems({ unwind: 'list' });
      expect(page.items).toEqual([
        { id: 1, a: 1 },
        { id: 1, a: 2 },
        { id: 2, a: 3 },
        { id: 3, list: 'plain' },
        { id: 4 },
        { id: 5, list: 7 },
        { id: 5, list: 8 },
      ]);
      expect(page.total).toBe(5);
    });

    it('unwind counts stored items for pagination, and desc keeps each array in its order', async () => {
      const dataset = await seeded('unwind-pages', 0);
      await dataset.pushItems([
        { id: 1, l: [1, 2] },
        { id: 2, l: [3, 4, 5] },
        { id: 3, l: [6] },
      ]);
      const page = await dataset.listItems({ unwind: ['l'], offset: 1, limit: 1 });
      expect(page.items.map((i) => i.l)).toEqual([3, 4, 5]);
      expect(page).toMatchObject({ offset: 1, limit: 1, total: 3 });
      const desc = await dataset.listItems({ unwind: 'l', desc: true, limit: 2 });
      expect(desc.items.map((i) => i.l)).toEqual([6, 3, 4, 5]);
    });

    it('unwind takes several fields, in order', async () => {
      const dataset = await seeded('unwind-two', 0);
      await dataset.pushItems({ x: [{ y: [1, 2] }, { y: [3] }] });
      const page = await dataset.listItems({ unwind: 'x,y' });
      expect(page.items).toEqual([{ y: 1 }, { y: 2 }, { y: 3 }]);
    });

    it('flatten turns nested objects into dotted names', async () => {
      const dataset = await shopDataset();
      const page = await dataset.listItems({ flatten: ['price'], fields: ['title', 'price'], limit: 1 });
      expect(page.items).toEqual([{ title: 'A', 'price.amount': 1, 'price.currency': 'EUR' }]);
    });

    it('skipHidden drops # fields; skipEmpty drops empty items, so a page may be shorter', async () => {
      const dataset = await shopDataset();
      const hidden = await dataset.listItems({ skipHidden: true });
      expect(hidden.items[0]).not.toHaveProperty('#debug');
      expect(hidden.items).toHaveLength(5);
      const nonEmpty = await dataset.listItems({ skipEmpty: true, offset: 2, limit: 2 });
      expect(nonEmpty.items).toEqual([{ '#only': 'hidden' }]);
    });

    it('clean is skipHidden plus skipEmpty', async () => {
      const dataset = await shopDataset();
      const page = await dataset.listItems({ clean: true });
      expect(page.items.map((i) => i.url)).toEqual(['https://a', 'https://b', 'https://c']);
      expect(page.items[0]).not.toHaveProperty('#debug');
      expect(page.total).toBe(5);
    });

    it('skipFailedPages drops items with errorInfo', async ({ skip }) => {
      const dataset = await shopDataset();
      const page = await pageOrSkip(dataset, { skipFailedPages: true }, skip);
      expect(page.items.map((i) => i.url)).toEqual(['https://a', 'https://b', undefined, undefined]);
    });

    it('simplified is fields=url,pageFunctionResult,errorInfo with unwind=pageFunctionResult', async ({
      skip,
    }) => {
      const dataset = await seeded('legacy', 0);
      await dataset.pushItems([
        { url: 'https://a', pageFunctionResult: [{ t: 1 }, { t: 2 }], other: 'dropped' },
        { url: 'https://b', pageFunctionResult: { t: 3 }, errorInfo: null },
      ]);
      const page = await pageOrSkip(dataset, { simplified: true }, skip);
      expect(page.items).toEqual([
        { url: 'https://a', t: 1 },
        { url: 'https://a', t: 2 },
        { url: 'https://b', t: 3, errorInfo: null },
      ]);
    });

    it('applies the same options while iterating', async () => {
      const dataset = await shopDataset();
      const seen: Dictionary[] = [];
      for await (const item of dataset.listItems({ fields: ['url', '#only'], skipHidden: true, offset: 1 })) {
        seen.push(item);
      }
      expect(seen).toEqual([{ url: 'https://b' }, {}, {}, { url: 'https://c' }]);
    });
  });

  describe('downloadItems', () => {
    it('passes transformed items to the json exporter', async ({ skip }) => {
      const dataset = await seeded('download', 5);
      let buffer: Buffer;
      try {
        buffer = await dataset.downloadItems('json', { desc: true, limit: 2, fields: ['n'] });
      } catch (err) {
        if (isUnimplemented(err)) skip();
        throw err;
      }
      expect(Buffer.isBuffer(buffer)).toBe(true);
      expect(JSON.parse(buffer.toString('utf8'))).toEqual([{ n: 5 }, { n: 4 }]);
    });

    it('passes transformed items to the jsonl exporter', async ({ skip }) => {
      const dataset = await seeded('download-lines', 3);
      let buffer: Buffer;
      try {
        buffer = await dataset.downloadItems('jsonl', { offset: 1, clean: true });
      } catch (err) {
        if (isUnimplemented(err)) skip();
        throw err;
      }
      const lines = buffer.toString('utf8').trim().split('\n');
      expect(lines.map((line) => JSON.parse(line))).toEqual([{ n: 2 }, { n: 3 }]);
    });

    it('passes format options through with the item options (csv delimiter, no BOM)', async ({ skip }) => {
      const dataset = await seeded('download-csv', 0);
      await dataset.pushItems([
        { b: 1, a: 'x', c: 0 },
        { b: 2, a: 'y', c: 0 },
      ]);
      let buffer: Buffer;
      try {
        buffer = await dataset.downloadItems('csv', {
          fields: ['a', 'b'],
          delimiter: ';',
          bom: false,
          desc: true,
        });
      } catch (err) {
        if (isUnimplemented(err)) skip();
        throw err;
      }
      expect(buffer.toString('utf8').trim().split(/\r?\n/)).toEqual(['a;b', 'y;2', 'x;1']);
    });

    it('refuses an unknown format and bad item options', async () => {
      const dataset = await seeded('download-bad', 1);
      await expectCode(() => dataset.downloadItems('pdf' as never), 'STORAGE_UNSUPPORTED_FORMAT', {
        clientSide: true,
      });
      await expectCode(() => dataset.downloadItems('json', { offset: -5 }), 'STORAGE_INVALID_OPTION', {
        clientSide: true,
      });
    });
  });
});
