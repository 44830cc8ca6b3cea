/**
 * One side of the 'rq-drain' workload, in a process of its own (so that the big queue's index never
 * sits in the heap of the fresh queue's drain):
 *
 *   node [--import tsx] bench/drain-run.ts <storageDir> <first> <count> <handledBefore>
 *
 * Opens the queue `bench` of actor-storage in `storageDir` (expecting `handledBefore` handled
 * requests and none pending), adds requests `first … first+count-1` in batches of 25, then drains
 * them as Crawlee does: lock a head of 25, read each request, mark it handled. Open, add and drain
 * are timed apart; the drain includes the final flush (until the writes are on disk). Checks that
 * every request came out exactly once, first in first out, and that the head is empty afterwards.
 * Prints one line `BENCH-RESULT {json}`: a {@link DrainResult}, or `{ error }`.
 */
import { makeRequest } from './data.js';
import { openEngine } from './engines.js';
import { check, checkSequence, RESULT_PREFIX, timed } from './workload.js';
import { NAME, REQUEST_BATCH } from './workloads/dataset.js';
import { lockAndHandle, type Queue } from './workloads/queue.js';

/** What one drain process reports. */
export interface DrainResult {
  /** Opening the queue and reading its counts (the snapshot of a big queue is read here). */
  openSeconds: number;
  /** Adding the new requests in batches of 25. */
  addSeconds: number;
  /** Draining them: lock head → read → handled, then the flush. */
  drainSeconds: number;
  /** CPU time of the process (every thread, user + system) during the drain. */
  drainCpuSeconds: number;
  /** Of which in the kernel (system time). */
  drainSystemSeconds: number;
  /** Peak RSS of the process, MB. */
  peakRssMB: number;
  /** Heap in use after the drain, MB. */
  heapUsedMB: number;
}

async function addAll(queue: Queue, first: number, count: number): Promise<void> {
  for (let at = 0; at < count; at += REQUEST_BATCH) {
    const size = Math.min(REQUEST_BATCH, count - at);
    const batch = Array.from({ length: size }, (_, i) => makeRequest(first + at + i));
    const result = await queue.batchAddRequests(batch);
    check(result.unprocessedRequests.length === 0, 'requests left unprocessed');
    check(
      result.processedRequests.every((r) => !r.wasAlreadyPresent),
      'a new request was reported as already present',
    );
  }
}

async function main(dir: string, first: number, count: number, handledBefore: number): Promise<DrainResult> {
  const { client, flush } = await openEngine('ours', dir);
  const opened = await timed(async () => {
    const { id } = await client.requestQueues().getOrCreate(NAME);
    const queue = client.requestQueue(id, { clientKey: 'bench' });
    return { queue, info: await queue.get() };
  });
  const { queue, info } = opened.value;
  check(info?.handledRequestCount === handledBefore, `${info?.handledRequestCount} handled at the start`);
  check(info?.totalRequestCount === handledBefore, `${info?.totalRequestCount} requests at the start`);
  const added = await timed(() => addAll(queue, first, count));
  const cpuBefore = process.cpuUsage();
  const drained = await timed(async () => {
    const order = await lockAndHandle(queue, count);
    await flush();
    return order;
  });
  const cpu = process.cpuUsage(cpuBefore);
  checkSequence(drained.value, first, count, 'requests drained');
  const rest = await queue.listHead({ limit: 10 });
  check(rest.items.length === 0, `${rest.items.length} requests still pending after the drain`);
  await flush();
  return {
    openSeconds: opened.seconds,
    addSeconds: added.seconds,
    drainSeconds: drained.seconds,
    drainCpuSeconds: (cpu.user + cpu.system) / 1e6,
    drainSystemSeconds: cpu.system / 1e6,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    heapUsedMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  };
}

if (process.argv[1] === import.meta.filename) {
  const [dir, first, count, handledBefore] = process.argv.slice(2) as [string, string, string, string];
  let result: DrainResult | { error: string };
  try {
    await import('../src/index.js'); // module loading is not part of any timed step
    result = await main(dir, Number(first), Number(count), Number(handledBefore));
  } catch (err) {
    result = { error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}
