/**
 * Adds URLs to a queue from a separate process: `rq-adder.ts <storageDir> <queue> <worker> <workers> <total>`.
 * URL k (0 ≤ k < total) is added by worker k % workers and, when k < total / 2, also by worker
 * (k + 1) % workers — so half the URLs are added by two processes. Prints a JSON summary.
 */
import { RequestQueue } from '../../src/index.js';

const [storageDir, name, workerText, workersText, totalText] = process.argv.slice(2);
const worker = Number(workerText);
const workers = Number(workersText);
const total = Number(totalText);

/** URL number k, written in a form the queue normalises (upper-case host, trailing slash). */
const urlOf = (k: number) => `https://EXAMPLE.com/item/${k}/?utm_source=w${worker}`;

function* mine(): Generator<string> {
  for (let k = 0; k < total; k += 1) {
    if (k % workers === worker || (k < total / 2 && (k + 1) % workers === worker)) yield urlOf(k);
  }
}

const queue = await RequestQueue.open(name, { storageDir, clientKey: `adder-${worker}` });
const result = await queue.addRequests(mine());
const added = result.processedRequests.filter((p) => !p.wasAlreadyPresent).length;
process.stdout.write(
  `${JSON.stringify({ worker, sent: result.processedRequests.length, added, unprocessed: result.unprocessedRequests.length })}\n`,
);
