/**
 * What the Crawlee and Apify SDK tests check after a crawl of the fixture shop: the environment
 * they start from, the dataset against the manifest, and the request files of the queue as they
 * are on disk.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ShopManifest } from '../../fixtures/shop/manifest.js';
import { createFsClient } from '../../src/index.js';
import type { ProductItem } from './crawl-shop.js';

/**
 * Time allowed to a test that crawls the shop (with process starts): 20–40 s on an idle machine,
 * up to three times that when the machine's two cores are shared with other test files.
 */
export const CRAWL_TIMEOUT = 180_000;

/**
 * Removes every `APIFY_*` and `CRAWLEE_*` variable (so Crawlee and the SDK run locally, with
 * their defaults) and returns a function that puts the environment back.
 */
export function clearCrawleeEnv(): () => void {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('APIFY_') || key.startsWith('CRAWLEE_')) delete process.env[key];
  }
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
}

/** The environment for a child process: the parent's without `APIFY_*` / `CRAWLEE_*`, plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('APIFY_') && !key.startsWith('CRAWLEE_')) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Every item of a dataset, read through a fresh fs client. */
export async function readItems(storageDir: string, dataset = 'default'): Promise<ProductItem[]> {
  const { items } = await createFsClient({ storageDir }).dataset(dataset).listItems({ limit: 100_000 });
  return items as ProductItem[];
}

/** The number of item files in a dataset folder (what a crash has left on disk). */
export async function itemFilesOnDisk(storageDir: string, dataset = 'default'): Promise<number> {
  try {
    const names = await readdir(join(storageDir, 'datasets', dataset));
    return names.filter((name) => /^\d+\.json$/.test(name)).length;
  } catch {
    // No dataset folder yet: the crawler has not pushed anything.
    return 0;
  }
}

/** Exactly one item per product of the manifest, with the data of its page. */
export function expectOneItemPerProduct(items: ProductItem[], manifest: ShopManifest): void {
  const skus = items.map((item) => item.sku).sort();
  expect(skus).toEqual(manifest.products.map((product) => product.sku).sort());
  const bySku = new Map(items.map((item) => [item.sku, item]));
  for (const product of manifest.products) {
    const item = bySku.get(product.sku);
    expect(item, product.sku).toMatchObject({
      title: product.title,
      price: product.price,
      currency: product.currency,
      category: product.category,
      brand: product.brand,
      stock: product.stock,
    });
    expect(new URL(item?.url ?? '').pathname.replace(/\/$/, '')).toBe(product.path);
  }
}

/** A request file as stored in `request_queues/<queue>/<id>.json`, with its `json` parsed. */
export interface StoredRequestFile {
  id: string;
  url: string;
  uniqueKey: string;
  orderNo: number | null;
  retryCount: number;
  request: { handledAt?: string; errorMessages?: string[]; retryCount?: number };
}

/** Reads every request file of a queue folder. */
export async function readRequestFiles(storageDir: string, queue = 'default'): Promise<StoredRequestFile[]> {
  const dir = join(storageDir, 'request_queues', queue);
  const names = (await readdir(dir)).filter((name) => name.endsWith('.json') && !name.startsWith('__'));
  return Promise.all(
    names.map(async (name) => {
      const file = JSON.parse(await readFile(join(dir, name), 'utf8')) as Omit<
        StoredRequestFile,
        'request'
      > & {
        json: string;
      };
      const { json, ...rest } = file;
      return { ...rest, request: JSON.parse(json) as StoredRequestFile['request'] };
    }),
  );
}

/** The manifest path a crawled URL stands for (no query, fragment or trailing slash). */
export function pathOf(url: string): string {
  const path = new URL(url).pathname;
  return path === '/' ? path : path.replace(/\/$/, '');
}

/** The manifest's pages in {@link pathOf} form. */
export function manifestPaths(manifest: ShopManifest): string[] {
  return manifest.pages.map((page) => (page === '/' ? page : page.replace(/\/$/, ''))).sort();
}
