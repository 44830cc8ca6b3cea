import { ApifyClient } from 'apify-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCrawler } from '../examples/remote-mode/crawler.js';
import { createFsClient, Dataset, KeyValueStore, RequestQueue, type StorageClient } from '../src/index.js';
import { startTestServer, type TestServer } from './conformance/harness.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});

afterAll(async () => {
  await t.close();
});

describe('remote mode: the storage classes over apify-client', () => {
  it('takes an ApifyClient as client without a cast', () => {
    const client: StorageClient = new ApifyClient({ baseUrl: t.url, token: t.token });
    expect(typeof client.dataset).toBe('function');
  });

  it('opens, writes and reads all three kinds through the server, landing in the server’s folder', async () => {
    const client = new ApifyClient({ baseUrl: t.url, token: t.token, maxRetries: 0 });
    const dataset = await Dataset.open('remote-items', { client });
    await dataset.pushData([{ n: 1 }, { n: 2 }]);
    expect((await dataset.getData()).items).toEqual([{ n: 1 }, { n: 2 }]);
    const store = await KeyValueStore.open('remote-kv', { client });
    await store.setValue('shot', Buffer.from([1, 2, 3]), { contentType: 'image/png' });
    await store.setValue('STATE', { ok: true });
    expect(await store.getValue('STATE')).toEqual({ ok: true });
    const queue = await RequestQueue.open('remote-queue', { client });
    await queue.addRequests([{ url: 'https://a.example/1' }, { url: 'https://a.example/2' }]);
    const first = await queue.fetchNextRequest();
    expect(first?.url).toBe('https://a.example/1');
    await queue.markRequestHandled(first!);

    // The same storages, read straight from the folder by the fs engine.
    const local = createFsClient({ storageDir: t.storageDir });
    expect((await local.dataset('remote-items').listItems()).items).toEqual([{ n: 1 }, { n: 2 }]);
    const shot = await local.keyValueStore('remote-kv').getRecord('shot', { buffer: true });
    expect(shot?.contentType).toBe('image/png');
    expect([...((shot?.value as Buffer | undefined) ?? [])]).toEqual([1, 2, 3]);
    expect(await local.requestQueue('remote-queue').get()).toMatchObject({
      totalRequestCount: 2,
      handledRequestCount: 1,
    });
  });

  it('runs the example crawler unchanged over HTTP, with the same result as locally', async () => {
    const client = new ApifyClient({ baseUrl: t.url, token: t.token, maxRetries: 0 });
    const remote = await runCrawler('https://shop.example.com/', 'remote-run', client);
    const local = await runCrawler(
      'https://shop.example.com/',
      'local-run',
      createFsClient({ storageDir: t.storageDir }),
    );
    expect(remote).toMatchObject({ pagesHandled: 13, itemCount: 13 });
    expect(local).toMatchObject({ pagesHandled: 13, itemCount: 13 });
    const fs = createFsClient({ storageDir: t.storageDir });
    const remoteItems = (await fs.dataset('remote-run-pages').listItems()).items;
    const localItems = (await fs.dataset('local-run-pages').listItems()).items;
    expect(remoteItems).toEqual(localItems);
    expect(await fs.keyValueStore('remote-run-state').getRecord('STATE')).toMatchObject({
      value: { pagesHandled: 13 },
    });
  });
});
