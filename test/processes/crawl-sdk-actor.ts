/**
 * A small Apify SDK actor on the fs engine, for test/sdk-actor.test.ts. Its storage folder comes
 * from APIFY_LOCAL_STORAGE_DIR, purging from CRAWLEE_PURGE_ON_START as for any local run.
 *
 *   APIFY_LOCAL_STORAGE_DIR=<dir> node --import tsx test/processes/crawl-sdk-actor.ts
 *
 * INPUT: `{ items: object[], urls: string[] }`. It pushes the items, writes OUTPUT (JSON) and
 * `picture` (PNG bytes), adds the URLs to the default request queue and handles the first one,
 * counts its runs in the named store `settings`, and prints what it read as one line of JSON.
 */
import { Actor } from 'apify';
import { createFsClient } from '../../src/index.js';

interface Input {
  items?: Record<string, unknown>[];
  urls?: string[];
}

await Actor.init({ storage: createFsClient() });
const input = await Actor.getInput<Input>();
await Actor.pushData(input?.items ?? []);
await Actor.setValue('OUTPUT', { itemsPushed: input?.items?.length ?? 0 });
await Actor.setValue('picture', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]), {
  contentType: 'image/png',
});

const queue = await Actor.openRequestQueue();
await queue.addRequests((input?.urls ?? []).map((url) => ({ url })));
const first = await queue.fetchNextRequest();
if (first) await queue.markRequestHandled(first);

const settings = await Actor.openKeyValueStore('settings');
const runs = ((await settings.getValue<number>('runs')) ?? 0) + 1;
await settings.setValue('runs', runs);

const queueInfo = await queue.getInfo();
const datasetInfo = await (await Actor.openDataset()).getInfo();
console.log(
  JSON.stringify({
    input,
    runs,
    itemCount: datasetInfo?.itemCount,
    handledRequestCount: queueInfo?.handledRequestCount,
    totalRequestCount: queueInfo?.totalRequestCount,
  }),
);
await Actor.exit();
