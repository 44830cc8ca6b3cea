/** Dataset workloads: pushing one by one and in batches, reading page by page and one middle page. */
import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeItem, makeItems, makeRequest } from '../data.js';
import { type EngineName, openEngine } from '../engines.js';
import {
  check,
  checkSequence,
  type Fixture,
  type Timed,
  timed,
  type Workload,
  type WorkloadContext,
} from '../workload.js';

const ENGINES = ['ours', 'memory-storage', 'storage-local'] as const;
/** Name of the dataset (and queue) every workload uses. */
export const NAME = 'bench';
/** Requests per batch: 25, the most the Apify API and actor-storage take in one call. */
export const REQUEST_BATCH = 25;

/**
 * Checks the item files on disk (the layout all three engines share): exactly `count` numbered
 * files, and a sample of them holding the right item.
 */
export function checkItemFiles(dir: string, count: number): void {
  const folder = join(dir, 'datasets', NAME);
  const numbered = readdirSync(folder).filter((name) => /^\d+\.json$/.test(name));
  check(numbered.length === count, `${numbered.length} item files on disk, expected ${count}`);
  const step = Math.max(1, Math.floor(count / 200));
  for (let n = 1; n <= count; n += step) {
    const file = join(folder, `${String(n).padStart(9, '0')}.json`);
    const item = JSON.parse(readFileSync(file, 'utf8')) as { n: number };
    check(item.n === n - 1, `item file ${n} holds item ${item.n}`);
  }
}

async function pushSingle(ctx: WorkloadContext): Promise<Timed> {
  const count = ctx.scale.pushSingle;
  const { seconds } = await timed(async () => {
    const { client, flush } = await openEngine(ctx.runner as EngineName, ctx.dir);
    const { id } = await client.datasets().getOrCreate(NAME);
    const dataset = client.dataset(id);
    for (let i = 0; i < count; i++) await dataset.pushItems(makeItem(i));
    await flush();
  });
  checkItemFiles(ctx.dir, count);
  return { ops: count, seconds };
}

async function pushBatches(ctx: WorkloadContext): Promise<Timed> {
  const { pushBatch: count, batchSize } = ctx.scale;
  const batches = Array.from({ length: Math.ceil(count / batchSize) }, (_, b) =>
    makeItems(b * batchSize, Math.min(batchSize, count - b * batchSize)),
  );
  const { seconds } = await timed(async () => {
    const { client, flush } = await openEngine(ctx.runner as EngineName, ctx.dir);
    const { id } = await client.datasets().getOrCreate(NAME);
    const dataset = client.dataset(id);
    for (const batch of batches) await dataset.pushItems(batch);
    await flush();
  });
  checkItemFiles(ctx.dir, count);
  return { ops: count, seconds };
}

/** Adds requests `0…count-1` in batches of 25 to the queue `bench`. */
export async function addRequests(ctx: WorkloadContext, count: number): Promise<void> {
  const { client, flush } = await openEngine(ctx.runner as EngineName, ctx.dir);
  const queue = client.requestQueue((await client.requestQueues().getOrCreate(NAME)).id);
  for (let at = 0; at < count; at += REQUEST_BATCH) {
    const batch = Array.from({ length: Math.min(REQUEST_BATCH, count - at) }, (_, i) => makeRequest(at + i));
    const result = await queue.batchAddRequests(batch);
    check(result.unprocessedRequests.length === 0, 'fixture requests left unprocessed');
  }
  await flush();
}

/** Pushes items `0…pushBatch-1` in batches into the dataset `bench`. */
async function pushFixtureItems(ctx: WorkloadContext): Promise<void> {
  const { pushBatch: count, batchSize } = ctx.scale;
  const { client, flush } = await openEngine(ctx.runner as EngineName, ctx.dir);
  const dataset = client.dataset((await client.datasets().getOrCreate(NAME)).id);
  for (let at = 0; at < count; at += batchSize) {
    await dataset.pushItems(makeItems(at, Math.min(batchSize, count - at)));
  }
  await flush();
}

/**
 * The read fixture: `pushBatch` items (in batches) and `queueFixture` requests, written once by
 * actor-storage in the layout it shares with memory-storage (which reads the same item and request
 * files). storage-local writes its own: its queue lives in SQLite, and it cannot open a dataset
 * folder that holds a `__metadata__.json` (it takes the last file name as the item count).
 */
export const readFixture: Fixture = {
  id: 'items-and-requests',
  base: {
    id: 'items-and-requests',
    async prepare(ctx) {
      await pushFixtureItems({ ...ctx, runner: 'ours' });
      await addRequests({ ...ctx, runner: 'ours' }, ctx.scale.queueFixture);
    },
  },
  async prepare(ctx) {
    if (ctx.runner !== 'storage-local') return;
    await rm(join(ctx.dir, 'datasets', NAME), { recursive: true, force: true });
    await rm(join(ctx.dir, 'request_queues', NAME), { recursive: true, force: true });
    await pushFixtureItems(ctx);
    await addRequests(ctx, ctx.scale.queueFixture);
  },
};

async function readPages(ctx: WorkloadContext): Promise<Timed> {
  const { pushBatch: count, pageSize } = ctx.scale;
  const seen: number[] = [];
  const { seconds } = await timed(async () => {
    const { client, flush } = await openEngine(ctx.runner as EngineName, ctx.dir);
    const dataset = client.dataset((await client.datasets().getOrCreate(NAME)).id);
    for (let offset = 0; offset < count; offset += pageSize) {
      const page = await dataset.listItems({ offset, limit: pageSize });
      for (const item of page.items) seen.push(item.n as number);
    }
    await flush();
  });
  checkSequence(seen, 0, count, 'items read page by page');
  return { ops: count, seconds };
}

async function readMiddlePage(ctx: WorkloadContext): Promise<Timed> {
  const { pushBatch: count, pageSize } = ctx.scale;
  const offset = Math.floor(count / 2);
  const { value: page, seconds } = await timed(async () => {
    const { client, flush } = await openEngine(ctx.runner as EngineName, ctx.dir);
    const dataset = client.dataset((await client.datasets().getOrCreate(NAME)).id);
    const result = await dataset.listItems({ offset, limit: pageSize });
    await flush();
    return result;
  });
  check(page.total === count, `total ${page.total}, expected ${count}`);
  checkSequence(
    page.items.map((item) => item.n as number),
    offset,
    pageSize,
    'items of the middle page',
  );
  return { ops: pageSize, seconds };
}

export const datasetWorkloads: Workload[] = [
  {
    id: 'dataset-push-single',
    title: 'Dataset: push one by one',
    unit: 'items',
    runners: ENGINES,
    size: (s) => s.pushSingle,
    run: pushSingle,
  },
  {
    id: 'dataset-push-batch',
    title: 'Dataset: push in batches of 1,000',
    unit: 'items',
    runners: ENGINES,
    size: (s) => s.pushBatch,
    run: pushBatches,
  },
  {
    id: 'dataset-read-pages',
    title: 'Dataset: read page by page (new process)',
    unit: 'items',
    runners: ENGINES,
    size: (s) => s.pushBatch,
    fixture: readFixture,
    run: readPages,
  },
  {
    id: 'dataset-read-middle',
    title: 'Dataset: one page at a middle offset (new process)',
    unit: 'items',
    runners: ENGINES,
    size: (s) => s.pageSize,
    fixture: readFixture,
    run: readMiddlePage,
  },
];
