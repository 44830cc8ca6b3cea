/**
 * Crawlee 3 crawlers (CheerioCrawler, BasicCrawler) running on the fs engine as their storage
 * client (`new Configuration({ storageClient })`), over the fixture shop: what ends up on disk is
 * exactly the shop, and the queue's bookkeeping is exact.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Configuration } from 'crawlee';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadShopManifest } from '../fixtures/shop/manifest.js';
import { type ShopServer, startShopServer } from '../fixtures/shop/server.js';
import { createFsClient, type FsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';
import {
  CRAWL_TIMEOUT,
  clearCrawleeEnv,
  expectOneItemPerProduct,
  manifestPaths,
  pathOf,
  readItems,
  readRequestFiles,
} from './processes/crawl-expect.js';
import { type CrawlState, crawlShop } from './processes/crawl-shop.js';

const manifest = loadShopManifest();
const flaky = manifest.products.filter((product) => product.flaky);

let dir: string;
let cleanup: () => Promise<void>;
let restoreEnv: () => void;
let shop: ShopServer;

beforeEach(async () => {
  restoreEnv = clearCrawleeEnv();
  ({ dir, cleanup } = await tempDir());
  shop = await startShopServer();
});
afterEach(async () => {
  await shop.close();
  await cleanup();
  restoreEnv();
});

/** What a previous run left: stale default storages, INPUT, and named storages. */
async function seedPreviousRun(client: FsClient): Promise<void> {
  const dataset = await client.datasets().getOrCreate('default');
  await client.dataset(dataset.id).pushItems([{ sku: 'STALE-1' }]);
  const archive = await client.datasets().getOrCreate('archive');
  await client.dataset(archive.id).pushItems([{ sku: 'KEPT-1' }, { sku: 'KEPT-2' }]);
  const store = await client.keyValueStores().getOrCreate('default');
  const kvs = client.keyValueStore(store.id);
  await kvs.setRecord({ key: 'INPUT', value: { note: 'kept' } });
  await kvs.setRecord({ key: 'CRAWLEE_STATE', value: { pagesHandled: 999, productsPushed: 999 } });
  const queue = await client.requestQueues().getOrCreate('default');
  await client
    .requestQueue(queue.id)
    .addRequest({ url: `${shop.url}/stale`, uniqueKey: `${shop.url}/stale` });
}

/** The whole queue is on disk: one handled request file per page, flaky pages with their errors. */
async function expectFinishedQueue(client: FsClient): Promise<void> {
  const info = await client.requestQueue('default').get();
  expect(info).toMatchObject({
    totalRequestCount: manifest.pages.length,
    handledRequestCount: manifest.pages.length,
    pendingRequestCount: 0,
  });
  const files = await readRequestFiles(dir);
  expect(files.map((file) => pathOf(file.url)).sort()).toEqual(manifestPaths(manifest));
  for (const file of files) {
    expect(file.orderNo, file.url).toBeNull();
    expect(file.request.handledAt, file.url).toEqual(expect.any(String));
  }
  const retried = files.filter((file) => file.retryCount > 0);
  expect(retried.map((file) => pathOf(file.url)).sort()).toEqual(flaky.map((p) => p.path).sort());
  for (const file of retried) {
    expect(file.retryCount).toBe(2);
    expect(file.request.errorMessages).toHaveLength(2);
    expect(file.request.errorMessages?.[0]).toMatch(/500/);
    // The client reads back what the file holds.
    const request = await client.requestQueue('default').getRequest(file.id);
    expect(request).toMatchObject({ id: file.id, retryCount: 2, errorMessages: file.request.errorMessages });
  }
}

/** Every page was fetched once, the flaky ones once per failure more. */
function expectOneFetchPerPage(): void {
  for (const page of manifest.pages) {
    const isFlaky = flaky.some((product) => product.path === page);
    expect(shop.hits.get(page), page).toBe(isFlaky ? 3 : 1);
  }
}

async function readState(): Promise<CrawlState> {
  const file = join(dir, 'key_value_stores', 'default', 'CRAWLEE_STATE.json');
  return JSON.parse(await readFile(file, 'utf8')) as CrawlState;
}

describe('Crawlee crawlers on the fs engine', () => {
  it(
    'CheerioCrawler crawls the shop: one item per product, a finished queue, state in the store',
    async () => {
      const storageClient = createFsClient({ storageDir: dir });
      await seedPreviousRun(storageClient);
      // Crawlee's default: purge on start. The previous run's default storages go, INPUT and named stay.
      const config = new Configuration({ storageClient });
      const stats = await crawlShop({ startUrl: `${shop.url}/`, config, kind: 'cheerio', maxConcurrency: 8 });

      expect(stats.requestsFinished).toBe(manifest.pages.length);
      expect(stats.requestsFailed).toBe(0);
      expectOneItemPerProduct(await readItems(dir), manifest);
      expect((await storageClient.dataset('default').get())?.itemCount).toBe(manifest.products.length);
      await expectFinishedQueue(storageClient);
      expectOneFetchPerPage();
      expect(await readState()).toEqual({
        pagesHandled: manifest.pages.length,
        productsPushed: manifest.products.length,
        duplicatesSkipped: 0,
      });
      // Crawlee's own records went to the same store.
      const keys = (await storageClient.keyValueStore('default').listKeys()).items.map((item) => item.key);
      expect(keys).toEqual(
        expect.arrayContaining([
          'INPUT',
          'CRAWLEE_STATE',
          'SDK_CRAWLER_STATISTICS_0',
          'SDK_SESSION_POOL_STATE',
        ]),
      );
      expect((await storageClient.keyValueStore('default').getRecord('INPUT'))?.value).toEqual({
        note: 'kept',
      });
      expect((await readItems(dir, 'archive')).map((item) => item.sku)).toEqual(['KEPT-1', 'KEPT-2']);
    },
    CRAWL_TIMEOUT,
  );

  it(
    'BasicCrawler with fetch and enqueueLinks({ urls }) gives the same result',
    async () => {
      const storageClient = createFsClient({ storageDir: dir });
      const config = new Configuration({ storageClient, purgeOnStart: false });
      const stats = await crawlShop({ startUrl: `${shop.url}/`, config, kind: 'basic', maxConcurrency: 8 });

      expect(stats.requestsFinished).toBe(manifest.pages.length);
      expectOneItemPerProduct(await readItems(dir), manifest);
      await expectFinishedQueue(storageClient);
      expectOneFetchPerPage();
      expect((await readState()).productsPushed).toBe(manifest.products.length);
    },
    CRAWL_TIMEOUT,
  );
});
