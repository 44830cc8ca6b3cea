/**
 * A Crawlee consumer that takes requests and then hangs, for test/crawlee-locks.test.ts:
 *
 *   node --import tsx test/processes/crawl-locker.ts <storageDir> <count>
 *
 * Adds `count` requests to the default queue, fetches one (Crawlee locks the head in batches, so
 * this locks them all), prints `locked` and waits until it is killed.
 */
import { Configuration, RequestQueue } from 'crawlee';
import { createFsClient } from '../../src/index.js';

const [storageDir = '', count = '5'] = process.argv.slice(2);
const config = new Configuration({ storageClient: createFsClient({ storageDir }), purgeOnStart: false });
const queue = await RequestQueue.open(undefined, { config });
await queue.addRequests(
  Array.from({ length: Number(count) }, (_, i) => ({ url: `https://shop.example/${i}` })),
);
const request = await queue.fetchNextRequest();
console.log(request ? 'locked' : 'nothing');
setInterval(() => undefined, 60_000);
