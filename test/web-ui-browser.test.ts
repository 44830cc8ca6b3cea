/**
 * The storage browser end to end, in real headless Chromium (Debian's /usr/bin/chromium, driven
 * by playwright-core) over a storage folder seeded with the engine: every page, paging through
 * 20,000 items, a CSV download, a rename and a delete checked on disk, record previews, the queue's
 * states, and the page without a token. No console error, failed request or error answer allowed.
 * Screenshots of each page go to test-artifacts/web-ui/.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActorStorageServer, createServer } from '../src/server/index.js';
import { tempDir } from './helpers/tmp.js';
import { type Seeded, seedStorage } from './helpers/web-ui-seed.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'browser-test-token-0123456789';
const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts', 'web-ui');

let storageDir: string;
let cleanup: () => Promise<void>;
let profileDir: string;
let seeded: Seeded;
let server: ActorStorageServer;
let url: string;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];
const requested: string[] = [];

/** Records every console error, page error, failed request and error answer of `p`. */
function watch(p: Page): void {
  p.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning')
      problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  p.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  p.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  p.on('request', (req) => requested.push(req.url()));
  p.on('response', (res) => {
    if (res.status() >= 400) problems.push(`${res.status()} for ${res.request().method()} ${res.url()}`);
  });
}

/** Runs `action` and waits until the page has drawn the view it leads to. */
async function afterRender(p: Page, action: () => Promise<unknown>): Promise<void> {
  const before = Number(await p.evaluate(() => document.body.dataset.renders ?? '0'));
  await action();
  await p.waitForFunction((n) => Number(document.body.dataset.renders ?? '0') > n, before);
}

/** Opens a route of the page (`#/…`) and waits for it to be drawn. */
async function open(p: Page, hash: string): Promise<void> {
  await afterRender(p, () =>
    p.evaluate((h) => {
      window.location.hash = h;
    }, hash),
  );
}

/** Waits until the values the page fills in later (sizes, record counts) are there. */
async function settled(p: Page): Promise<void> {
  await p.waitForFunction(
    () => ![...document.querySelectorAll('td span, .fact-value span')].some((s) => s.textContent === '…'),
  );
}

let shots = 0;
async function screenshot(name: string, p: Page = page): Promise<void> {
  await settled(p); // so the picture shows the finished page
  shots += 1;
  await p.screenshot({
    path: join(ARTIFACTS, `${String(shots).padStart(2, '0')}-${name}.png`),
    fullPage: true,
  });
}

