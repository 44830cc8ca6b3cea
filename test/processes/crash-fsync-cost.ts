/**
 * What `fsync: true` costs: the same writes with and without it, one after another (each awaited,
 * as a crawler does), on a temp folder of the disk `os.tmpdir()` is on. Prints one JSON line.
 *
 * Usage: node --import tsx test/processes/crash-fsync-cost.ts [seconds per measure, default 5]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsClient } from '../../src/index.js';

const seconds = Number(process.argv[2] ?? 5);

/** Runs `op` again and again for `seconds`; returns operations per second. */
async function rate(op: (i: number) => Promise<void>): Promise<number> {
  const until = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  let count = 0;
  while (Date.now() < until) await op(count++);
  return Math.round(count / (Number(process.hrtime.bigint() - started) / 1e9));
}

async function measure(fsync: boolean): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'actor-storage-fsync-'));
  try {
    const client = createFsClient({ storageDir: dir, fsync });
    const { id: datasetId } = await client.datasets().getOrCreate('d');
    const dataset = client.dataset(datasetId);
    const { id: storeId } = await client.keyValueStores().getOrCreate('k');
    const store = client.keyValueStore(storeId);
    const { id: queueId } = await client.requestQueues().getOrCreate('q');
    const queue = client.requestQueue(queueId);
    const item = (i: number) => ({ i, title: `Item ${i}`, price: i * 1.5, tags: ['a', 'b'] });
    const result = {
      pushesPerSec: await rate((i) => dataset.pushItems(item(i))),
      itemsPerSecIn100Batches:
        100 *
        (await rate((i) => dataset.pushItems(Array.from({ length: 100 }, (_, j) => item(i * 100 + j))))),
      setRecordsPerSec: await rate((i) => store.setRecord({ key: `r${i % 500}`, value: item(i) })),
      addRequestsPerSec: await rate(async (i) => {
        await queue.addRequest({ url: `https://example.com/${fsync}/${i}`, uniqueKey: `u${i}` });
      }),
    };
    await client.teardown();
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const without = await measure(false);
const withFsync = await measure(true);
const slowdown = Object.fromEntries(
  Object.entries(without).map(([k, v]) => [k, Math.round((v / (withFsync[k] ?? 1)) * 10) / 10]),
);
process.stdout.write(`${JSON.stringify({ seconds, without, withFsync, slowdown })}\n`);
