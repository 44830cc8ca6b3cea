/**
 * A Crawlee crawl on the fs engine, killed with SIGKILL halfway and started again over the same
 * folder without a purge, finishes the shop: one item per product, no page handled twice.
 *
 * Where the guarantees come from:
 * - no page handled twice: the queue. A request marked handled before the kill is never offered
 *   again; the requests the dead process had locked are offered at once to the new run (the engine
 *   sees that the lock holder is gone), so they are fetched again, but only they.
 * - no item twice: the crawler. Pushing an item and marking its request handled are two writes; a
 *   process killed between them leaves the item on disk and the request pending. The crawler reads
 *   the SKUs already in the dataset when it starts and skips those (test/processes/crawl-shop.ts).
 *   The kill is placed in exactly that gap: the handler of the 60th item stalls after its push.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  itemFilesOnDisk,
  manifestPaths,
  pathOf,
  readItems,
  readRequestFiles,
} from './processes/crawl-expect.js';
import type { CrawlState } from './processes/crawl-shop.js';

const manifest = loadShopManifest();
const CHILD = join(import.meta.dirname, 'processes', 'crawl-child.ts');
const KILL_AT = 60;

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

function startCrawl(options: Record<string, unknown>): {
  child: ChildProcess;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(options)], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

async function waitForItems(count: number, exited: Promise<number | null>): Promise<void> {
  let done = false;
  void exited.then(() => {
    done = true;
  });
  while ((await itemFilesOnDisk(dir)) < count) {
    if (done) throw new Error('The crawl ended before it could be killed.');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What the killed run left: pages handled, pages whose item is on disk, hits so far. */
async function snapshotAfterKill() {
  const files = await readRequestFiles(dir);
  const handled = new Set(files.filter((file) => file.orderNo === null).map((file) => pathOf(file.url)));
  const itemPaths = (await readItems(dir)).map((item) => pathOf(item.url));
  return { handled, itemPaths, hits: new Map(shop.hits) };
}

type Snapshot = Awaited<ReturnType<typeof snapshotAfterKill>>;

/** Starts the crawl, kills it once the stalled handler has pushed its item, and checks what it left. */
async function crawlAndKill(
  options: Record<string, unknown>,
): Promise<{ before: Snapshot; inFlight: string[] }> {
  const first = startCrawl({ ...options, stallAfterPush: KILL_AT });
  await waitForItems(KILL_AT, first.exited);
  first.child.kill('SIGKILL');
  expect(await first.exited).toBeNull(); // killed, not finished

  const before = await snapshotAfterKill();
  expect(before.itemPaths.length).toBeGreaterThanOrEqual(KILL_AT);
  expect(before.itemPaths.length).toBeLessThan(manifest.products.length);
  expect(new Set(before.itemPaths).size).toBe(before.itemPaths.length);
  // Pushed but not handled when the process died: at least the stalled page.
  const inFlight = before.itemPaths.filter((path) => !before.handled.has(path));
  expect(inFlight.length).toBeGreaterThanOrEqual(1);
  return { before, inFlight };
}

/** The queue is finished: every page of the shop once, all handled. */
async function expectFinishedQueue(): Promise<void> {
  const info = await createFsClient({ storageDir: dir }).requestQueue('default').get();
  expect(info).toMatchObject({
    totalRequestCount: manifest.pages.length,
    handledRequestCount: manifest.pages.length,
    pendingRequestCount: 0,
  });
  const files = await readRequestFiles(dir);
  expect(files.map((file) => pathOf(file.url)).sort()).toEqual(manifestPaths(manifest));
  expect(files.every((file) => file.orderNo === null)).toBe(true);
}

describe('resuming a killed Crawlee crawl on the fs engine', () => {
  it(
    'a CheerioCrawler SIGKILLed after 60 items finishes on restart: each product once, no page handled twice',
    async () => {
      const options = { storageDir: dir, startUrl: `${shop.url}/`, client: 'fs', maxConcurrency: 10 };
      const { before, inFlight } = await crawlAndKill(options);

      const second = startCrawl(options);
      expect(await second.exited).toBe(0);
      expectOneItemPerProduct(await readItems(dir), manifest);
      await expectFinishedQueue();

      // The restart fetched no page that was handled before the kill, and every other page.
      const fetchedOnRestart = manifest.pages
        .filter((page) => (shop.hits.get(page) ?? 0) > (before.hits.get(page) ?? 0))
        .map((page) => pathOf(shop.url + page));
      expect(fetchedOnRestart.filter((path) => before.handled.has(path))).toEqual([]);
      expect([...before.handled, ...fetchedOnRestart].sort()).toEqual(manifestPaths(manifest));
      // The pages in flight were fetched again, and their items were not pushed again.
      for (const path of inFlight) expect(fetchedOnRestart).toContain(path);
      const state = JSON.parse(
        await readFile(join(dir, 'key_value_stores', 'default', 'CRAWLEE_STATE.json'), 'utf8'),
      ) as CrawlState;
      expect(state.duplicatesSkipped).toBe(inFlight.length);
    },
    CRAWL_TIMEOUT,
  );
});
