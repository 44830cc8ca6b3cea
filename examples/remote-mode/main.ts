/**
 * Remote mode: the same crawler code writes to a storage server over HTTP.
 *
 *   node --import tsx examples/remote-mode/main.ts
 *       starts a local `actor-storage` server in this process (over ./apify_storage by default)
 *       and runs the crawler against it through the official apify-client;
 *   APIFY_API_BASE_URL=http://127.0.0.1:8200 APIFY_TOKEN=… node --import tsx examples/remote-mode/main.ts
 *       uses a server that is already running (`actor-storage serve` prints its URL and token);
 *   APIFY_API_BASE_URL=https://api.apify.com APIFY_TOKEN=… node --import tsx examples/remote-mode/main.ts
 *       writes to the Apify platform instead.
 */
import { ApifyClient } from 'apify-client';
import { type ActorStorageServer, createServer, resolveConfig } from '../../src/index.js';
import { runCrawler } from './crawler.js';

async function main(): Promise<void> {
  let server: ActorStorageServer | undefined;
  let baseUrl = process.env.APIFY_API_BASE_URL;
  let token = process.env.APIFY_TOKEN;
  if (!baseUrl) {
    server = createServer({ storageDir: resolveConfig().storageDir });
    baseUrl = await server.listen(0);
    token = server.token;
    console.log(`Started a local storage server at ${baseUrl}`);
  }
  try {
    // The only line that differs from local mode: an ApifyClient where a storage client goes.
    const client = new ApifyClient({ baseUrl, token });
    const summary = await runCrawler('https://shop.example.com/', 'remote-example', client);
    console.log(
      `Handled ${summary.pagesHandled} pages; dataset ${summary.datasetId} holds ${summary.itemCount} items.`,
    );
    const first = await client.dataset(summary.datasetId).listItems({ limit: 3 });
    console.log('First items, read back over HTTP:', first.items);
  } finally {
    await server?.close();
  }
}

await main();
