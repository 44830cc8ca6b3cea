import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ApifyClient } from 'apify-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import { TOKEN_FILE } from '../src/server/index.js';
import { startTestServer, type TestServer } from './conformance/harness.js';
import { errorType, rawRequest } from './helpers/server-http.js';
import { tempDir } from './helpers/tmp.js';

let t: TestServer;
let datasetId: string;

beforeAll(async () => {
  t = await startTestServer({ username: 'alice' });
  datasetId = (await t.client.datasets().getOrCreate('public-ds')).id;
  await t.client.dataset(datasetId).pushItems([{ a: 1 }]);
});

afterAll(async () => {
  await t.close();
});

describe('token access', () => {
  it('reads by the 17-character id without a token (store, items)', async () => {
    const anonymous = new ApifyClient({ baseUrl: t.url, maxRetries: 0 });
    expect((await anonymous.dataset(datasetId).get())?.id).toBe(datasetId);
    expect((await anonymous.dataset(datasetId).listItems()).items).toEqual([{ a: 1 }]);
  });

  it('needs the token for writes, lists, creates and every name address (401 token-not-provided)', async () => {
    const cases: Array<[string, string]> = [
      ['POST', `/v2/datasets/${datasetId}/items`],
      ['PUT', `/v2/datasets/${datasetId}`],
      ['DELETE', `/v2/datasets/${datasetId}`],
      ['GET', '/v2/datasets'],
      ['POST', '/v2/datasets?name=x'],
      ['GET', '/v2/datasets/~public-ds'],
      ['GET', '/v2/datasets/alice~public-ds'],
      ['GET', '/v2/datasets/public-ds/items'],
      ['GET', '/v2/datasets/default'],
      ['GET', '/v2/key-value-stores/default/records/INPUT'],
      ['GET', '/v2/request-queues'],
    ];
    for (const [method, path] of cases) {
      const res = await rawRequest(t.url, { method, path, body: method === 'GET' ? undefined : '{}' });
      expect([method, path, res.status]).toEqual([method, path, 401]);
      expect(errorType(res)).toBe('token-not-provided');
    }
    const anonymous = new ApifyClient({ baseUrl: t.url, maxRetries: 0 });
    await expect(anonymous.dataset(datasetId).pushItems({ b: 2 })).rejects.toMatchObject({
      statusCode: 401,
      type: 'token-not-provided',
    });
    expect((await t.client.dataset(datasetId).get())?.itemCount).toBe(1);
  });

  it('refuses a wrong token with 401 invalid-token, even for a read by id', async () => {
    const wrong = new ApifyClient({ baseUrl: t.url, token: 'not-the-token', maxRetries: 0 });
    await expect(wrong.dataset(datasetId).get()).rejects.toMatchObject({
      statusCode: 401,
      type: 'invalid-token',
    });
    await expect(wrong.datasets().list()).rejects.toMatchObject({ statusCode: 401, type: 'invalid-token' });
  });

  it('takes the token from ?token= as well', async () => {
    const res = await rawRequest(t.url, { path: `/v2/datasets?token=${t.token}` });
    expect(res.status).toBe(200);
    const bad = await rawRequest(t.url, { path: '/v2/datasets?token=nope' });
    expect(errorType(bad)).toBe('invalid-token');
  });

  it('resolves the configured username and hides other users’ stores', async () => {
    expect((await t.client.dataset('alice/public-ds').get())?.id).toBe(datasetId);
    expect((await t.client.dataset('ALICE~public-ds').get())?.id).toBe(datasetId);
    expect(await t.client.dataset('bob/public-ds').get()).toBeUndefined();
  });

  it('does not open a store named like an id to a caller without the token', async () => {
    const idLike = 'abcdefghijABCDEFG';
    const named = await t.client.datasets().getOrCreate(idLike);
    expect(named.id).not.toBe(idLike);
    const anonymous = new ApifyClient({ baseUrl: t.url, maxRetries: 0 });
    expect(await anonymous.dataset(idLike).get()).toBeUndefined();
    const items = await rawRequest(t.url, { path: `/v2/datasets/${idLike}/items` });
    expect(items.status).toBe(404);
    expect((await t.client.dataset(idLike).get())?.id).toBe(named.id);
  });
});

describe('server token file', () => {
  it('generates a token on first listen, keeps it readable by the user only, reuses it', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const first = createServer({ storageDir: dir });
      await first.listen();
      const token = first.token;
      expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      await first.close();
      const mode = (await stat(join(dir, TOKEN_FILE))).mode & 0o777;
      expect(mode).toBe(0o600);
      const second = createServer({ storageDir: dir });
      const url = await second.listen();
      expect(second.token).toBe(token);
      const res = await rawRequest(url, {
        path: '/v2/datasets',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      await second.close();
    } finally {
      await cleanup();
    }
  });

  it('refuses a bad username', () => {
    expect(() => createServer({ storageDir: '/tmp/x', token: 't', username: 'a/b' })).toThrow(
      expect.objectContaining({ code: 'STORAGE_INVALID_OPTION' }),
    );
  });
});
