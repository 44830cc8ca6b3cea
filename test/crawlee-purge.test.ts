/**
 * Purging through Crawlee: `purgeDefaultStorages()` and purge on start (CRAWLEE_PURGE_ON_START)
 * clear the default storages of the fs engine exactly as they clear @crawlee/memory-storage's:
 * the default dataset and request queue go, the default key-value store keeps only INPUT, named
 * storages stay. The comparison runs both clients over copies of one folder.
 */
import { cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryStorage } from '@crawlee/memory-storage';
import { Configuration, purgeDefaultStorages, RequestQueue } from 'crawlee';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalLimits } from '../src/fs/request-queue/queue-files.js';
import { createFsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';
import { clearCrawleeEnv } from './processes/crawl-expect.js';

let dir: string;
let cleanup: () => Promise<void>;
let restoreEnv: () => void;

beforeEach(async () => {
  restoreEnv = clearCrawleeEnv();
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
  restoreEnv();
});

/** A run's worth of storages, default and named, written by the fs engine. */
async function seed(storageDir: string): Promise<void> {
  const client = createFsClient({ storageDir });
  for (const name of ['default', 'products']) {
    const ds = await client.datasets().getOrCreate(name);
    await client.dataset(ds.id).pushItems([
      { n: 1, from: name },
      { n: 2, from: name },
    ]);
    const kv = await client.keyValueStores().getOrCreate(name);
    const store = client.keyValueStore(kv.id);
    await store.setRecord({ key: 'INPUT', value: { startUrl: `https://${name}.example/` } });
    await store.setRecord({ key: 'CRAWLEE_STATE', value: { pages: 7 } });
    await store.setRecord({ key: 'shot', value: Buffer.from('png'), contentType: 'image/png' });
    const rq = await client.requestQueues().getOrCreate(name);
    const queue = client.requestQueue(rq.id);
    await queue.addRequest({ url: `https://${name}.example/a`, uniqueKey: 'a' });
    await queue.addRequest({ url: `https://${name}.example/b`, uniqueKey: 'b' });
  }
}

/** Everything a client can see in a folder, read through a fresh fs client. */
async function visibleState(storageDir: string) {
  const client = createFsClient({ storageDir });
  const state: Record<string, unknown> = {};
  for (const { name, id } of (await client.datasets().list()).items) {
    state[`dataset ${name}`] = (await client.dataset(id).listItems()).items;
  }
  for (const { name, id } of (await client.keyValueStores().list()).items) {
    const store = client.keyValueStore(id);
    const keys = (await store.listKeys()).items.map((item) => item.key);
    const records = await Promise.all(keys.map(async (key) => [key, (await store.getRecord(key))?.value]));
    state[`kvs ${name}`] = Object.fromEntries(records);
  }
  for (const { name, id } of (await client.requestQueues().list()).items) {
    const info = await client.requestQueue(id).get();
    state[`queue ${name}`] = [info?.totalRequestCount, info?.pendingRequestCount];
  }
  return state;
}

/** memory-storage deletes in the background: waits (bounded) until its temporary folders are gone. */
async function settled(storageDir: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const names = (
      await Promise.all(
        ['datasets', 'key_value_stores', 'request_queues'].map((kind) =>
          readdir(join(storageDir, kind)).catch(() => [] as string[]),
        ),
      )
    ).flat();
    if (!names.some((name) => name.startsWith('__'))) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('memory-storage left temporary folders behind');
}

async function defaultsPurged(storageDir: string): Promise<boolean> {
  const state = await visibleState(storageDir);
  return state['dataset default'] === undefined && state['queue default'] === undefined;
}

describe('Crawlee purging on the fs engine', () => {
  it('purgeDefaultStorages() leaves the same storages as with @crawlee/memory-storage', async () => {
    const ours = join(dir, 'fs');
    const theirs = join(dir, 'memory');
    await seed(ours);
    await cp(ours, theirs, { recursive: true });

    await purgeDefaultStorages({
      config: new Configuration({ storageClient: createFsClient({ storageDir: ours }) }),
    });
    const memory = new MemoryStorage({ localDataDirectory: theirs, persistStorage: true });
    await purgeDefaultStorages({ config: new Configuration({ storageClient: memory }) });
    await settled(theirs);

    const expected = await visibleState(ours);
    expect(await visibleState(theirs)).toEqual(expected);
    expect(expected).toEqual({
      'dataset products': [
        { n: 1, from: 'products' },
        { n: 2, from: 'products' },
      ],
      'kvs default': { INPUT: { startUrl: 'https://default.example/' } },
      'kvs products': {
        CRAWLEE_STATE: { pages: 7 },
        INPUT: { startUrl: 'https://products.example/' },
        shot: Buffer.from('png'),
      },
      'queue products': [2, 2],
    });
  });

  it('a purged default queue stays gone: queue metadata still to be written does not bring it back', async () => {
    const interval = journalLimits.metadataIntervalMs;
    journalLimits.metadataIntervalMs = 60_000; // the second change leaves its metadata for later
    try {
      const storageClient = createFsClient({ storageDir: dir });
      const queue = await RequestQueue.open(undefined, { config: new Configuration({ storageClient }) });
      await queue.addRequest({ url: 'https://shop.example/a' });
      await queue.addRequest({ url: 'https://shop.example/b' });
      await purgeDefaultStorages({ config: new Configuration({ storageClient }) });
      await storageClient.teardown(); // writes pending queue metadata, as at the end of a run
      expect(await readdir(join(dir, 'request_queues'))).toEqual([]);
    } finally {
      journalLimits.metadataIntervalMs = interval;
    }
  });

  it.each([
    ['unset (Crawlee purges on start)', undefined, true],
    ['CRAWLEE_PURGE_ON_START=1', '1', true],
    ['CRAWLEE_PURGE_ON_START=0', '0', false],
    ['CRAWLEE_PURGE_ON_START=false', 'false', false],
  ])('purge on start with %s', async (_label, value, purged) => {
    await seed(dir);
    if (value !== undefined) process.env.CRAWLEE_PURGE_ON_START = value;
    const config = new Configuration({ storageClient: createFsClient({ storageDir: dir }) });
    // What crawler.run() and Actor.init() do first.
    await purgeDefaultStorages({ config, onlyPurgeOnce: true });
    expect(await defaultsPurged(dir)).toBe(purged);
    const state = await visibleState(dir);
    expect(state['dataset products']).toHaveLength(2);
    expect(Object.keys(state['kvs default'] as object).sort()).toEqual(
      purged ? ['INPUT'] : ['CRAWLEE_STATE', 'INPUT', 'shot'],
    );
  });
});
