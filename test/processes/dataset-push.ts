/**
 * Child process of the dataset concurrency tests. Pushes `count` items `{ worker, seq }` into one
 * dataset in batches of varying size, two pushes in flight, then exits (with `exit`: calls
 * `process.exit(0)` the moment the last push is acknowledged).
 * Usage: node --import tsx dataset-push.ts <storageDir> <dataset> <worker> <count|forever> [batch] [exit]
 */
import { createFsClient } from '../../src/index.js';

const [storageDir, name, workerArg, countArg, batchArg, exitArg] = process.argv.slice(2);
if (!storageDir || !name || !workerArg || !countArg) {
  process.stderr.write('usage: dataset-push.ts <storageDir> <dataset> <worker> <count|forever> [batch]\n');
  process.exit(2);
}
const worker = Number(workerArg);
const count = countArg === 'forever' ? Number.POSITIVE_INFINITY : Number(countArg);
const fixedBatch = batchArg === undefined || batchArg === '-' ? undefined : Number(batchArg);

const client = createFsClient({ storageDir });
await client.datasets().getOrCreate(name);
const dataset = client.dataset(name);

let seq = 0;
let round = 0;
const inFlight = new Set<Promise<void>>();
while (seq < count) {
  round += 1;
  const size = Math.min(fixedBatch ?? 1 + ((round * 37 + worker * 11) % 60), count - seq);
  const items = Array.from({ length: size }, () => ({ worker, seq: seq++, pad: 'x'.repeat(worker * 10) }));
  const push = dataset.pushItems(items);
  inFlight.add(push);
  void push.finally(() => inFlight.delete(push));
  if (inFlight.size >= 2) await Promise.race(inFlight);
}
await Promise.all(inFlight);
if (exitArg === 'exit') process.exit(0);
process.stdout.write(`worker ${worker} pushed ${seq}\n`);
