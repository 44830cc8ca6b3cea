import { parse } from 'node-html-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { loadShopManifest } from '../fixtures/shop/manifest.js';
import { type ShopServer, startShopServer } from '../fixtures/shop/server.js';

const manifest = loadShopManifest();

/** Crawlee's default uniqueKey rules: no fragment, no utm_* parameters, sorted query, no trailing slash. */
function normalise(url: URL): string {
  const copy = new URL(url);
  copy.hash = '';
  for (const key of [...copy.searchParams.keys()]) if (key.startsWith('utm_')) copy.searchParams.delete(key);
  copy.searchParams.sort();
  return `${copy.origin}${copy.pathname.replace(/\/$/, '')}${copy.search}`;
}

interface CrawlResult {
  /** Normalised URL → final status. */
  pages: Map<string, number>;
  /** Every href met, as written. */
  hrefs: string[];
  /** hrefs that leave the shop (other origin or scheme). */
  external: Set<string>;
}

async function fetchWithRetries(url: string, retries: number): Promise<{ status: number; html: string }> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url);
    const html = await res.text();
    if (res.ok || attempt >= retries) return { status: res.status, html };
  }
}

/** Breadth-first crawl of same-origin links, one page at a time. */
async function crawl(start: string, retries: number): Promise<CrawlResult> {
  const origin = new URL(start).origin;
  const result: CrawlResult = { pages: new Map(), hrefs: [], external: new Set() };
  const queue = [new URL(start)];
  const seen = new Set([normalise(queue[0]!)]);
  for (let url = queue.shift(); url; url = queue.shift()) {
    const { status, html } = await fetchWithRetries(url.href, retries);
    result.pages.set(normalise(url), status);
    for (const a of parse(html).querySelectorAll('a[href]')) {
      const href = a.getAttribute('href')!;
      result.hrefs.push(href);
      const next = new URL(href, url);
      if (next.origin !== origin) {
        result.external.add(href);
        continue;
      }
      if (!seen.has(normalise(next))) {
        seen.add(normalise(next));
        queue.push(next);
      }
    }
  }
  return result;
}

const servers: ShopServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('crawling the shop', () => {
  it('reaches every page of the manifest through links that all resolve, fetching each once', async () => {
    const shop = await startShopServer({ failures: false });
    servers.push(shop);
    const { pages, hrefs, external } = await crawl(`${shop.url}/`, 0);

    const expected = manifest.pages.map((path) => normalise(new URL(path, shop.url))).sort();
    expect([...pages.keys()].sort()).toEqual(expected);
    expect(pages.size).toBeGreaterThanOrEqual(180);
    expect([...pages.values()].every((status) => status === 200)).toBe(true);
    for (const path of manifest.pages) expect(shop.hits.get(path), path).toBe(1);
    expect([...shop.hits.values()].reduce((a, b) => a + b)).toBe(pages.size);

    // Deduplication matters: far more links than pages, spelled in several ways.
    expect(hrefs.length).toBeGreaterThan(pages.size * 5);
    expect(hrefs.some((h) => h.includes('?utm_'))).toBe(true);
    expect(hrefs.some((h) => h.startsWith('/product/') && h.includes('#'))).toBe(true);
    expect(hrefs.some((h) => /^\/product\/.+\.html\/$/.test(h))).toBe(true);
    expect(hrefs.some((h) => /^\/category\/[a-z]+$/.test(h))).toBe(true);
    expect([...external].sort()).toEqual(manifest.externalLinks);
  });

  it('gets through the flaky pages with two retries', async () => {
    const shop = await startShopServer();
    servers.push(shop);
    const { pages } = await crawl(`${shop.url}/`, 2);
    expect(pages.size).toBe(manifest.pages.length);
    expect([...pages.values()].every((status) => status === 200)).toBe(true);
    for (const product of manifest.products) expect(shop.hits.get(product.path)).toBe(product.flaky ? 3 : 1);
  });
});
