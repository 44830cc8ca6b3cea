import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './conformance/harness.js';
import { errorType, type RawResponse, rawRequest } from './helpers/server-http.js';

let t: TestServer;
let auth: Record<string, string>;
let queueId: string;

beforeAll(async () => {
  t = await startTestServer();
  auth = { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' };
  queueId = (await t.client.requestQueues().getOrCreate('wire')).id;
});

afterAll(async () => {
  await t.close();
});

function call(method: string, path: string, body?: unknown): Promise<RawResponse> {
  return rawRequest(t.url, {
    method,
    path: `/v2/request-queues/${queueId}${path}`,
    headers: auth,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const data = (res: RawResponse) => (res.json as { data: Record<string, unknown> }).data;

describe('request queue endpoints on the wire', () => {
  it('answers each call with the platform status and envelope', async () => {
    const add = await call('POST', '/requests?clientKey=worker-1', {
      url: 'https://a.example',
      uniqueKey: 'a',
    });
    expect(add.status).toBe(201);
    expect(data(add)).toEqual({
      requestId: expect.any(String),
      wasAlreadyPresent: false,
      wasAlreadyHandled: false,
    });
    const requestId = data(add).requestId as string;

    const batch = await call('POST', '/requests/batch?clientKey=worker-1', [
      { url: 'https://b.example', uniqueKey: 'b' },
      { url: 'https://a.example', uniqueKey: 'a' },
    ]);
    expect(batch.status).toBe(201);
    const processed = data(batch).processedRequests as Array<Record<string, unknown>>;
    expect(processed.map((p) => [p.uniqueKey, p.wasAlreadyPresent])).toEqual([
      ['b', false],
      ['a', true],
    ]);
    expect(data(batch).unprocessedRequests).toEqual([]);

    const head = await call('GET', '/head?limit=10&clientKey=worker-1');
    expect(head.status).toBe(200);
    expect(data(head)).toMatchObject({ limit: 10, queueModifiedAt: expect.stringMatching(/Z$/) });

    const lock = await call('POST', '/head/lock?lockSecs=60&limit=1&clientKey=worker-1');
    expect(lock.status).toBe(201);
    const locked = data(lock).items as Array<{ id: string; lockExpiresAt: string }>;
    expect(locked).toHaveLength(1);
    expect(locked[0]!.lockExpiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    const lockedId = locked[0]!.id;

    const other = await call('PUT', `/requests/${lockedId}/lock?lockSecs=30&clientKey=worker-2`);
    expect(other.status).toBeGreaterThanOrEqual(400);
    const prolong = await call('PUT', `/requests/${lockedId}/lock?lockSecs=30&clientKey=worker-1`);
    expect(prolong.status).toBe(200);
    expect(data(prolong).lockExpiresAt).toMatch(/Z$/);
    const unlock = await call('DELETE', `/requests/${lockedId}/lock?clientKey=worker-1`);
    expect(unlock.status).toBe(204);

    await call('POST', '/head/lock?lockSecs=60&limit=5&clientKey=worker-1');
    const unlockAll = await call('POST', '/requests/unlock?clientKey=worker-1');
    expect(unlockAll.status).toBe(200);
    expect(data(unlockAll).unlockedCount).toBe(2);

    const got = await call('GET', `/requests/${requestId}`);
    expect(data(got)).toMatchObject({ id: requestId, uniqueKey: 'a', url: 'https://a.example' });
    const updated = await call('PUT', `/requests/${requestId}`, {
      ...data(got),
      handledAt: new Date().toISOString(),
    });
    expect(updated.status).toBe(200);
    expect(data(updated)).toMatchObject({ requestId, wasAlreadyPresent: true });
    const list = await call('GET', '/requests?limit=10');
    expect((data(list).items as unknown[]).length).toBe(2);
    const del = await call('DELETE', `/requests/${requestId}`);
    expect(del.status).toBe(204);
    const missing = await call('GET', `/requests/${requestId}`);
    expect(missing.status).toBe(404);
    expect(errorType(missing)).toBe('record-not-found');
    const batchDelete = await call('DELETE', '/requests/batch', [{ uniqueKey: 'b' }]);
    expect(batchDelete.status).toBe(200);
    expect((data(batchDelete).processedRequests as unknown[]).length).toBe(1);
  });

  it('keeps the locks of a caller that sends no clientKey its own across calls', async () => {
    const q = (await t.client.requestQueues().getOrCreate('no-key')).id;
    const client = t.client.requestQueue(q);
    await client.addRequest({ url: 'https://c.example', uniqueKey: 'c' });
    const { items } = await client.listAndLockHead({ lockSecs: 60 });
    expect(items).toHaveLength(1);
    await expect(client.prolongRequestLock(items[0]!.id, { lockSecs: 10 })).resolves.toMatchObject({
      lockExpiresAt: expect.any(Date),
    });
    await client.deleteRequestLock(items[0]!.id);
  });

  it('refuses batches over 25, missing lockSecs, malformed request ids and bodies', async () => {
    const before = (await t.client.requestQueue(queueId).get())?.totalRequestCount;
    const tooMany = Array.from({ length: 26 }, (_, i) => ({
      url: `https://x.example/${i}`,
      uniqueKey: `x${i}`,
    }));
    const big = await call('POST', '/requests/batch', tooMany);
    expect(big.status).toBe(400);
    expect(errorType(big)).toBe('invalid-request');
    expect((await call('POST', '/head/lock')).status).toBe(400);
    expect((await call('GET', '/requests/bad.id')).status).toBe(400);
    expect((await call('POST', '/requests', ['not', 'an', 'object'])).status).toBe(400);
    expect((await t.client.requestQueue(queueId).get())?.totalRequestCount).toBe(before);
  });
});
