/** The crawl loop of the example actor: a few workers share one request queue. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dataset, KeyValueStore, RequestQueue } from '../../src/index.js';
import { extractPage } from './extract.js';
import type { ActorInput } from './input.js';

export interface CrawlStats {
  pagesHandled: number;
  productsPushed: number;
  retries: number;
  failedPages: string[];
}

interface CrawlContext {
  queue: RequestQueue;
  dataset: Dataset;
  store: KeyValueStore;
  input: ActorInput;
  startUrl: string;
  stats: CrawlStats;
}

type QueuedRequest = NonNullable<Awaited<ReturnType<RequestQueue['fetchNextRequest']>>>;

/** Crawls until the queue is finished (or `maxPages` pages were handled); returns what happened. */
export async function crawl(ctx: Omit<CrawlContext, 'stats'>, stats: CrawlStats): Promise<CrawlStats> {
  const full: CrawlContext = { ...ctx, stats };
  await Promise.all(Array.from({ length: ctx.input.concurrency }, () => worker(full)));
  return stats;
}

async function worker(ctx: CrawlContext): Promise<void> {
  const { queue, input, stats } = ctx;
  for (;;) {
    if (input.maxPages > 0 && stats.pagesHandled >= input.maxPages) return;
    const request = await queue.fetchNextRequest();
    if (!request) {
      if (await queue.isFinished()) return;
      await sleep(20); // another worker holds the last requests; they may enqueue more
      continue;
    }
    try {
      await handlePage(ctx, request);
      await queue.markRequestHandled(request);
      stats.pagesHandled += 1;
    } catch (err) {
      await handleFailure(ctx, request, err as Error);
    }
  }
}

async function handlePage(ctx: CrawlContext, request: QueuedRequest): Promise<void> {
  const response = await fetch(request.url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${request.url}`);
  const html = await response.text();
  const { product, links } = extractPage(html, request.url);
  await ctx.queue.addRequests(links.map((url) => ({ url })));
  if (product) {
    await ctx.dataset.pushData(product);
    ctx.stats.productsPushed += 1;
  }
  if (request.url === ctx.startUrl) {
    await ctx.store.setValue(ctx.input.snapshotKey, html, { contentType: 'text/html; charset=utf-8' });
  }
}

async function handleFailure(ctx: CrawlContext, request: QueuedRequest, err: Error): Promise<void> {
  const retryCount = (request.retryCount ?? 0) + 1;
  const errorMessages = [...(request.errorMessages ?? []), err.message];
  if (retryCount > ctx.input.maxRetries) {
    ctx.stats.failedPages.push(request.url);
    await ctx.queue.markRequestHandled({ ...request, retryCount, errorMessages });
    return;
  }
  ctx.stats.retries += 1;
  await ctx.queue.reclaimRequest({ ...request, retryCount, errorMessages });
}
