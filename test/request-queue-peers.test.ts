/**
 * Request queues shared with @crawlee/memory-storage 3.x: a queue it wrote opens here with its
 * order and counts, and it opens ours (request files in its shape; our index folder it skips).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryStorage } from '@crawlee/memory-storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

let dir: string;
let cleanup: () => Promise<void>;
const savedEnv = { ...process.env };

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  delete process.env.APIFY_LOCAL_STORAGE_DIR;
  delete process.env.CRAWLEE_STORAGE_DIR;
});
afterEach(async () => {
  process.env = { ...savedEnv };
  await cleanup();
});

const memoryStorage = () =>
  new MemoryStorage({ localDataDirectory: dir, persistStorage: true, writeMetadata: true });
const url = (n: number | string) => `https://example.com/${n}`;
/** memory-storage orders by Date.now(): one millisecond apart keeps the order it was given. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

describe('request queues and @crawlee/memory-storage', () => {
  it('a queue memory-storage wrote opens here with its order, counts and requests', async () => {
    const peer = memoryStorage();
    const { id } = await peer.requestQueues().getOrCreate('from-peer');
    const peerQueue = peer.requestQueue(id);
    for (const n of [1, 2, 3, 4]) {
      await peerQueue.addRequest({ url: url(n), uniqueKey: url(n), userData: { n } });
      await tick();
    }
    await peerQueue.addRequest({ url: url('f1'), uniqueKey: url('f1') }, { forefront: true });
    await tick();
    await peerQueue.addRequest({ url: url('f2'), uniqueKey: url('f2') }, { forefront: true });
    await tick();
    const firstId = (await peerQueue.listHead({ limit: 10 })).items[2]!.id;
    const first = (await peerQueue.getRequest(firstId)) as { id: string; url: string; uniqueKey: string };
    await peerQueue.updateRequest({ ...first, handledAt: new Date().toISOString() });
    await peer.teardown();

    const client = createFsClient({ storageDir: dir });
    const queue = client.requestQueue('from-peer', { clientKey: 'here' });
    expect(await queue.get()).toMatchObject({
      id,
      name: 'from-peer',
      totalRequestCount: 6,
      handledRequestCount: 1,
      pendingRequestCount: 5,
    });
    const head = await queue.listHead({ limit: 10 });
    expect(head.items.map((i) => i.url)).toEqual([url('f2'), url('f1'), url(2), url(3), url(4)]);
    expect((await queue.getRequest(head.items[2]!.id))?.userData).toEqual({ n: 2 });
    // It keeps working as a queue of ours: a new request goes to the end, dedup sees the peer's keys.
    await queue.addRequest({ url: url(5), uniqueKey: url(5) });
    expect(await queue.addRequest({ url: url(1), uniqueKey: url(1) })).toMatchObject({
      wasAlreadyPresent: true,
      wasAlreadyHandled: true,
    });
    const locked = await queue.listAndLockHead({ limit: 10, lockSecs: 60 });
    expect(locked.items.map((i) => i.url)).toEqual([url('f2'), url('f1'), url(2), url(3), url(4), url(5)]);
  });

  it('memory-storage opens a queue written here: order, counts and requests', async () => {
    const client = createFsClient({ storageDir: dir });
    const { id } = await client.requestQueues().getOrCreate('from-us');
    const queue = client.requestQueue(id, { clientKey: 'us' });
    await queue.batchAddRequests([1, 2, 3].map((n) => ({ url: url(n), uniqueKey: url(n), userData: { n } })));
    await queue.addRequest({ url: url('f1'), uniqueKey: url('f1') }, { forefront: true });
    const [done] = (await queue.listAndLockHead({ limit: 1, lockSecs: 60 })).items;
    const request = await queue.getRequest(done!.id);
    await queue.updateRequest({ ...request!, handledAt: new Date().toISOString() });
    await client.teardown(); // writes the counts to __metadata__.json now

    const folder = join(dir, 'request_queues', 'from-us');
    const files = (await readdir(folder)).filter((f) => f.endsWith('.json') && f !== '__metadata__.json');
    expect(files).toHaveLength(4);
    const sample = JSON.parse(await readFile(join(folder, files[0]!), 'utf8'));
    expect(Object.keys(sample).sort()).toEqual([
      'id',
      'json',
      'method',
      'orderNo',
      'retryCount',
      'uniqueKey',
      'url',
    ]);

    const peer = memoryStorage();
    const peerQueue = peer.requestQueue('from-us');
    expect(await peerQueue.get()).toMatchObject({
      id,
      totalRequestCount: 4,
      handledRequestCount: 1,
      pendingRequestCount: 3,
    });
    const head = await peerQueue.listHead({ limit: 10 });
    expect(head.items.map((i) => i.url)).toEqual([url(1), url(2), url(3)]);
    expect((await peerQueue.getRequest(head.items[1]!.id))?.userData).toEqual({ n: 2 });
    expect((await peerQueue.getRequest(done!.id))?.handledAt).toBeTypeOf('string');
    await peer.teardown();
  });

  it('after memory-storage changed a queue of ours, the next open here indexes the folder again', async () => {
    const client = createFsClient({ storageDir: dir });
    const { id } = await client.requestQueues().getOrCreate('shared');
    await client.requestQueue(id).addRequest({ url: url(1), uniqueKey: url(1) });
    await client.teardown();

    const peer = memoryStorage();
    await peer.requestQueue('shared').addRequest({ url: url(2), uniqueKey: url(2) });
    await peer.teardown();

    // A fresh process would open it; here a fresh engine stands in for one (see loader tests).
    const { loadQueue } = await import('../src/fs/request-queue/loader.js');
    const { QueueFiles } = await import('../src/fs/request-queue/queue-files.js');
    const folder = join(dir, 'request_queues', 'shared');
    const files = new QueueFiles(folder, { id, createdAt: '', modifiedAt: '', accessedAt: '' }, false);
    const loaded = await loadQueue(files);
    expect(loaded.index.totalCount).toBe(2);
    expect(loaded.index.pending.toArray().map((e) => e.id)).toHaveLength(2);
  });
});