const texts = (selector: string, p: Page = page) => p.locator(selector).allTextContents();
const firstSku = async () =>
  (await page.locator('table.items tbody tr').first().locator('td').nth(1).textContent())?.trim();

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  await mkdir(ARTIFACTS, { recursive: true });
  ({ dir: storageDir, cleanup } = await tempDir('actor-storage-browser-'));
  seeded = await seedStorage(storageDir, 20_000);
  server = createServer({ storageDir, token: TOKEN });
  url = await server.listen(0);
  profileDir = await mkdtemp(join(tmpdir(), 'actor-storage-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    acceptDownloads: true,
    viewport: { width: 1280, height: 860 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  watch(page);
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  await cleanup?.();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});

describe('storage browser in Chromium', () => {
  it('opens with the token from the URL, keeps it out of the address bar and lists named datasets', async () => {
    await page.goto(`${url}/?token=${TOKEN}`);
    await page.waitForSelector('table.stores tbody tr');
    expect(page.url()).toBe(`${url}/`);
    expect(await page.evaluate(() => sessionStorage.getItem('actor-storage.token'))).toBe(TOKEN);
    const rows = page.locator('table.stores tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('td').allTextContents()).toEqual([
      'products',
      seeded.datasetId,
      '20,000',
      expect.stringMatching(/^\d+(\.\d)? MB$/),
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d$/),
    ]);
    expect(await page.locator('.storage-dir').textContent()).toBe(storageDir);
    await screenshot('datasets');

    await afterRender(page, () => page.check('input[name=unnamed]'));
    expect(await texts('table.stores tbody tr td:nth-child(2)')).toEqual(
      expect.arrayContaining([seeded.datasetId, seeded.unnamedDatasetId]),
    );
    await screenshot('datasets-with-unnamed');
  });

  it('shows a dataset page by page from the server, however deep', async () => {
    await afterRender(page, () => page.click(`a[href="#/datasets/${seeded.datasetId}"] >> nth=0`));
    expect(await page.locator('h1').textContent()).toBe('products');
    expect(await page.locator('table.items tbody tr').count()).toBe(50);
    expect(await firstSku()).toBe('SKU-000001');
    expect(await texts('table.items thead th')).toEqual([
      '#',
      'sku',
      'title',
      'price',
      'url',
      'tags',
      '#debug',
    ]);
    // A value that looks like HTML is shown as text, and nothing of it ran.
    const title = page.locator('table.items tbody tr').first().locator('td').nth(2);
    expect(await title.textContent()).toBe('<img src=x onerror="window.__xss=1">Lamp');
    expect(await title.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    await screenshot('dataset-items');

    await afterRender(page, () => page.click('[data-page=next] >> nth=0'));
    expect(await firstSku()).toBe('SKU-000051');
    await afterRender(page, async () => {
      await page.fill('.page-input >> nth=0', '400');
      await page.press('.page-input >> nth=0', 'Enter');
    });
    expect(await firstSku()).toBe('SKU-019951');
    expect(await page.locator('.pager-range').first().textContent()).toBe('19,951–20,000 of 20,000 items');
    expect(await page.locator('[data-page=next]').first().getAttribute('aria-disabled')).toBe('true');
    await screenshot('dataset-last-page');

    await afterRender(page, () => page.check('input[name=desc]'));
    expect(await firstSku()).toBe('SKU-020000');
    // Rows are numbered by stored position, newest first too.
    expect(await page.locator('table.items tbody tr').first().locator('td').first().textContent()).toBe(
      '20000',
    );
    await afterRender(page, () => page.selectOption('select[name=limit]', '500'));
    expect(await page.locator('table.items tbody tr').count()).toBe(500);
    expect(await page.locator('.page-form').first().textContent()).toContain('of 40');
    await afterRender(page, () => page.click('[data-page=last] >> nth=0'));
    expect(await firstSku()).toBe('SKU-000500');
    // Every item query asked for one page, never for everything.
    const itemQueries = requested.filter((u) => u.includes('/items?') && u.includes('format=json'));
    expect(itemQueries.length).toBeGreaterThanOrEqual(6);
    for (const q of itemQueries)
      expect(Number(new URL(q).searchParams.get('limit'))).toBeLessThanOrEqual(500);
  });

  it('picks fields, cleans, opens an item, and downloads the CSV of that view', async () => {
    await open(page, `#/datasets/${seeded.datasetId}`);
    await page.click('.field-picker summary');
    await page.click('.field-picker button:text("None")');
    await page.check('.field-picker input[value=sku]');
    await page.check('.field-picker input[value=price]');
    await afterRender(page, () => page.click('[data-action=apply-fields]'));
    expect(await texts('table.items thead th')).toEqual(['#', 'sku', 'price']);
    await afterRender(page, () => page.check('input[name=clean]'));
    expect(page.url()).toContain('fields=sku%2Cprice');
    expect(page.url()).toContain('clean=1');

    await page.locator('table.items tbody tr').nth(2).click();
    await page.waitForSelector('dialog[open] pre.json');
    const shown = JSON.parse((await page.locator('dialog[open] pre').textContent()) ?? '');
    expect(shown).toEqual({ sku: 'SKU-000003', price: 4.11 });
    await screenshot('dataset-item-dialog');
    await page.click('dialog[open] [data-action=close]');

    const csvLink = page.locator('a[data-format=csv]');
    const href = (await csvLink.getAttribute('href')) ?? '';
    expect(href).not.toContain('token');
    const [download] = await Promise.all([page.waitForEvent('download'), csvLink.click()]);
    expect(download.suggestedFilename()).toBe('products.csv');
    const csv = await readFile((await download.path())!, 'utf8');
    const rows = parse(csv, { columns: true, bom: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(seeded.bigCount);
    expect(rows[0]).toEqual({ sku: 'SKU-000001', price: '1.37' });
    expect(rows.at(-1)).toEqual({ sku: 'SKU-020000', price: '27400' });
    const formats = await page
      .locator('a[data-format]')
      .evaluateAll((links) => links.map((a) => a.getAttribute('data-format')));
    expect(formats).toEqual(['json', 'jsonl', 'csv', 'xlsx', 'xml', 'rss', 'html']);
  });

  it('lists the API endpoints: reads without the token, writes with it', async () => {
    await open(page, `#/datasets/${seeded.datasetId}/api`);
    const rows = await page.locator('table.endpoints tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        writes: tr.getAttribute('data-writes') === 'true',
        url: tr.querySelector('.endpoint-url')?.textContent ?? '',
      })),
    );
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const row of rows) {
      expect(row.url.startsWith(`${url}/v2/datasets/${seeded.datasetId}`)).toBe(true);
      expect([row.url, row.url.includes(`token=${TOKEN}`)]).toEqual([row.url, row.writes]);
    }
    await screenshot('dataset-api');
  });

  it('renames a dataset, and the folder is renamed on disk', async () => {
    await open(page, `#/datasets/${seeded.datasetId}/settings`);
    await screenshot('dataset-settings');
    await page.fill('input[name=name]', 'products-renamed');
    await afterRender(page, () => page.click('[data-action=rename]'));
    expect(await page.locator('h1').textContent()).toBe('products-renamed');
    expect(await page.locator('.notice-success').textContent()).toContain('Renamed to "products-renamed"');
    const metadata = JSON.parse(
      await readFile(join(storageDir, 'datasets', 'products-renamed', '__metadata__.json'), 'utf8'),
    );
    expect(metadata).toMatchObject({ id: seeded.datasetId, name: 'products-renamed' });
    expect(existsSync(join(storageDir, 'datasets', 'products'))).toBe(false);
  });

  it('deletes a dataset after a confirmation, and its folder is gone', async () => {
    await open(page, `#/datasets/${seeded.unnamedDatasetId}/settings`);
    const folder = join(storageDir, 'datasets', seeded.unnamedDatasetId);
    expect(existsSync(folder)).toBe(true);
    await page.click('[data-action=delete]');
    await page.waitForSelector('dialog[open]');
    await screenshot('dataset-delete-confirm');
    await page.click('dialog[open] [data-action=cancel]');
    expect(existsSync(folder)).toBe(true);
    await page.click('[data-action=delete]');
    await afterRender(page, () => page.click('dialog[open] [data-action=confirm]'));
    expect(new URL(page.url()).hash).toBe('#/datasets');
    expect(existsSync(folder)).toBe(false);
  });

  it('browses a key-value store: keys with types and sizes, JSON, text and PNG previews, downloads', async () => {
    await open(page, '#/key-value-stores');
    await settled(page);
    expect(await texts('table.stores tbody tr td:nth-child(3)')).toEqual(['4']);
    await screenshot('key-value-stores');
    await afterRender(page, () => page.click('a.store-link'));
    const keys = await page
      .locator('table.keys tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(keys).toEqual([
      ['INPUT', 'application/json; charset=utf-8', expect.stringMatching(/ B$/)],
      ['blob', 'application/octet-stream', '5 B'],
      ['notes', 'text/plain; charset=utf-8', '27 B'],
      ['screenshot', 'image/png', `${seeded.png.length} B`],
    ]);

    await afterRender(page, () => page.click('table.keys a:text-is("INPUT")'));
    const json = await page.locator('pre[data-preview=json]').textContent();
    expect(json).toBe(
      JSON.stringify({ startUrls: [{ url: 'https://shop.example' }], maxPages: 10 }, null, 2),
    );
    await screenshot('kvs-json-preview');

    await afterRender(page, () => page.click('table.keys a:text-is("notes")'));
    const text = page.locator('pre[data-preview=text]');
    expect(await text.textContent()).toBe('Crawl notes\n<b>not bold</b>');
    expect(await text.locator('b').count()).toBe(0);
    await screenshot('kvs-text-preview');

    await afterRender(page, () => page.click('table.keys a:text-is("screenshot")'));
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('img.record-image');
      return img?.complete && img.naturalWidth > 0;
    });
    expect(await page.locator('img.record-image').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(
      48,
    );
    await screenshot('kvs-image-preview');

    await afterRender(page, () => page.click('table.keys a:text-is("blob")'));
    expect(await page.locator('.preview .notice').textContent()).toContain(
      'No preview for application/octet-stream',
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-action=download-record]'),
    ]);
    expect(await readFile((await download.path())!)).toEqual(Buffer.from([0, 1, 2, 3, 255]));
    await screenshot('kvs-binary');

    // A link to a record that is not on the page shown (here: filtered out) still previews it.
    await open(page, `#/key-value-stores/${seeded.storeId}?prefix=s&key=INPUT`);
    expect(await texts('table.keys tbody tr td:first-child')).toEqual(['screenshot']);
    expect(await page.locator('.preview h2').textContent()).toBe('INPUT');
    expect(await page.locator('pre[data-preview=json]').textContent()).toContain('"maxPages": 10');
  });

  it('shows a request queue: counts, states, filters and pages of requests', async () => {
    await open(page, '#/request-queues');
    await screenshot('request-queues');
    await afterRender(page, () => page.click('a.store-link'));
    const count = async (name: string) => page.locator(`[data-count=${name}] .card-value`).textContent();
    expect(await count('total')).toBe('120');
    expect(await count('pending')).toBe('80');
    expect(await count('handled')).toBe('40');
    expect(await count('locked')).toBe('3');
    await screenshot('queue-requests');

    const ids: string[] = [];
    const states: string[] = [];
    const collect = async () => {
      ids.push(
        ...(await page
          .locator('table.requests tbody tr')
          .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id') ?? ''))),
      );
      states.push(...(await texts('table.requests tbody tr .badge')));
    };
    await collect();
    expect(ids).toHaveLength(50);
    await afterRender(page, () => page.click('[data-page=next]'));
    await collect();
    await afterRender(page, () => page.click('[data-page=next]'));
    await collect();
    expect(await page.locator('[data-page=next]').getAttribute('aria-disabled')).toBe('true');
    expect(new Set(ids).size).toBe(seeded.requestCount);
    expect(states.filter((s) => s === 'handled')).toHaveLength(seeded.handledCount);
    expect(states.filter((s) => s === 'locked')).toHaveLength(3);
    await afterRender(page, () => page.click('[data-page=prev]'));
    expect(await page.locator('table.requests tbody tr').first().getAttribute('data-id')).toBe(ids[50]);

    await afterRender(page, () => page.click('[data-filter=locked]'));
    const locked = await page
      .locator('table.requests tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));
    expect(locked.sort()).toEqual([...seeded.lockedIds].sort());
    expect(new Set(await texts('table.requests tbody tr .badge'))).toEqual(new Set(['locked']));
    await screenshot('queue-locked');

    await page.locator('table.requests tbody tr td:first-child').first().click();
    await page.waitForSelector('dialog[open] pre.json');
    const request = JSON.parse((await page.locator('dialog[open] pre').textContent()) ?? '');
    expect(request.id).toBe(locked[0]);
    expect(request.url).toMatch(/^https:\/\/shop\.example\/page\/\d+$/);
    await page.click('dialog[open] [data-action=close]');
  });

  it('works without a token for storages opened by id, and asks for it where it is needed', async () => {
    const anonymous = await context.newPage();
    watch(anonymous);
    await anonymous.goto(`${url}/#/datasets`);
    await anonymous.waitForSelector('.notice-info');
    expect(await anonymous.locator('.notice-info strong').textContent()).toBe(
      "Listing datasets needs the server's token.",
    );
    await screenshot('no-token-list', anonymous);
    await afterRender(anonymous, async () => {
      await anonymous.fill('input[name=id]', seeded.datasetId);
      await anonymous.press('input[name=id]', 'Enter');
    });
    expect(await anonymous.locator('h1').textContent()).toBe('products-renamed');
    expect(await anonymous.locator('table.items tbody tr').count()).toBe(50);
    await open(anonymous, `#/key-value-stores/${seeded.storeId}?key=INPUT`);
    expect(await anonymous.locator('pre[data-preview=json]').textContent()).toContain('"maxPages": 10');
    await open(anonymous, `#/request-queues/${seeded.queueId}`);
    expect(await anonymous.locator('[data-count=locked] .card-value').textContent()).toBe('3');
    await open(anonymous, `#/datasets/${seeded.datasetId}/settings`);
    expect(await anonymous.locator('.notice-info strong').textContent()).toBe(
      "Renaming or deleting needs the server's token.",
    );
    await open(anonymous, `#/datasets/${seeded.datasetId}/api`);
    const writes = await anonymous.locator('tr[data-writes=true] .endpoint-url').allTextContents();
    for (const w of writes) expect(w).toContain('token=<token>');
    await screenshot('no-token-api', anonymous);
    await anonymous.close();
  });

  it('never put the token in a link or an address, and nothing failed', async () => {
    const entry = `${url}/?token=${TOKEN}`; // the URL serve prints: the only one that carries it
    for (const u of requested.filter((r) => r !== entry)) expect([u, u.includes(TOKEN)]).toEqual([u, false]);
    const links = await page
      .locator('[href], [src]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('href') ?? el.getAttribute('src') ?? ''));
    for (const link of links) expect(link).not.toContain(TOKEN);
    expect(problems).toEqual([]);
  });
});
