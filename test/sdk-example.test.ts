/**
 * The README's Crawlee / Apify SDK example (examples/crawlee/main.ts) runs as documented:
 * `node --import tsx examples/crawlee/main.ts`, with no INPUT (it serves the fixture shop itself)
 * and with a `startUrl` in INPUT; and run again with CRAWLEE_PURGE_ON_START=0 over a finished
 * crawl it fetches nothing and pushes nothing.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadShopManifest } from '../fixtures/shop/manifest.js';
import { type ShopServer, startShopServer } from '../fixtures/shop/server.js';
import { createFsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';
import { CRAWL_TIMEOUT, childEnv, clearCrawleeEnv, readItems } from './processes/crawl-expect.js';

const manifest = loadShopManifest();
const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'crawlee', 'main.ts');

let dir: string;
let cleanup: () => Promise<void>;
let restoreEnv: () => void;

beforeEach(async () => {
  restoreEnv = clearCrawleeEnv();
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
  restoreEnv();
});

async function runExample(env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', EXAMPLE], {
    env: childEnv({ APIFY_LOCAL_STORAGE_DIR: dir, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.resume();
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(0);
  return stdout;
}

async function readRecord(key: string): Promise<unknown> {
  return JSON.parse(await readFile(join(dir, 'key_value_stores', 'default', `${key}.json`), 'utf8'));
}

/** One item per product, with the page's data. */
async function expectProducts(): Promise<void> {
  const items = await readItems(dir);
  expect(items.map((item) => item.sku).sort()).toEqual(manifest.products.map((p) => p.sku).sort());
  const bySku = new Map(items.map((item) => [item.sku, item]));
  for (const product of manifest.products) {
    expect(bySku.get(product.sku)).toMatchObject({
      title: product.title,
      price: product.price,
      currency: 'EUR',
    });
  }
}

describe('examples/crawlee/main.ts', () => {
  it(
    'runs as the README says: no INPUT, it crawls the bundled shop into the storage folder',
    async () => {
      const stdout = await runExample();
      expect(stdout).toContain(`187 pages, 150 products in ${dir}`);
      await expectProducts();
      expect(await readRecord('OUTPUT')).toMatchObject({
        pagesHandled: manifest.pages.length,
        products: 150,
      });
      expect(await readRecord('STATE')).toEqual({ pagesHandled: manifest.pages.length, productsPushed: 150 });
      const queue = await createFsClient({ storageDir: dir }).requestQueue('default').get();
      expect(queue).toMatchObject({ handledRequestCount: manifest.pages.length, pendingRequestCount: 0 });
    },
    CRAWL_TIMEOUT,
  );

  let shop: ShopServer | undefined;
  afterEach(async () => {
    await shop?.close();
    shop = undefined;
  });

  it(
    'crawls the startUrl of its INPUT; run again without purge it fetches and pushes nothing',
    async () => {
      shop = await startShopServer();
      await mkdir(join(dir, 'key_value_stores', 'default'), { recursive: true });
      await writeFile(
        join(dir, 'key_value_stores', 'default', 'INPUT.json'),
        JSON.stringify({ startUrl: `${shop.url}/` }),
      );
      await runExample();
      await expectProducts();
      const hits = [...shop.hits.values()].reduce((a, b) => a + b, 0);
      expect(hits).toBe(manifest.pages.length + 2 * manifest.products.filter((p) => p.flaky).length);

      const stdout = await runExample({ CRAWLEE_PURGE_ON_START: '0' });
      expect(stdout).toContain(`187 pages, 150 products in ${dir}`);
      expect([...shop.hits.values()].reduce((a, b) => a + b, 0)).toBe(hits);
      await expectProducts();
      expect(await readRecord('INPUT')).toEqual({ startUrl: `${shop.url}/` });
    },
    CRAWL_TIMEOUT,
  );
});
