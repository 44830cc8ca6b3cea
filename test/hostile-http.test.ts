/**
 * Hostile input to the HTTP server, as raw requests and through apify-client: no token, a wrong
 * token, malformed JSON, bytes that are not UTF-8, a body that is not gzip though it says so, an
 * unknown content encoding, bodies over 9 MiB (plain and as a gzip bomb), look-alike and reserved
 * names and keys, over-limit batches. Each answer has its status and error type (JSON), and the
 * whole storage tree hashes the same before and after; a canary beside the storage dir is
 * untouched. (Path escapes in URLs are covered in server-escape.test.ts.)
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ApifyClient } from 'apify-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActorStorageServer, createServer } from '../src/index.js';
import { errorType, rawRequest } from './helpers/server-http.js';
import { tempDir } from './helpers/tmp.js';
import { treeHash } from './helpers/tree-hash.js';

const TOKEN = 'hostile-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const MB = 1024 * 1024;

let root: { dir: string; cleanup: () => Promise<void> };
let storageDir: string;
let server: ActorStorageServer;
let url: string;
let ids: { ds: string; kv: string; q: string };

beforeAll(async () => {
  root = await tempDir('actor-storage-hostile-http-');
  storageDir = join(root.dir, 'storage');
  await writeFile(join(root.dir, 'canary.txt'), 'canary');
  // Stores made by a first server, closed before the attack, so that no write of the set-up is
  // still in flight when the disk is hashed.
  const setup = createServer({ storageDir, token: TOKEN });
  const setupUrl = await setup.listen();
  const make = async (kind: string) => {
    const res = await rawRequest(setupUrl, {
      method: 'POST',
      path: `/v2/${kind}?name=target`,
      headers: AUTH,
    });
    return (res.json as { data: { id: string } }).data.id;
  };
  ids = { ds: await make('datasets'), kv: await make('key-value-stores'), q: await make('request-queues') };
  await rawRequest(setupUrl, {
    method: 'POST',
    path: `/v2/datasets/${ids.ds}/items`,
    headers: AUTH,
    body: '[{"a":1}]',
  });
  await setup.close();
  server = createServer({ storageDir, token: TOKEN });
  url = await server.listen();
});
afterAll(async () => {
  await server.close();
  await root.cleanup();
});

type Raw = [
  what: string,
  method: string,
  path: () => string,
  headers: Record<string, string>,
  body: Buffer | string | undefined,
  status: number,
  type: string,
];

const items = () => `/v2/datasets/${ids.ds}/items`;
const record = (key: string) => () => `/v2/key-value-stores/${ids.kv}/records/${key}`;
const batch = (n: number) =>
  JSON.stringify(Array.from({ length: n }, (_, i) => ({ url: `https://a.com/${i}`, uniqueKey: `u${i}` })));

const RAW: Raw[] = [
  ['no token', 'POST', () => '/v2/datasets?name=x', {}, undefined, 401, 'token-not-provided'],
  [
    'a wrong token',
    'POST',
    () => '/v2/datasets?name=x',
    { authorization: 'Bearer wrong' },
    undefined,
    401,
    'invalid-token',
  ],
  ['a wrong ?token=', 'POST', () => '/v2/datasets?name=x&token=wrong', {}, undefined, 401, 'invalid-token'],
  [
    'a name address without token',
    'GET',
    () => '/v2/datasets/target/items',
    {},
    undefined,
    401,
    'token-not-provided',
  ],
  [
    'a write by id without token',
    'POST',
    items,
    { 'content-type': 'application/json' },
    '[{"a":2}]',
    401,
    'token-not-provided',
  ],
  ['malformed JSON', 'POST', items, AUTH, '{"a":', 400, 'invalid-request'],
  [
    'bytes that are not UTF-8',
    'POST',
    items,
    AUTH,
    Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    400,
    'invalid-request',
  ],
  ['a JSON string instead of items', 'POST', items, AUTH, '"text"', 400, 'invalid-request'],
  ['numbers instead of items', 'POST', items, AUTH, '[1,2,3]', 400, 'invalid-value'],
  [
    'gzip that is not gzip',
    'POST',
    items,
    { ...AUTH, 'content-encoding': 'gzip' },
    'not gzip',
    400,
    'invalid-request',
  ],
  [
    'brotli that is not brotli',
    'POST',
    items,
    { ...AUTH, 'content-encoding': 'br' },
    'garbage',
    400,
    'invalid-request',
  ],
  [
    'an unknown encoding',
    'POST',
    items,
    { ...AUTH, 'content-encoding': 'compress' },
    '[{"a":2}]',
    415,
    'unsupported-content-encoding',
  ],
  [
    'a 10 MB body',
    'POST',
    items,
    AUTH,
    JSON.stringify({ big: 'x'.repeat(10 * MB) }),
    413,
    'request-too-large',
  ],
  [
    'a gzip bomb (20 MB inflated)',
    'POST',
    items,
    { ...AUTH, 'content-encoding': 'gzip' },
    gzipSync(JSON.stringify({ big: 'x'.repeat(20 * MB) })),
    413,
    'request-too-large',
  ],
  [
    'a 10 MB record',
    'PUT',
    record('big'),
    { ...AUTH, 'content-type': 'application/octet-stream' },
    Buffer.alloc(10 * MB),
    413,
    'request-too-large',
  ],
  ['a JSON record that does not parse', 'PUT', record('bad'), AUTH, '{"a":', 400, 'invalid-value'],
  [
    'a record in bad gzip',
    'PUT',
    record('bad'),
    { ...AUTH, 'content-encoding': 'gzip' },
    'xx',
    400,
    'invalid-request',
  ],
  [
    'a name with U+2024',
    'POST',
    () => '/v2/datasets?name=a%E2%80%A4b',
    AUTH,
    undefined,
    400,
    'invalid-value',
  ],
  [
    'a name of 257 characters',
    'POST',
    () => `/v2/key-value-stores?name=${'n'.repeat(257)}`,
    AUTH,
    undefined,
    400,
    'invalid-value',
  ],
  ['the name CON', 'POST', () => '/v2/request-queues?name=CON', AUTH, undefined, 400, 'invalid-value'],
  [
    'the name __metadata__',
    'POST',
    () => '/v2/datasets?name=__metadata__',
    AUTH,
    undefined,
    400,
    'invalid-value',
  ],
  [
    'an address with U+FF0F',
    'GET',
    () => '/v2/datasets/a%EF%BC%8Fb/items',
    AUTH,
    undefined,
    400,
    'invalid-value',
  ],
  [
    'a rename to a look-alike',
    'PUT',
    () => `/v2/datasets/${ids.ds}`,
    AUTH,
    '{"name":"a\u2024b"}',
    400,
    'invalid-value',
  ],
  [
    'a rename to CON',
    'PUT',
    () => `/v2/key-value-stores/${ids.kv}`,
    AUTH,
    '{"name":"CON"}',
    400,
    'invalid-value',
  ],
  ['a key with U+2024', 'PUT', record('a%E2%80%A4b'), AUTH, '{}', 400, 'invalid-record-key'],
  ['a key with U+FF0F', 'PUT', record('a%EF%BC%8Fb'), AUTH, '{}', 400, 'invalid-record-key'],
  ['a key with U+2215', 'PUT', record('a%E2%88%95b'), AUTH, '{}', 400, 'invalid-record-key'],
  ['a key of 257 characters', 'PUT', record('k'.repeat(257)), AUTH, '{}', 400, 'invalid-record-key'],
  ['the key __metadata__', 'PUT', record('__metadata__'), AUTH, '{}', 400, 'invalid-record-key'],
  ['the key CON', 'PUT', record('CON'), AUTH, '{}', 400, 'invalid-record-key'],
  [
    'a request id with U+2215',
    'GET',
    () => `/v2/request-queues/${ids.q}/requests/a%E2%88%95b`,
    AUTH,
    undefined,
    400,
    'invalid-value',
  ],
  [
    'a request in malformed JSON',
    'POST',
    () => `/v2/request-queues/${ids.q}/requests`,
    AUTH,
    '{"url":',
    400,
    'invalid-request',
  ],
  [
    'a request without a URL',
    'POST',
    () => `/v2/request-queues/${ids.q}/requests`,
    AUTH,
    '{"uniqueKey":"x"}',
    400,
    'invalid-value',
  ],
  [
    'a batch of 26 requests',
    'POST',
    () => `/v2/request-queues/${ids.q}/requests/batch`,
    AUTH,
    batch(26),
    400,
    'invalid-request',
  ],
  [
    'a batch that is not an array',
    'POST',
    () => `/v2/request-queues/${ids.q}/requests/batch`,
    AUTH,
    '{"a":1}',
    400,
    'invalid-request',
  ],
];

async function disk(): Promise<string> {
  return treeHash(root.dir, { ignore: ['storage/.locks'] });
}

describe('hostile requests', () => {
  it(`${RAW.length} raw requests each get their status and error type; the disk is unchanged`, async () => {
    const before = await disk();
    const canary = await stat(join(root.dir, 'canary.txt'));
    const wrong: string[] = [];
    for (const [what, method, path, headers, body, status, type] of RAW) {
      const res = await rawRequest(url, { method, path: path(), headers, body });
      const contentType = String(res.headers['content-type'] ?? '');
      const got = `${res.status} ${errorType(res)} ${contentType.startsWith('application/json') ? 'json' : contentType}`;
      if (got !== `${status} ${type} json`) wrong.push(`${what}: expected ${status} ${type}, got ${got}`);
    }
    expect(wrong).toEqual([]);
    expect(await disk()).toBe(before);
    expect((await stat(join(root.dir, 'canary.txt'))).mtimeMs).toBe(canary.mtimeMs);
  }, 120_000);

  it('apify-client calls with hostile input fail with the status and type of the API; the disk is unchanged', async () => {
    const client = new ApifyClient({ baseUrl: url, token: TOKEN, maxRetries: 0 });
    const intruder = new ApifyClient({ baseUrl: url, token: 'wrong', maxRetries: 0 });
    const calls: Array<[string, () => Promise<unknown>, number, string]> = [
      ['getOrCreate(a\u2024b)', () => client.datasets().getOrCreate('a\u2024b'), 400, 'invalid-value'],
      [
        'getOrCreate(n×257)',
        () => client.keyValueStores().getOrCreate('n'.repeat(257)),
        400,
        'invalid-value',
      ],
      ['getOrCreate(CON)', () => client.requestQueues().getOrCreate('CON'), 400, 'invalid-value'],
      [
        'setRecord(a\uFF0Fb)',
        () => client.keyValueStore(ids.kv).setRecord({ key: 'a\uFF0Fb', value: 1 }),
        400,
        'invalid-record-key',
      ],
      [
        'setRecord(__metadata__)',
        () => client.keyValueStore(ids.kv).setRecord({ key: '__metadata__', value: 1 }),
        400,
        'invalid-record-key',
      ],
      [
        'getRecord(a\u2024b)',
        () => client.keyValueStore(ids.kv).getRecord('a\u2024b'),
        400,
        'invalid-record-key',
      ],
      [
        'pushItems(10 MB)',
        () => client.dataset(ids.ds).pushItems({ big: 'x'.repeat(10 * MB) }),
        413,
        'request-too-large',
      ],
      [
        'update({ name: a\u2215b })',
        () => client.dataset(ids.ds).update({ name: 'a\u2215b' }),
        400,
        'invalid-value',
      ],
      ['a wrong token', () => intruder.datasets().getOrCreate('x'), 401, 'invalid-token'],
      ['a wrong token, by id', () => intruder.dataset(ids.ds).pushItems({ a: 1 }), 401, 'invalid-token'],
    ];
    const before = await disk();
    const wrong: string[] = [];
    for (const [what, call, status, type] of calls) {
      const err = (await call().then(
        () => ({}),
        (e: unknown) => e,
      )) as { statusCode?: number; type?: string };
      if (err.statusCode !== status || err.type !== type) {
        wrong.push(`${what}: expected ${status} ${type}, got ${err.statusCode} ${err.type}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await disk()).toBe(before);
    expect(await readFile(join(root.dir, 'canary.txt'), 'utf8')).toBe('canary');
  }, 120_000);
});
