/**
 * Opening storages from a new process: a folder of items and requests (every engine), a big
 * request queue (ours), and exporting a big dataset to CSV (ours against Crawlee's exportToCSV).
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { makeItems, numberOf, requestUrl } from '../data.js';
import { type EngineName, openEngine } from '../engines.js';
import { requestFileText, writeQueueFolder } from '../queue-fixture.js';
import {
  check,
  checkFifo,
  checkSequence,
  type Fixture,
  type Timed,
  timed,
  type Workload,
} from '../workload.js';
import { NAME, readFixture } from './dataset.js';

async function runOpenFolder(ctx: Parameters<Workload['run']>[0]): Promise<Timed> {
  const { value, seconds } = await timed(async () => {
    const { client, flush } = await openEngine(ctx.runner as EngineName, ctx.dir);
    const dataset = client.dataset((await client.datasets().getOrCreate(NAME)).id);
    const info = await dataset.get();
    const page = await dataset.listItems({ offset: 0, limit: 10 });
    const queue = client.requestQueue((await client.requestQueues().getOrCreate(NAME)).id);
    const queueInfo = await queue.get();
    const head = await queue.listHead({ limit: 10 });
    await flush();
    return { info, page, queueInfo, head };
  });
  check(value.info?.itemCount === ctx.scale.pushBatch, `itemCount ${value.info?.itemCount}`);
  checkSequence(
    value.page.items.map((item) => item.n as number),
    0,
    10,
    'first items',
  );
  check(value.queueInfo?.totalRequestCount === ctx.scale.queueFixture, 'queue total');
  const strict = checkFifo(
    value.head.items.map((item) => numberOf(item.url)),
    0,
    ctx.runner === 'ours',
    'queue head',
  );
  check(value.head.items.length === 10, `head of ${value.head.items.length} requests`);
  return { ops: 1, seconds, notes: { strictFifo: strict ? 'yes' : 'no' } };
}

/** A million items (at full scale) pushed by actor-storage in batches; Crawlee reads the same files. */
const bigDataset: Fixture = {
  id: 'big-dataset',
  shared: true,
  cacheKey: (scale) => String(scale.exportItems),
  async prepare(ctx) {
    const client = await fsClient(ctx.dir);
    const dataset = client.dataset((await client.datasets().getOrCreate(NAME)).id);
    const batch = 10_000;
    for (let at = 0; at < ctx.scale.exportItems; at += batch) {
      await dataset.pushItems(makeItems(at, Math.min(batch, ctx.scale.exportItems - at)));
    }
  },
};

/** Numbers of the product URLs in a CSV file, in file order (one URL per item row). */
async function csvItemNumbers(file: string): Promise<number[]> {
  const numbers: number[] = [];
  const re = /https:\/\/shop\.example\.com\/products\/(\d+)/;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const match = re.exec(line);
    if (match) numbers.push(Number(match[1]));
  }
  return numbers;
}

/** actor-storage's client, loaded on use (so that peers' processes do not carry it). */
async function fsClient(storageDir: string) {
  const { createFsClient } = await import('../../src/index.js');
  return createFsClient({ storageDir });
}

/** Key-value store both sides export into (Crawlee's exportToCSV stores its CSV as a record). */
const EXPORT_STORE = 'bench-export';

/** Ours: the streaming exporter over the dataset, into a key-value record (as Crawlee stores it). */
async function exportOurs(dir: string): Promise<number> {
  const { exportStream } = await import('../../src/export/index.js');
  const { createFsClient } = await import('../../src/index.js');
  return (
    await timed(async () => {
      const client = createFsClient({ storageDir: dir });
      const stream = await client.dataset(NAME).iterateItems();
      const store = client.keyValueStore((await client.keyValueStores().getOrCreate(EXPORT_STORE)).id);
      await store.setRecord({
        key: 'OUT',
        value: exportStream('csv', stream.items),
        contentType: 'text/csv',
      });
      await client.teardown();
    })
  ).seconds;
}

