/**
 * A queue consumer that logs every request it is handed (`F <id>`) and every one it marks handled
 * (`H <id>`), so that two consumers' logs show whether a request was ever handed out twice.
 * Stops once <stopFile> exists and the queue is finished.
 *
 * Usage: node --import tsx crash-rq-consumer.ts <storageDir> <queue> <clientKey> <log> <stopFile>
 */
import { appendFileSync, existsSync } from 'node:fs';
import { RequestQueue } from '../../src/index.js';

const [storageDir, name, clientKey, log, stopFile] = process.argv.slice(2);
if (!storageDir || !name || !clientKey || !log || !stopFile) {
  process.stderr.write('usage: crash-rq-consumer.ts <storageDir> <queue> <clientKey> <log> <stopFile>\n');
  process.exit(2);
}
const queue = await RequestQueue.open(name, { storageDir, clientKey, lockSecs: 120 });
for (;;) {
  const request = await queue.fetchNextRequest();
  if (request) {
    appendFileSync(log, `F ${request.id}\n`);
    await queue.markRequestHandled(request);
    appendFileSync(log, `H ${request.id}\n`);
    continue;
  }
  if (existsSync(stopFile) && (await queue.isFinished())) break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
