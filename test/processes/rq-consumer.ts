/**
 * Consumes a queue from a separate process:
 * `rq-consumer.ts <storageDir> <queue> <clientKey> <log> <lockSecs> <stopFile>`.
 * Appends the id of every request it marks handled (when the queue confirms it was not handled
 * before) to <log>, one per line. Stops once <stopFile> exists (the adders are done) and the
 * queue is finished.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { RequestQueue } from '../../src/index.js';

const [storageDir, name, clientKey, log, lockSecs, stopFile] = process.argv.slice(2);
const queue = await RequestQueue.open(name, { storageDir, clientKey, lockSecs: Number(lockSecs) });

let handled = 0;
for (;;) {
  const request = await queue.fetchNextRequest();
  if (request) {
    const info = await queue.markRequestHandled(request);
    if (!info.wasAlreadyHandled) {
      appendFileSync(log as string, `${request.id}\n`);
      handled += 1;
    }
    continue;
  }
  if (existsSync(stopFile as string) && (await queue.isFinished())) break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
process.stdout.write(`${JSON.stringify({ handled })}\n`);
