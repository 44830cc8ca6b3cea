/** The friendly RequestQueue class: Crawlee's semantics over the fs engine. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { normalizeUrl as apifyNormalizeUrl } from '@apify/utilities';
import { Request } from 'crawlee';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredRequest } from '../src/client/types.js';
import { requestIdFromUniqueKey } from '../src/fs/layout.js';
import { computeUniqueKey, createFsClient, normalizeUrl, RequestQueue } from '../src/index.js';
import { startTestServer } from './conformance/harness.js';
import { tempDir } from './helpers/tmp.js';

const run = promisify(execFile);
const HEAD_SCRIPT = join(import.meta.dirname, 'processes', 'rq-head.ts');

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

const url = (n: number | string) => `https://example.com/p/${n}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Head URLs and info as a fresh process reads them from disk (snapshot + journal, no shared memory). */
async function headFromAnotherProcess(
  name: string,
): Promise<{ urls: string[]; info: Record<string, unknown> }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', HEAD_SCRIPT, dir, name]);
  return JSON.parse(stdout);
}

async function drain(queue: RequestQueue): Promise<string[]> {
  const urls: string[] = [];
  for (let request = await queue.fetchNextRequest(); request; request = await queue.fetchNextRequest()) {
    urls.push(request.url);
    await queue.markRequestHandled(request);
  }
  return urls;
}

