/**
 * The crawler code of the example: it knows nothing about where its storages live. Given no
 * client it writes to the local folder; given an `ApifyClient` it writes to whatever server that
 * client points at (`actor-storage serve`, or the Apify platform), with the same calls.
 */
import { Dataset, KeyValueStore, RequestQueue, type StorageClient } from '../../src/index.js';

/** What a run produced. */
export interface RunSummary {
  pagesHandled: number;
  itemCount: number;
  datasetId: string;
}

/** Stand-in for fetching a page: the example needs no network. */
function scrape(url: string): { title: string; links: string[] } {
  const { pathname } = new URL(url);
  const depth = pathname.split('/').filter(Boolean).length;
  const links =
    depth < 2 ? [1, 2, 3].map((n) => new URL(`${pathname.replace(/\/$/, '')}/${n}`, url).href) : [];
  return { title: `Page ${pathname}`, links };
}

/**
 * Crawls from `startUrl` two levels deep, one item per page, and saves its state. Storages are
 * named after `runName` so runs do not mix.
 */
export async function runCrawler(
  startUrl: string,
  runName: string,
  client?: StorageClient,
): Promise<RunSummary> {
  const options = client ? { client } : {};
  const queue = await RequestQueue.open(`${runName}-queue`, options);
  const dataset = await Dataset.open(`${runName}-pages`, options);
  const store = await KeyValueStore.open(`${runName}-state`, options);

  await queue.addRequest({ url: startUrl });
  let pagesHandled = 0;
  for (let request = await queue.fetchNextRequest(); request; request = await queue.fetchNextRequest()) {
    const page = scrape(request.url);
    await dataset.pushData({ url: request.url, title: page.title, links: page.links.length });
    await queue.addRequests(page.links.map((url) => ({ url })));
    await queue.markRequestHandled(request);
    pagesHandled++;
  }
  await store.setValue('STATE', { pagesHandled, finishedAt: new Date().toISOString() });
  const info = await dataset.getInfo();
  return { pagesHandled, itemCount: info?.itemCount ?? 0, datasetId: dataset.id };
}
