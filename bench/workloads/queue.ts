/** Request queue workloads: adding one by one and in batches with duplicates, processing the head. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeRequest, numberOf } from '../data.js';
import { type BenchClient, type EngineName, openEngine } from '../engines.js';
import {
  check,
  checkFifo,
  type Fixture,
  type Timed,
  timed,
  type Workload,
  type WorkloadContext,
} from '../workload.js';
import { addRequests, NAME, REQUEST_BATCH } from './dataset.js';

const ENGINES = ['ours', 'memory-storage', 'storage-local'] as const;
/** Share of the batch-added requests that are already in the queue. */
const DUPLICATE_EVERY = 5;

export type Queue = ReturnType<BenchClient['requestQueue']>;
type QueueInfo = Awaited<ReturnType<Queue['get']>>;

async function openQueue(ctx: WorkloadContext): Promise<{ queue: Queue; flush: () => Promise<void> }> {
  const { client, flush } = await openEngine(ctx.runner as EngineName, ctx.dir);
  const { id } = await client.requestQueues().getOrCreate(NAME);
  return { queue: client.requestQueue(id, { clientKey: 'bench' }), flush };
}

/** Adds requests `from…from+count-1` in batches; returns how many were already present. */
async function addInBatches(queue: Queue, numbers: readonly number[]): Promise<number> {
  let present = 0;
  for (let at = 0; at < numbers.length; at += REQUEST_BATCH) {
    const batch = numbers.slice(at, at + REQUEST_BATCH).map(makeRequest);
    const result = await queue.batchAddRequests(batch);
    check(result.unprocessedRequests.length === 0, 'requests left unprocessed');
    for (const r of result.processedRequests) if (r.wasAlreadyPresent) present += 1;
  }
  return present;
}

async function checkTotal(ctx: WorkloadContext, total: number, handled: number): Promise<void> {
  const { queue, flush } = await openQueue(ctx);
  const info = await queue.get();
  await flush();
  check(
    info?.totalRequestCount === total,
    `queue holds ${info?.totalRequestCount} requests, expected ${total}`,
  );
  check(
    info?.handledRequestCount === handled,
    `queue counts ${info?.handledRequestCount} handled, expected ${handled}`,
  );
}

async function runAddSingle(ctx: WorkloadContext): Promise<Timed> {
  const count = ctx.scale.requests;
  let present = 0;
  const { seconds } = await timed(async () => {
    const { queue, flush } = await openQueue(ctx);
    for (let i = 0; i < count; i++) {
      if ((await queue.addRequest(makeRequest(i))).wasAlreadyPresent) present += 1;
    }
    await flush();
  });
  check(present === 0, `${present} new requests reported as already present`);
  await checkTotal(ctx, count, 0);
  return { ops: count, seconds };
}

/**
 * Adds `requests` in batches of 25, of which every fifth is already in the queue (added, untimed,
 * before): the queue must report exactly those as present and hold each request once.
 */
async function runAddBatches(ctx: WorkloadContext): Promise<Timed> {
  const count = ctx.scale.requests;
  const duplicates = Array.from(
    { length: Math.ceil(count / DUPLICATE_EVERY) },
    (_, i) => i * DUPLICATE_EVERY,
  );
  const numbers = Array.from({ length: count }, (_, i) => (i % DUPLICATE_EVERY === 0 ? i : count + i));
  const setup = await openQueue(ctx);
  await addInBatches(setup.queue, duplicates);
  await setup.flush();
  let present = 0;
  const { seconds } = await timed(async () => {
    const { queue, flush } = await openQueue(ctx);
    present = await addInBatches(queue, numbers);
    await flush();
  });
  check(present === duplicates.length, `${present} reported present, expected ${duplicates.length}`);
  await checkTotal(ctx, count, 0);
  return { ops: count, seconds };
}

/**
 * The queue fixture: `queueFixture` requests added in batches, written once by actor-storage in the
 * request-file layout memory-storage shares; storage-local (SQLite) adds them itself.
 */
const queueFixture: Fixture = {
  id: 'requests',
  base: { id: 'requests', prepare: (ctx) => addRequests({ ...ctx, runner: 'ours' }, ctx.scale.queueFixture) },
  async prepare(ctx) {
    if (ctx.runner !== 'storage-local') return;
    await rm(join(ctx.dir, 'request_queues', NAME), { recursive: true, force: true });
    await addRequests(ctx, ctx.scale.queueFixture);
  },
};

/**
 * After processing: the process that did it counts them handled, and a new process's head holds
 * none of them (memory-storage keeps its counters in metadata it does not write by default, so a
 * new process's counts are not compared).
 */
async function checkProcessed(ctx: WorkloadContext, info: QueueInfo, processed: ReadonlySet<number>) {
  check(info?.handledRequestCount === processed.size, `${info?.handledRequestCount} counted handled`);
  check(info?.totalRequestCount === ctx.scale.queueFixture, `${info?.totalRequestCount} counted in all`);
  const { queue, flush } = await openQueue(ctx);
  const head = await queue.listHead({ limit: 25 });
  await flush();
  check(head.items.length > 0, 'the head is empty after processing');
  for (const item of head.items) {
    check(!processed.has(numberOf(item.url)), `handled request ${item.url} is back in the head`);
  }
}

/**
 * Crawlee's loop: lock a head of 25, read each request, mark it handled, until `count` are done.
 * Returns the request numbers in the order served.
 */
export async function lockAndHandle(queue: Queue, count: number): Promise<number[]> {
  const order: number[] = [];
  while (order.length < count) {
    const head = await queue.listAndLockHead({ limit: Math.min(25, count - order.length), lockSecs: 60 });
    check(head.items.length > 0, `the head ran dry after ${order.length} requests`);
    for (const item of head.items) {
      const request = await queue.getRequest(item.id);
      check(request !== undefined, `locked request ${item.id} cannot be read`);
      await queue.updateRequest({ ...request, handledAt: new Date().toISOString() });
      order.push(numberOf(request.url));
    }
  }
  return order;
}

/** Crawlee's loop (see lockAndHandle) over a queue of a new process. */
async function runProcess(ctx: WorkloadContext): Promise<Timed> {
  const count = ctx.scale.processed;
  const order: number[] = [];
  let info: QueueInfo;
  const { seconds } = await timed(async () => {
    const { queue, flush } = await openQueue(ctx);
    order.push(...(await lockAndHandle(queue, count)));
    info = await queue.get();
    await flush();
  });
  check(order.length === count, `${order.length} requests processed, expected ${count}`);
  const strict = checkFifo(order, 0, ctx.runner === 'ours', 'requests processed');
  await checkProcessed(ctx, info, new Set(order));
  return { ops: count, seconds, notes: { strictFifo: strict ? 'yes' : 'no' } };
}

export const queueWorkloads: Workload[] = [
  {
    id: 'rq-add-single',
    title: 'Request queue: add one by one',
    unit: 'requests',
    runners: ENGINES,
    size: (s) => s.requests,
    run: runAddSingle,
  },
  {
    id: 'rq-add-batch',
    title: 'Request queue: add in batches of 25, 20% duplicates',
    unit: 'requests',
    runners: ENGINES,
    size: (s) => s.requests,
    run: runAddBatches,
  },
  {
    id: 'rq-process',
    title: 'Request queue: process (lock head → read → handled, new process)',
    unit: 'requests',
    runners: ENGINES,
    size: (s) => s.processed,
    fixture: queueFixture,
    mutates: true,
    run: runProcess,
  },
];