describe('RequestQueue (Crawlee semantics)', () => {
  it('open() without a name opens the default queue, named "default"', async () => {
    const queue = await RequestQueue.open(undefined, { storageDir: dir });
    expect(queue.name).toBe('default');
    expect(await RequestQueue.open('default', { storageDir: dir })).toBe(queue);
    expect((await queue.getInfo())?.name).toBe('default');
  });

  it('adds strings, plain objects and Crawlee Request instances; fetch, handle, count', async () => {
    const queue = await RequestQueue.open('crawl', { storageDir: dir });
    const crawleeRequest = new Request({ url: url('c'), label: 'DETAIL', userData: { depth: 1 } });
    const added = await queue.addRequests([url('a'), { url: url('b'), label: 'LIST' }, crawleeRequest]);
    expect(added.processedRequests.map((p) => p.wasAlreadyPresent)).toEqual([false, false, false]);
    const first = await queue.addRequest(url('a'));
    expect(first).toMatchObject({ wasAlreadyPresent: true, uniqueKey: url('a'), forefront: false });

    const fetched: StoredRequest[] = [];
    for (let r = await queue.fetchNextRequest(); r; r = await queue.fetchNextRequest()) fetched.push(r);
    expect(fetched.map((r) => r.url)).toEqual([url('a'), url('b'), url('c')]);
    expect(fetched[1]?.userData).toEqual({ label: 'LIST' });
    expect(fetched[2]?.userData).toMatchObject({ label: 'DETAIL', depth: 1 });
    expect(await queue.isEmpty()).toBe(true);
    expect(await queue.isFinished()).toBe(false); // three requests in progress

    for (const request of fetched) {
      const info = await queue.markRequestHandled(request);
      expect(info).toMatchObject({ wasAlreadyHandled: false });
      expect(typeof request.handledAt).toBe('string');
    }
    expect(await queue.isFinished()).toBe(true);
    expect(await queue.handledCount()).toBe(3);
    expect(await queue.getInfo()).toMatchObject({
      totalRequestCount: 3,
      handledRequestCount: 3,
      pendingRequestCount: 0,
    });
    expect(await queue.addRequest({ url: url('b') })).toMatchObject({
      wasAlreadyPresent: true,
      wasAlreadyHandled: true,
    });
  });

  it('reclaimRequest returns a request (to the end, or first with forefront) and counts nothing itself', async () => {
    const queue = await RequestQueue.open('retry', { storageDir: dir });
    await queue.addRequests([1, 2, 3].map(url));
    const one = (await queue.fetchNextRequest()) as StoredRequest;
    one.retryCount = (one.retryCount ?? 0) + 1;
    await queue.reclaimRequest(one);
    const two = (await queue.fetchNextRequest()) as StoredRequest;
    expect(two.url).toBe(url(2));
    await queue.reclaimRequest(two, { forefront: true });
    expect(await drain(queue)).toEqual([url(2), url(3), url(1)]);
    expect((await queue.getRequest(one.id))?.retryCount).toBe(1);
    expect((await queue.getRequest(two.id))?.retryCount).toBe(0);
    expect(await queue.handledCount()).toBe(3);
  });

  it('forefront requests come first, newest first, also when added after fetching began', async () => {
    const queue = await RequestQueue.open('order', { storageDir: dir });
    await queue.addRequests([1, 2, 3].map(url));
    const first = (await queue.fetchNextRequest()) as StoredRequest;
    await queue.markRequestHandled(first);
    await queue.addRequest(url('f1'), { forefront: true });
    await queue.addRequests([url('f2'), url('f3')], { forefront: true });
    expect(await drain(queue)).toEqual([url('f3'), url('f2'), url('f1'), url(2), url(3)]);
  });

  it('keeps the same order after a reopen in another process (forefront LIFO, then FIFO)', async () => {
    const queue = await RequestQueue.open('reopen', { storageDir: dir });
    await queue.addRequests([1, 2, 3, 4].map(url));
    await queue.addRequest(url('f1'), { forefront: true });
    await queue.addRequest(url(5));
    await queue.addRequest(url('f2'), { forefront: true });
    const fetched = (await queue.fetchNextRequest()) as StoredRequest;
    expect(fetched.url).toBe(url('f2'));
    await queue.markRequestHandled(fetched);
    const expected = [url('f1'), 1, 2, 3, 4, 5].map((u) => (typeof u === 'number' ? url(u) : u));
    const seen = await headFromAnotherProcess('reopen');
    expect(seen.urls).toEqual(expected);
    expect(seen.info).toMatchObject({ totalRequestCount: 7, handledRequestCount: 1, pendingRequestCount: 6 });
    // And the same again from a third process, now that the second one has written nothing.
    expect((await headFromAnotherProcess('reopen')).urls).toEqual(expected);
  });

  it('deduplicates by normalised URL as Crawlee does; useExtendedUniqueKey and keepUrlFragment are honoured', async () => {
    const queue = await RequestQueue.open('dedup', { storageDir: dir });
    const variants = [
      'https://example.com/a/b/?x=1&y=2',
      'HTTPS://EXAMPLE.COM/a/b?y=2&x=1',
      'https://example.com/a/b?x=1&y=2&utm_source=news&utm_medium=mail#section',
      '  https://example.com/a/b?x=1&y=2  ',
    ];
    const result = await queue.addRequests(variants.map((u) => ({ url: u })));
    expect(result.processedRequests).toHaveLength(1);
    const post = { url: 'https://example.com/api', method: 'POST' as const, payload: '{"page":1}' };
    const plain = await queue.addRequest({ ...post, useExtendedUniqueKey: true });
    const otherPayload = await queue.addRequest({
      ...post,
      payload: '{"page":2}',
      useExtendedUniqueKey: true,
    });
    expect(plain.wasAlreadyPresent).toBe(false);
    expect(otherPayload.wasAlreadyPresent).toBe(false);
    expect(plain.uniqueKey).toBe(new Request({ ...post, useExtendedUniqueKey: true }).uniqueKey);
    const fragment = await queue.addRequest({ url: 'https://example.com/spa#/route', keepUrlFragment: true });
    expect(fragment.uniqueKey).toBe('https://example.com/spa#/route');
    const stored = await queue.getRequest(fragment.requestId);
    expect(stored).not.toHaveProperty('keepUrlFragment');
    expect(fragment.requestId).toBe(requestIdFromUniqueKey('https://example.com/spa#/route'));
  });

  it('normalizeUrl and computeUniqueKey match @apify/utilities and Crawlee on a range of URLs', () => {
    const urls = [
      'https://example.com',
      'https://example.com/',
      'HTTP://Example.COM:8080/Path/?b=2&a=1',
      'https://example.com/a//b/?utm_campaign=x&q=%20space',
      'https://example.com/?utm_source=a',
      'https://user:pass@example.com/x#frag',
      'https://example.com/search?q=a+b&q=c',
      'https://例え.jp/パス?キー=値',
      'not a url',
      '',
    ];
    for (const u of urls) {
      expect(normalizeUrl(u), u).toBe(apifyNormalizeUrl(u));
      expect(normalizeUrl(u, true), u).toBe(apifyNormalizeUrl(u, true));
      if (u === '') continue;
      for (const method of ['GET', 'POST'] as const) {
        const options = { url: u, method, payload: method === 'POST' ? 'body' : undefined };
        for (const useExtendedUniqueKey of [false, true]) {
          const theirs = new Request({ ...options, useExtendedUniqueKey }).uniqueKey;
          expect(computeUniqueKey({ ...options, useExtendedUniqueKey }), u).toBe(theirs);
        }
      }
    }
  });

  it('a lock that expires makes the request available to another consumer', async () => {
    const a = await RequestQueue.open('locks', { storageDir: dir, clientKey: 'consumer-a', lockSecs: 1 });
    const b = await RequestQueue.open('locks', { storageDir: dir, clientKey: 'consumer-b', lockSecs: 1 });
    await a.addRequest(url(1));
    const taken = await a.fetchNextRequest();
    expect(taken?.url).toBe(url(1));
    expect(await b.fetchNextRequest()).toBeNull();
    expect(await b.isFinished()).toBe(false); // locked by a
    await sleep(1200);
    const again = await b.fetchNextRequest();
    expect(again?.url).toBe(url(1));
    await b.markRequestHandled(again as StoredRequest);
    expect(await b.isFinished()).toBe(true);
    expect((await b.getInfo())?.hadMultipleClients).toBe(true);
  });

  it('reopening under the same client key offers what a previous process had locked at once', async () => {
    const client = createFsClient({ storageDir: dir });
    const { id } = await client.requestQueues().getOrCreate('resume');
    const raw = client.requestQueue(id, { clientKey: 'worker' });
    await raw.addRequest({ url: url(1), uniqueKey: url(1) });
    // Locks as a previous process under the same key left them (another owner token).
    const { appendFile, stat } = await import('node:fs/promises');
    const journal = join(dir, 'request_queues', 'resume', '__index__', 'journal.log');
    const mark = (await stat(join(dir, 'request_queues', 'resume'), { bigint: true })).mtimeNs;
    const requestId = requestIdFromUniqueKey(url(1));
    await appendFile(journal, `l ${requestId} ${Date.now() + 600_000} worker deadbeef\nc ${mark} 0\n`);
    const other = await RequestQueue.open('resume', { storageDir: dir, clientKey: 'someone-else' });
    expect(await other.fetchNextRequest()).toBeNull();
    const resumed = await RequestQueue.open('resume', { storageDir: dir, clientKey: 'worker' });
    expect((await resumed.fetchNextRequest())?.url).toBe(url(1));
  });

  it('drop() deletes the queue; bad input gets coded errors', async () => {
    const queue = await RequestQueue.open('gone', { storageDir: dir });
    await expect(queue.addRequest({ url: '' })).rejects.toMatchObject({ code: 'STORAGE_INVALID_VALUE' });
    await expect(queue.addRequest(42 as never)).rejects.toMatchObject({ code: 'STORAGE_INVALID_VALUE' });
    await expect(queue.markRequestHandled({ url: url(1) } as never)).rejects.toMatchObject({
      code: 'STORAGE_INVALID_VALUE',
    });
    await expect(RequestQueue.open('x', { storageDir: dir, lockSecs: 0 })).rejects.toMatchObject({
      code: 'STORAGE_INVALID_OPTION',
    });
    await queue.drop();
    expect(await queue.getInfo()).toBeUndefined();
    expect((await RequestQueue.open('gone', { storageDir: dir })).id).not.toBe(queue.id);
  });

  it('works the same over apify-client (through the HTTP server)', async () => {
    const server = await startTestServer();
    try {
      const options = { client: server.client, clientKey: 'remote-consumer' };
      const queue = await RequestQueue.open('remote', options);
      await queue.addRequests([1, 2, 3].map(url));
      await queue.addRequest(url('f'), { forefront: true });
      const first = (await queue.fetchNextRequest()) as StoredRequest;
      expect(first.url).toBe(url('f'));
      await queue.reclaimRequest(first);
      expect(await drain(queue)).toEqual([url(1), url(2), url(3), url('f')]);
      expect(await queue.isFinished()).toBe(true);
      expect(await queue.getInfo()).toMatchObject({
        name: 'remote',
        totalRequestCount: 4,
        handledRequestCount: 4,
      });
    } finally {
      await server.close();
    }
  });
});