/** Crawlee's own path: Dataset.exportToCSV over memory-storage (all items, then one CSV record). */
async function exportCrawlee(dir: string): Promise<number> {
  const { MemoryStorage } = await import('@crawlee/memory-storage');
  const { Configuration, Dataset } = await import('crawlee');
  return (
    await timed(async () => {
      const storageClient = new MemoryStorage({ localDataDirectory: dir });
      const config = new Configuration({ storageClient });
      const dataset = await Dataset.open(NAME, { config });
      await dataset.exportToCSV('OUT', { toKVS: EXPORT_STORE });
      await storageClient.teardown();
    })
  ).seconds;
}

async function runExport(ctx: Parameters<Workload['run']>[0]): Promise<Timed> {
  const out = join(ctx.dir, 'key_value_stores', EXPORT_STORE);
  await rm(out, { recursive: true, force: true });
  const seconds = ctx.runner === 'ours' ? await exportOurs(ctx.dir) : await exportCrawlee(ctx.dir);
  checkSequence(await csvItemNumbers(join(out, 'OUT.csv')), 0, ctx.scale.exportItems, 'exported rows');
  await rm(out, { recursive: true, force: true });
  return { ops: ctx.scale.exportItems, seconds };
}

/**
 * A queue of `bigQueue` requests, half of them handled, written straight to disk in the request
 * file format (as @crawlee/memory-storage writes it), then opened once by actor-storage, which
 * indexes it (the one-time scan any queue written by another tool gets).
 */
const bigQueue: Fixture = {
  id: 'big-queue',
  shared: true,
  cacheKey: (scale) => String(scale.bigQueue),
  async prepare(ctx) {
    const count = ctx.scale.bigQueue;
    const folder = join(ctx.dir, 'request_queues', NAME);
    await writeQueueFolder(folder, { id: 'benchQueue0000001', name: NAME }, count, (n, now) => {
      const url = requestUrl(n);
      return { uniqueKey: url, text: requestFileText(n, url, url, n < count / 2 ? now : undefined) };
    });
    const client = await fsClient(ctx.dir);
    await client.requestQueue(NAME).get();
    await client.teardown();
  },
};

async function runBigQueueOpen(ctx: Parameters<Workload['run']>[0]): Promise<Timed> {
  const count = ctx.scale.bigQueue;
  const { value: head, seconds } = await timed(async () => {
    const client = await fsClient(ctx.dir);
    return client.requestQueue(NAME, { clientKey: 'bench' }).listHead({ limit: 10 });
  });
  const rssMB = Math.round(process.memoryUsage().rss / 2 ** 20);
  checkSequence(
    head.items.map((item) => numberOf(item.url)),
    count / 2,
    10,
    'head of the big queue',
  );
  const info = await (await fsClient(ctx.dir)).requestQueue(NAME).get();
  check(info?.totalRequestCount === count, `big queue total ${info?.totalRequestCount}`);
  check(info?.handledRequestCount === count / 2, `big queue handled ${info?.handledRequestCount}`);
  return { ops: 1, seconds, notes: { requests: count, rssAfterHeadMB: rssMB } };
}

export const openWorkloads: Workload[] = [
  {
    id: 'open-folder',
    title: 'Open a folder of items and requests, first page and head (new process)',
    unit: 'opens',
    runners: ['ours', 'memory-storage', 'storage-local'],
    size: () => 1,
    fixture: readFixture,
    run: runOpenFolder,
  },
  {
    id: 'export-csv',
    title: 'Export a dataset to CSV (new process)',
    unit: 'items',
    runners: ['ours', 'memory-storage'],
    size: (s) => s.exportItems,
    fixture: bigDataset,
    run: runExport,
  },
  {
    id: 'rq-open-big',
    title: 'Cold open of a big request queue (half handled) → first listHead',
    unit: 'opens',
    runners: ['ours'],
    size: () => 1,
    fixture: bigQueue,
    run: runBigQueueOpen,
  },
];
