/**
 * Request-queue behaviour of the client interface, registered once and run against every client
 * of the harness. Asserts codes and data, never messages. Lock tests use explicit client keys,
 * since over HTTP a client without one is a new client on every call.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestQueueClient, RequestSchema, StorageClient } from '../../src/client/types.js';
import { ERROR_TABLE, type ErrorCode, isStorageError } from '../../src/errors.js';
import { requestIdFromUniqueKey } from '../../src/fs/layout.js';
import { type ClientUnderTest, factories } from './harness.js';

/**
 * Passes when `action` fails with `code`: a StorageError with that code, or over HTTP the status
 * and type the code maps to; `clientSide` also accepts apify-client refusing before it sends.
 */
async function expectCode(
  action: Promise<unknown> | (() => unknown),
  code: ErrorCode,
  options: { clientSide?: boolean } = {},
): Promise<void> {
  let error: unknown;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (err) {
    error = err;
  }
  expect(error, `expected an error with code ${code}`).toBeDefined();
  if (isStorageError(error)) {
    expect(error.code).toBe(code);
    return;
  }
  const http = error as { statusCode?: number; type?: string; name?: string };
  if (http.statusCode === undefined && options.clientSide) {
    expect(['ArgumentError', 'TypeError']).toContain(http.name);
    return;
  }
  expect({ status: http.statusCode, type: http.type }).toEqual({
    status: ERROR_TABLE[code].status,
    type: ERROR_TABLE[code].type,
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const url = (n: number | string) => `https://example.com/page/${n}`;
/** A request without a uniqueKey: the queue derives one from the URL. */
const keyless = (request: Omit<RequestSchema, 'uniqueKey'>) => request as RequestSchema;
/** A request with an explicit uniqueKey (apify-client needs it to match batch results). */
const req = (n: number | string) => ({ url: url(n), uniqueKey: url(n) });

describe.each(factories)('request queues over $name', (factory) => {
  let t: ClientUnderTest;
  let client: StorageClient;

  beforeEach(async () => {
    t = await factory.create();
    client = t.client;
  });
  afterEach(async () => {
    await t.close();
  });

  async function queue(name = 'q', clientKey = 'consumer-a'): Promise<RequestQueueClient> {
    const { id } = await client.requestQueues().getOrCreate(name);
    return client.requestQueue(id, { clientKey });
  }

  const headUrls = async (q: RequestQueueClient, limit = 100) =>
    (await q.listHead({ limit })).items.map((item) => item.url);

  describe('collection and store', () => {
    it('getOrCreate creates a named queue once with zero counts; the run default is named "default"', async () => {
      const first = await client.requestQueues().getOrCreate('default');
      expect(first).toMatchObject({
        name: 'default',
        totalRequestCount: 0,
        handledRequestCount: 0,
        pendingRequestCount: 0,
      });
      expect(first.id).toMatch(/^[a-zA-Z0-9]{17}$/);
      for (const date of [first.createdAt, first.modifiedAt, first.accessedAt])
        expect(date).toBeInstanceOf(Date);
      expect((await client.requestQueues().getOrCreate('default')).id).toBe(first.id);
      expect((await client.requestQueue('default').get())?.id).toBe(first.id);
    });

    it('list shows named queues, unnamed ones with unnamed: true, and paginates', async () => {
      await client.requestQueues().getOrCreate('qa');
      await client.requestQueues().getOrCreate('qb');
      const unnamed = await client.requestQueues().getOrCreate();
      expect((await client.requestQueues().list()).items.map((q) => q.name)).toEqual(['qa', 'qb']);
      const all = await client.requestQueues().list({ unnamed: true });
      expect(all.total).toBe(3);
      expect(all.items.map((q) => q.id)).toContain(unnamed.id);
      const page = await client.requestQueues().list({ offset: 1, limit: 1, desc: true });
      expect(page.items.map((q) => q.name)).toEqual(['qa']);
    });

    it('update renames (requests stay), get of a missing queue is undefined, delete removes it', async () => {
      const q = await queue('before');
      await q.addRequest(keyless({ url: url(1) }));
      const renamed = await q.update({ name: 'after' });
      expect(renamed).toMatchObject({ name: 'after', totalRequestCount: 1 });
      expect(await client.requestQueue('before').get()).toBeUndefined();
      expect(await headUrls(client.requestQueue('after'))).toEqual([url(1)]);
      await expectCode(q.update({ name: 'bad name!' }), 'STORAGE_INVALID_NAME');
      await q.delete();
      expect(await q.get()).toBeUndefined();
      await expectCode(q.addRequest(keyless({ url: url(2) })), 'STORAGE_NOT_FOUND');
      await expectCode(client.requestQueue('missing').listHead(), 'STORAGE_NOT_FOUND');
    });
  });

  describe('adding', () => {
    it('addRequest stores a request under the id of its uniqueKey; a known uniqueKey changes nothing', async () => {
      const q = await queue();
      const added = await q.addRequest({ url: url(1), uniqueKey: 'one', userData: { label: 'A' } });
      expect(added).toEqual({
        requestId: requestIdFromUniqueKey('one'),
        wasAlreadyPresent: false,
        wasAlreadyHandled: false,
      });
      const again = await q.addRequest({ url: url('other'), uniqueKey: 'one' });
      expect(again).toEqual({
        requestId: added.requestId,
        wasAlreadyPresent: true,
        wasAlreadyHandled: false,
      });
      expect((await q.getRequest(added.requestId))?.url).toBe(url(1));
      expect(await q.get()).toMatchObject({ totalRequestCount: 1, pendingRequestCount: 1 });
    });

    it('without a uniqueKey the normalised URL is the key (case, query order, utm_*, fragment, slash)', async () => {
      const q = await queue();
      const first = await q.addRequest(keyless({ url: 'HTTPS://Example.COM/a/?b=2&a=1&utm_source=x#frag' }));
      expect(first.requestId).toBe(requestIdFromUniqueKey('https://example.com/a?a=1&b=2'));
      const same = await q.addRequest(keyless({ url: 'https://example.com/a?a=1&b=2' }));
      expect(same).toMatchObject({ requestId: first.requestId, wasAlreadyPresent: true });
      expect((await q.getRequest(first.requestId))?.uniqueKey).toBe('https://example.com/a?a=1&b=2');
    });

    it('adding a handled uniqueKey reports wasAlreadyHandled; a request added with handledAt counts as handled', async () => {
      const q = await queue();
      const handled = await q.addRequest(keyless({ url: url(1), handledAt: new Date().toISOString() }));
      expect(handled).toMatchObject({ wasAlreadyPresent: false, wasAlreadyHandled: false });
      expect(await q.addRequest(keyless({ url: url(1) }))).toMatchObject({
        wasAlreadyPresent: true,
        wasAlreadyHandled: true,
      });
      expect(await q.get()).toMatchObject({
        totalRequestCount: 1,
        handledRequestCount: 1,
        pendingRequestCount: 0,
      });
      expect(await headUrls(q)).toEqual([]);
    });

    it('batchAddRequests returns processedRequests with uniqueKey, duplicates marked present', async () => {
      const q = await queue();
      await q.addRequest(keyless({ url: url(0) }));
      const result = await q.batchAddRequests([req(0), req(1), req(2), req(1)]);
      expect(result.unprocessedRequests).toEqual([]);
      expect(result.processedRequests.map((p) => [p.uniqueKey, p.wasAlreadyPresent])).toEqual([
        [url(0), true],
        [url(1), false],
        [url(2), false],
        [url(1), true],
      ]);
      for (const p of result.processedRequests) expect(p.requestId).toBe(requestIdFromUniqueKey(p.uniqueKey));
      expect((await q.get())?.totalRequestCount).toBe(3);
    });

    it('refuses a request without a valid URL or with a bad method, and changes nothing', async () => {
      const q = await queue();
      await expectCode(q.addRequest({ url: 'not a url', uniqueKey: 'x' }), 'STORAGE_INVALID_VALUE');
      await expectCode(q.addRequest({ uniqueKey: 'x' } as never), 'STORAGE_INVALID_VALUE');
      await expectCode(
        q.addRequest(keyless({ url: url(1), method: 'FETCH' as never })),
        'STORAGE_INVALID_VALUE',
      );
      // apify-client reports a refused batch as unprocessed instead of throwing.
      const batch = await q
        .batchAddRequests([req(1), { url: 'nope', uniqueKey: 'y' }])
        .catch((err: unknown) => err);
      if (isStorageError(batch)) expect(batch.code).toBe('STORAGE_INVALID_VALUE');
      else expect((batch as { unprocessedRequests: unknown[] }).unprocessedRequests).toHaveLength(2);
      expect((await q.get())?.totalRequestCount).toBe(0);
    });
  });

  describe('reading and changing requests', () => {
    it('getRequest returns what was stored; an unknown id gives undefined, a malformed one an error', async () => {
      const q = await queue();
      const stored = {
        url: url(1),
        uniqueKey: 'post-1',
        method: 'POST' as const,
        payload: '{"q":1}',
        headers: { 'x-a': 'b' },
        userData: { label: 'DETAIL', depth: 2 },
      };
      const { requestId } = await q.addRequest(stored);
      expect(await q.getRequest(requestId)).toMatchObject({ ...stored, id: requestId, retryCount: 0 });
      expect(await q.getRequest('AAAAAAAAAAAAAAA')).toBeUndefined();
      await expectCode(q.getRequest('bad.id'), 'STORAGE_INVALID_ID');
    });

    it('updateRequest with handledAt marks it handled; an unknown request is added', async () => {
      const q = await queue();
      const { requestId } = await q.addRequest(keyless({ url: url(1) }));
      const request = await q.getRequest(requestId);
      const handledAt = new Date().toISOString();
      const updated = await q.updateRequest({ ...request!, handledAt, userData: { done: true } });
      expect(updated).toEqual({ requestId, wasAlreadyPresent: true, wasAlreadyHandled: false });
      const stored = await q.getRequest(requestId);
      expect(new Date(stored?.handledAt as string | Date).toISOString()).toBe(handledAt);
      expect(stored?.userData).toEqual({ done: true });
      expect(await q.updateRequest({ ...request!, handledAt })).toMatchObject({ wasAlreadyHandled: true });
      expect(await q.get()).toMatchObject({ handledRequestCount: 1, pendingRequestCount: 0 });
      const fresh = await q.updateRequest({
        id: requestIdFromUniqueKey(url(2)),
        url: url(2),
        uniqueKey: url(2),
      });
      expect(fresh.wasAlreadyPresent).toBe(false);
      expect(await headUrls(q)).toEqual([url(2)]);
    });

    it('deleteRequest and batchDeleteRequests remove requests and fix the counts', async () => {
      const q = await queue();
      const ids = (await q.batchAddRequests([1, 2, 3, 4].map(req))).processedRequests.map((p) => p.requestId);
      await q.deleteRequest(ids[0]!);
      expect(await q.getRequest(ids[0]!)).toBeUndefined();
      const removed = await q.batchDeleteRequests([{ id: ids[1]! }, { uniqueKey: url(3) }]);
      expect(removed.processedRequests.map((p) => p.requestId).sort()).toEqual([ids[1], ids[2]].sort());
      expect(await headUrls(q)).toEqual([url(4)]);
      expect(await q.get()).toMatchObject({ totalRequestCount: 1, pendingRequestCount: 1 });
    });

    it('listRequests pages through every request with a cursor, and filters pending and locked', async () => {
      const q = await queue();
      await q.batchAddRequests([1, 2, 3, 4, 5].map(req));
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 5; page += 1) {
        const result = await q.listRequests({ limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...result.items.map((r) => r.url));
        if (!result.nextCursor) break;
        cursor = result.nextCursor;
      }
      expect(seen.sort()).toEqual([1, 2, 3, 4, 5].map(url).sort());
      await q.listAndLockHead({ limit: 2, lockSecs: 60 });
      const head = await q.getRequest(requestIdFromUniqueKey(url(3)));
      await q.updateRequest({ ...head!, handledAt: new Date().toISOString() });
      const locked = await q.listRequests({ filter: ['locked'] });
      expect(locked.items.map((r) => r.url).sort()).toEqual([url(1), url(2)]);
      const pending = await q.listRequests({ filter: ['pending'] });
      expect(pending.items.map((r) => r.url)).toEqual([url(1), url(2), url(4), url(5)]);
    });
  });

  describe('order', () => {
    it('forefront requests come first, newest first; the rest in insertion order', async () => {
      const q = await queue();
      await q.addRequest(keyless({ url: url(1) }));
      await q.addRequest(keyless({ url: url(2) }));
      await q.addRequest(keyless({ url: url('f1') }), { forefront: true });
      await q.addRequest(keyless({ url: url(3) }));
      await q.addRequest(keyless({ url: url('f2') }), { forefront: true });
      expect(await headUrls(q)).toEqual([url('f2'), url('f1'), url(1), url(2), url(3)]);
      expect(await headUrls(q, 2)).toEqual([url('f2'), url('f1')]);
      const head = await q.listHead({ limit: 1 });
      expect(head).toMatchObject({ limit: 1 });
      expect(head.queueModifiedAt).toBeInstanceOf(Date);
    });

    it('handled requests leave the head', async () => {
      const q = await queue();
      const { requestId } = await q.addRequest(keyless({ url: url(1) }));
      await q.addRequest(keyless({ url: url(2) }));
      const request = await q.getRequest(requestId);
      await q.updateRequest({ ...request!, handledAt: new Date().toISOString() });
      expect(await headUrls(q)).toEqual([url(2)]);
    });
  });

  describe('locks', () => {
    it('listAndLockHead locks the head for its client; locked requests are not offered again', async () => {
      const q = await queue();
      await q.batchAddRequests([1, 2, 3].map(req));
      const first = await q.listAndLockHead({ limit: 2, lockSecs: 60 });
      expect(first).toMatchObject({ limit: 2, lockSecs: 60, queueHasLockedRequests: true });
      expect(first.items.map((i) => i.url)).toEqual([url(1), url(2)]);
      for (const item of first.items) {
        expect(item.lockExpiresAt).toBeInstanceOf(Date);
        expect(item).toMatchObject({ method: 'GET', retryCount: 0, uniqueKey: item.url });
      }
      const other = client.requestQueue((await q.get())!.id, { clientKey: 'consumer-b' });
      expect((await other.listAndLockHead({ lockSecs: 60 })).items.map((i) => i.url)).toEqual([url(3)]);
      const empty = await other.listAndLockHead({ lockSecs: 60 });
      expect(empty.items).toEqual([]);
      expect(empty.queueHasLockedRequests).toBe(true);
    });

    it('only the locking client may prolong or delete a lock', async () => {
      const q = await queue();
      const { requestId } = await q.addRequest(keyless({ url: url(1) }));
      await q.listAndLockHead({ limit: 1, lockSecs: 60 });
      const other = client.requestQueue((await q.get())!.id, { clientKey: 'consumer-b' });
      await expectCode(other.prolongRequestLock(requestId, { lockSecs: 60 }), 'STORAGE_LOCKED');
      await expectCode(other.deleteRequestLock(requestId), 'STORAGE_LOCKED');
      const before = Date.now();
      const prolonged = await q.prolongRequestLock(requestId, { lockSecs: 120 });
      expect(prolonged.lockExpiresAt.getTime()).toBeGreaterThanOrEqual(before + 119_000);
      await q.deleteRequestLock(requestId);
      expect((await other.listAndLockHead({ lockSecs: 60 })).items.map((i) => i.id)).toEqual([requestId]);
      await expectCode(q.prolongRequestLock('AAAAAAAAAAAAAAA', { lockSecs: 1 }), 'STORAGE_RECORD_NOT_FOUND');
    });

    it('deleteRequestLock with forefront puts the request first; unlockRequests frees all of a client', async () => {
      const q = await queue();
      await q.batchAddRequests([1, 2, 3, 4].map(req));
      const locked = await q.listAndLockHead({ limit: 3, lockSecs: 60 });
      await q.deleteRequestLock(locked.items[2]!.id, { forefront: true });
      expect(await headUrls(q)).toEqual([url(3), url(4), url(1), url(2)]);
      expect(await q.unlockRequests()).toEqual({ unlockedCount: 2 });
      expect((await q.listHead()).items.every((i) => i.lockExpiresAt === undefined)).toBe(true);
      expect(await headUrls(q)).toEqual([url(3), url(1), url(2), url(4)]);
    });

    it('a request whose lock expired is offered again', async () => {
      const q = await queue();
      await q.addRequest(keyless({ url: url(1) }));
      expect((await q.listAndLockHead({ lockSecs: 1 })).items).toHaveLength(1);
      expect((await q.listAndLockHead({ lockSecs: 1 })).items).toHaveLength(0);
      await sleep(1200);
      const other = client.requestQueue((await q.get())!.id, { clientKey: 'consumer-b' });
      expect((await other.listAndLockHead({ lockSecs: 60 })).items.map((i) => i.url)).toEqual([url(1)]);
    });

    it('marking a locked request handled ends its lock', async () => {
      const q = await queue();
      const { requestId } = await q.addRequest(keyless({ url: url(1) }));
      await q.listAndLockHead({ lockSecs: 60 });
      const request = await q.getRequest(requestId);
      await q.updateRequest({ ...request!, handledAt: new Date().toISOString() });
      const head = await q.listAndLockHead({ lockSecs: 60 });
      expect(head).toMatchObject({ items: [], queueHasLockedRequests: false });
      await expectCode(q.prolongRequestLock(requestId, { lockSecs: 60 }), 'STORAGE_RECORD_NOT_FOUND');
    });

    it('checks lock options: lockSecs is required and positive; limit is cut to 25', async () => {
      const q = await queue();
      await expectCode(q.listAndLockHead({} as never), 'STORAGE_INVALID_OPTION', { clientSide: true });
      await expectCode(q.listAndLockHead({ lockSecs: -1 }), 'STORAGE_INVALID_OPTION');
      await q.batchAddRequests(Array.from({ length: 25 }, (_, n) => req(n)));
      await q.addRequest(req(25));
      const locked = await q.listAndLockHead({ lockSecs: 10, limit: 100 });
      expect(locked.limit).toBe(25);
      expect(locked.items).toHaveLength(25);
    });

    it('hadMultipleClients turns true once a second client key changes the queue', async () => {
      const q = await queue('q', 'only-one');
      await q.addRequest(keyless({ url: url(1) }));
      await q.listAndLockHead({ lockSecs: 60 });
      expect((await q.get())?.hadMultipleClients).toBe(false);
      const other = client.requestQueue((await q.get())!.id, { clientKey: 'another' });
      await other.addRequest(keyless({ url: url(2) }));
      expect((await q.get())?.hadMultipleClients).toBe(true);
      expect((await q.listHead()).hadMultipleClients).toBe(true);
    });
  });
});
