/**
 * The crawlers the Crawlee tests run against the fixture shop, with real Crawlee classes over
 * whatever storage client their `Configuration` carries.
 *
 * Each pushes one item per product page and keeps its counters in the key-value store
 * (`crawler.useState()`, saved as `CRAWLEE_STATE`). A run that resumes after a crash reads the
 * SKUs already in the dataset first and never pushes one twice: a page that was pushed but not yet
 * marked handled when the process died is fetched again, but its item is not written again. The
 * dataset is the authority because each push is one atomic item file; any marker kept elsewhere
 * could be written on one side of the crash and not the other.
 */
import {
  BasicCrawler,
  CheerioCrawler,
  type Configuration,
  Dataset,
  type FinalStatistics,
  LogLevel,
  log,
} from 'crawlee';
import { parse } from 'node-html-parser';

/** One scraped product, as pushed to the dataset. */
export type ProductItem = {
  url: string;
  sku: string;
  title: string;
  price: number;
  currency: string;
  category: string;
  brand: string;
  stock: number;
};

/** Counters kept in the key-value store through `crawler.useState()`. */
export interface CrawlState {
  pagesHandled: number;
  productsPushed: number;
  /** Product pages fetched again whose item was already in the dataset. */
  duplicatesSkipped: number;
}

/** How to run one crawl. */
export interface ShopCrawlOptions {
  startUrl: string;
  /** Carries the storage client (`new Configuration({ storageClient, purgeOnStart })`). */
  config: Configuration;
  /** @default 'cheerio' */
  kind?: 'cheerio' | 'basic';
  /** @default 5 */
  maxConcurrency?: number;
  /**
   * Stop the crawler (`crawler.stop()`) once this run has pushed this many items: pages in
   * progress finish, the rest of the queue stays for the next run (a half crawl).
   */
  stopAfterPushes?: number;
  /**
   * The handler that pushes this run's n-th item never returns afterwards, as if the process died
   * between pushing an item and marking its request handled (the tests kill it there).
   */
  stallAfterPush?: number;
}

export const INITIAL_STATE: CrawlState = { pagesHandled: 0, productsPushed: 0, duplicatesSkipped: 0 };

/** The product on a page, or `undefined` for other pages. */
export function extractProduct(html: string, url: string): ProductItem | undefined {
  const article = parse(html).querySelector('article.product');
  if (!article) return undefined;
  const text = (selector: string) => article.querySelector(selector)?.text.trim() ?? '';
  const price = article.querySelector('.price');
  return {
    url,
    sku: article.getAttribute('data-sku') ?? '',
    title: text('h1'),
    price: Number(price?.text.trim()),
    currency: price?.getAttribute('data-currency') ?? '',
    category: article.querySelector('.category')?.getAttribute('data-slug') ?? '',
    brand: article.querySelector('.brand')?.getAttribute('data-slug') ?? '',
    stock: Number(article.querySelector('.stock')?.getAttribute('data-stock')),
  };
}

/** Every `href` of a page. */
function hrefsOf(html: string): string[] {
  return parse(html)
    .querySelectorAll('a[href]')
    .map((a) => a.getAttribute('href') ?? '');
}

/** The SKUs already in the default dataset (after a crash, or when another client crawled before). */
async function skusOnDisk(config: Configuration): Promise<Set<string>> {
  const dataset = await Dataset.open(undefined, { config });
  const skus = new Set<string>();
  await dataset.forEach((item) => {
    skus.add(String(item.sku));
  });
  return skus;
}

/** What one run knows across its handlers. */
interface RunState {
  /** SKUs in the dataset: found there at start, or pushed by this run. */
  pushed: Set<string>;
  pushesThisRun: number;
  stallAfterPush: number | undefined;
  stopAfterPushes: number | undefined;
  /** Stops the crawler gracefully. */
  stop: () => void;
}

/** What both crawlers do with a fetched page once its links are enqueued. */
async function handlePage(
  run: RunState,
  page: { url: string; html: string; state: CrawlState; push: (item: ProductItem) => Promise<void> },
): Promise<void> {
  const product = extractProduct(page.html, page.url);
  if (product && run.pushed.has(product.sku)) {
    page.state.duplicatesSkipped += 1;
  } else if (product) {
    run.pushed.add(product.sku);
    await page.push(product);
    page.state.productsPushed += 1;
    run.pushesThisRun += 1;
    if (run.pushesThisRun === run.stopAfterPushes) run.stop();
    if (run.pushesThisRun === run.stallAfterPush) await new Promise<never>(() => undefined);
  }
  page.state.pagesHandled += 1;
}

function commonOptions(options: ShopCrawlOptions) {
  const concurrency = options.maxConcurrency ?? 5;
  return {
    minConcurrency: concurrency,
    maxConcurrency: concurrency,
    maxRequestRetries: 3,
  };
}

function basicCrawler(run: RunState, options: ShopCrawlOptions): BasicCrawler {
  const crawler = new BasicCrawler(
    {
      ...commonOptions(options),
      async requestHandler({ request, enqueueLinks, pushData }) {
        const response = await fetch(request.url);
        if (!response.ok) throw new Error(`HTTP ${response.status} for ${request.url}`);
        const html = await response.text();
        await enqueueLinks({ urls: hrefsOf(html), baseUrl: request.url, strategy: 'same-hostname' });
        const state = await crawler.useState<CrawlState>({ ...INITIAL_STATE });
        await handlePage(run, { url: request.url, html, state, push: (item) => pushData(item) });
      },
    },
    options.config,
  );
  return crawler;
}

function cheerioCrawler(run: RunState, options: ShopCrawlOptions): CheerioCrawler {
  const crawler = new CheerioCrawler(
    {
      ...commonOptions(options),
      async requestHandler({ request, body, enqueueLinks, pushData }) {
        await enqueueLinks({ strategy: 'same-hostname' });
        const state = await crawler.useState<CrawlState>({ ...INITIAL_STATE });
        const html = body.toString();
        await handlePage(run, { url: request.url, html, state, push: (item) => pushData(item) });
      },
    },
    options.config,
  );
  return crawler;
}

/**
 * Crawls the shop from `startUrl`: same-hostname links, one item per product. Returns Crawlee's
 * final statistics.
 */
export async function crawlShop(options: ShopCrawlOptions): Promise<FinalStatistics> {
  log.setLevel(LogLevel.ERROR);
  const run: RunState = {
    pushed: await skusOnDisk(options.config),
    pushesThisRun: 0,
    stallAfterPush: options.stallAfterPush,
    stopAfterPushes: options.stopAfterPushes,
    stop: () => crawler.stop(),
  };
  const crawler = options.kind === 'basic' ? basicCrawler(run, options) : cheerioCrawler(run, options);
  return crawler.run([options.startUrl]);
}
