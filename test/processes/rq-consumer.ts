/**
 * Consumes a queue from a separate process: `rq-consumer.ts <storageDir> <queue> <clientKey> <log> <lockSecs> [idleMs]`.
 * Appends the id of every request it marks handled (after the queue confirmed it was not handled
 * before) to <log>, one per line. Stops when the queue is finished and stayed idle for idleMs
 * (adders may still be running when it starts).
 */
import { appendFileSync } from 'node:fs';
import { RequestQueue } from '../../src/index.js';

const [storageDir, name, clientKey, log, lockSecsText, idleText] = process.argv.slice(2);
const idleMs = Number(idleText ?? 1500);
const queue = await RequestQueue.open(name, { storageDir, clientKey, lockSecs: Number(lockSecsText) });

let idleSince = Date.now();
for (;;) {
  const request = await queue.fetchNextRequest();
  if (request) {
    const info = await queue.markRequestHandled(request);
    if (!info.wasAlreadyHandled) appendFileSync(log as string, `${request.id}\n`);
    idleSince = Date.now();
    continue;
  }
  if ((await queue.isFinished()) && Date.now() - idleSince > idleMs) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
process.stdout.write(`${JSON.stringify({ done: true })}\n`);
