/**
 * The example actor: crawls the bundled fixture shop offline and keeps everything in ./apify_storage.
 *
 *   npm start          (builds, then runs dist/examples/shop-actor/main.js)
 *
 * It serves fixtures/shop on 127.0.0.1, reads INPUT from the default key-value store, crawls with the
 * default request queue, pushes one item per product to the default dataset, saves a snapshot of the
 * start page and its state in the key-value store, exports the dataset to CSV and prints a summary.
 */
import { join, relative } from 'node:path';
import { startShopServer } from '../../fixtures/shop/server.js';
import { createFsClient, Dataset, KeyValueStore, RequestQueue, resolveConfig } from '../../src/index.js';
import { type CrawlStats, crawl } from './crawl.js';
import { readInput } from './input.js';

const STATE_KEY = 'STATE';

/** What the actor keeps in the key-value store to resume. */
interface CrawlState {
  shopPort: number;
  stats: CrawlStats;
  finished: boolean;
  savedAt: string;
}

async function main(): Promise<void> {
  const { storageDir } = resolveConfig();
  const input = await readInput(storageDir);
  if (!input.resume) await createFsClient({ storageDir }).purge();

  const store = await KeyValueStore.open(undefined, { storageDir });
  const previous = input.resume ? await store.getValue<CrawlState>(STATE_KEY) : undefined;
  // The queue holds absolute URLs: a resumed crawl serves the shop on the port it used before.
  const shop = await startShopServer({ port: previous?.shopPort ?? 0 });
  try {
    const startUrl = new URL(input.startPath, shop.url).href;
    const [queue, dataset] = await Promise.all([
      RequestQueue.open(undefined, { storageDir }),
      Dataset.open(undefined, { storageDir }),
    ]);
    const stats: CrawlStats = previous?.stats ?? {
      pagesHandled: 0,
      productsPushed: 0,
      retries: 0,
      failedPages: [],
    };
    const saveState = (finished: boolean) =>
      store.setValue(STATE_KEY, { shopPort: shop.port, stats, finished, savedAt: new Date().toISOString() });
    await saveState(false);
    await queue.addRequest({ url: startUrl });
    console.log(`Crawling ${startUrl} (${input.resume ? 'resuming' : 'fresh start'}) into ${storageDir}`);

    await crawl({ queue, dataset, store, input, startUrl }, stats);
    await saveState(true);

    const csvPath = join(storageDir, input.exportCsv);
    await dataset.exportToFile(csvPath, 'csv');
    await printSummary({ storageDir, csvPath, dataset, queue, stats, snapshotKey: input.snapshotKey });
  } finally {
    await shop.close();
  }
}

interface SummaryFacts {
  storageDir: string;
  csvPath: string;
  dataset: Dataset;
  queue: RequestQueue;
  stats: CrawlStats;
  snapshotKey: string;
}

async function printSummary(facts: SummaryFacts): Promise<void> {
  const { storageDir, csvPath, dataset, queue, stats, snapshotKey } = facts;
  const info = await dataset.getInfo();
  const queueInfo = await queue.getInfo();
  const rel = (path: string) => relative(process.cwd(), path) || '.';
  const lines = [
    '',
    `Done: ${info?.itemCount ?? 0} products in the dataset, ${queueInfo?.handledRequestCount ?? 0} pages handled, ` +
      `${stats.retries} retries, ${stats.failedPages.length} pages given up.`,
    '',
    'Where to look:',
    `  ${rel(join(storageDir, 'datasets', 'default'))}/            one JSON file per product (000000001.json …)`,
    `  ${rel(csvPath)}                 the dataset as CSV`,
    `  ${rel(join(storageDir, 'key_value_stores', 'default'))}/    INPUT.json, STATE.json, ${snapshotKey}.html`,
    `  ${rel(join(storageDir, 'request_queues', 'default'))}/      one JSON file per page visited`,
    '',
    'Next:',
    '  npm run cli -- ls --all                 list the storages',
    '  npm run cli -- items default --limit 3  read a few products',
    '  npm run cli -- serve                    browse them in a storage browser and over the Apify API v2',
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
