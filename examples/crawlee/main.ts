/**
 * Crawlee and the Apify SDK on actor-storage: an actor that crawls a shop with a CheerioCrawler and
 * keeps its input, queue, results and state in ./apify_storage (or APIFY_LOCAL_STORAGE_DIR), as
 * plain folders that Crawlee's own storage can open too.
 *
 *   node --import tsx examples/crawlee/main.ts
 *
 * With no `startUrl` in its INPUT it serves the bundled fixture shop on 127.0.0.1 and crawls that.
 * Like any Crawlee run it starts by emptying the default storages (INPUT stays); run it with
 * CRAWLEE_PURGE_ON_START=0 to continue an interrupted crawl instead: handled pages are not fetched
 * again, and products already in the dataset are not pushed again.
 */
import { Actor } from 'apify';
import { CheerioCrawler } from 'crawlee';
import { startShopServer } from '../../fixtures/shop/server.js';
import { createFsClient } from '../../src/index.js'; // from 'actor-storage' in your project

interface Input {
  startUrl?: string;
  maxConcurrency?: number;
}

const storage = createFsClient();
await Actor.init({ storage });

const input = (await Actor.getInput<Input>()) ?? {};
const shop = input.startUrl ? undefined : await startShopServer();
const startUrl = input.startUrl ?? `${shop?.url}/`;

// SKUs already pushed (by an interrupted run): pushing an item and marking its page handled are
// two writes, so a page in progress at a crash is fetched again; the dataset tells it was pushed.
const dataset = await Actor.openDataset();
const pushed = new Set<string>();
await dataset.forEach((item) => {
  pushed.add(String(item.sku));
});
const state = await Actor.useState('STATE', { pagesHandled: 0, productsPushed: 0 });

const crawler = new CheerioCrawler({
  maxConcurrency: input.maxConcurrency ?? 8,
  async requestHandler({ request, $, enqueueLinks, pushData }) {
    await enqueueLinks(); // links to the same hostname; duplicates, utm_* and #fragments fold together
    state.pagesHandled += 1;
    const product = $('article.product');
    const sku = product.attr('data-sku');
    if (!sku || pushed.has(sku)) return;
    pushed.add(sku);
    const price = product.find('.price');
    await pushData({
      url: request.loadedUrl ?? request.url,
      sku,
      title: product.find('h1').text().trim(),
      price: Number(price.text()),
      currency: price.attr('data-currency'),
    });
    state.productsPushed += 1;
  },
});
await crawler.run([startUrl]);

const queue = await Actor.openRequestQueue();
const summary = {
  startUrl,
  pagesHandled: (await queue.getInfo())?.handledRequestCount,
  products: (await dataset.getInfo())?.itemCount,
};
await Actor.setValue('OUTPUT', summary);
console.log(`${summary.pagesHandled} pages, ${summary.products} products in ${storage.storageDir}`);
await shop?.close();
await Actor.exit();
