/**
 * A crawl can change storage clients halfway: the folder the fs engine wrote is the folder
 * @crawlee/memory-storage reads (MemoryStorage({ localDataDirectory, persistStorage: true })), and
 * the reverse. Each half is its own process, as when a user switches clients between two runs;
 * the first stops (`crawler.stop()`) after 60 items, the second finishes from the queue the first left.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { MemoryStorage } from '@crawlee/memory-storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadShopManifest } from '../fixtures/shop/manifest.js';
import { type ShopServer, startShopServer } from '../fixtures/shop/server.js';
import { createFsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';
import {
  CRAWL_TIMEOUT,
  childEnv,
  clearCrawleeEnv,
  expectOneItemPerProduct,
  manifestPaths,
  pathOf,
  readItems,
  readRequestFiles,
} from './processes/crawl-expect.js';

const manifest = loadShopManifest();
const CHILD = join(import.meta.dirname, 'processes', 'crawl-child.ts');
const HALF = 60;

let dir: string;
let cleanup: () => Promise<void>;
let restoreEnv: () => void;
let shop: ShopServer;
const children: ChildProcess[] = [];

beforeEach(async () => {
  restoreEnv = clearCrawleeEnv();
  ({ dir, cleanup } = await tempDir());
  shop = await startShopServer();
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await shop.close();
  await cleanup();
  restoreEnv();
});

/** Runs one crawl in a child process; resolves with its final statistics. */
async function crawlIn(client: 'fs' | 'memory', stopAfterPushes?: number) {
  const options = { storageDir: dir, startUrl: `${shop.url}/`, client, stopAfterPushes, maxConcurrency: 8 };
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(options)], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(0);
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { requestsFinished: number };
}

/** After the first half: some items, and pending requests left in the queue. */
async function expectHalfCrawl(): Promise<void> {
  const items = (await readItems(dir)).length;
  expect(items).toBeGreaterThanOrEqual(HALF);
  expect(items).toBeLessThan(manifest.products.length);
  const files = await readRequestFiles(dir);
  expect(files.filter((file) => file.orderNo !== null).length).toBeGreaterThan(0);
}

/** After both halves: the whole shop, each page fetched once (flaky ones once per failure more). */
async function expectWholeShop(): Promise<void> {
  const items = await readItems(dir);
  expectOneItemPerProduct(items, manifest);
  const info = await createFsClient({ storageDir: dir }).requestQueue('default').get();
  expect(info).toMatchObject({
    totalRequestCount: manifest.pages.length,
    handledRequestCount: manifest.pages.length,
    pendingRequestCount: 0,
  });
  const files = await readRequestFiles(dir);
  expect(files.map((file) => pathOf(file.url)).sort()).toEqual(manifestPaths(manifest));
  expect(files.filter((file) => file.orderNo !== null)).toEqual([]);
  for (const page of manifest.pages) {
    const flaky = manifest.products.some((product) => product.flaky && product.path === page);
    expect(shop.hits.get(page), page).toBe(flaky ? 3 : 1);
  }
  // memory-storage reads the same result from the folder.
  const memory = new MemoryStorage({ localDataDirectory: dir, persistStorage: false });
  const listed = await memory.dataset('default').listItems({ limit: 1000 });
  expect(listed.items.map((item) => item.sku).sort()).toEqual(items.map((item) => item.sku).sort());
}

describe('switching storage clients in the middle of a crawl', () => {
  it(
    'half a crawl on the fs engine, the rest on @crawlee/memory-storage',
    async () => {
      await crawlIn('fs', HALF);
      await expectHalfCrawl();
      await crawlIn('memory');
      await expectWholeShop();
    },
    CRAWL_TIMEOUT,
  );

  it(
    'half a crawl on @crawlee/memory-storage, the rest on the fs engine',
    async () => {
      await crawlIn('memory', HALF);
      await expectHalfCrawl();
      await crawlIn('fs');
      await expectWholeShop();
    },
    CRAWL_TIMEOUT,
  );
});
