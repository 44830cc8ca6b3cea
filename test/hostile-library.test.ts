/**
 * Hostile input at every public entry point of the library (the client and the classes): names,
 * addresses, keys and request ids with `..`, `/`, `\`, NUL, unicode look-alikes of `.` and `/`,
 * 257+ characters, reserved names, things that look like paths; values JSON cannot hold (BigInt,
 * circular, functions); a 10 MB item; a batch over the platform's limit. Each call fails with its
 * code (a StorageError, never a raw error), and the whole storage tree hashes the same before and
 * after, as does a canary file beside the storage dir. A batch of 100,000 small items is within
 * the platform's 9 MB payload and is stored exactly.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFsClient,
  Dataset,
  type ErrorCode,
  type FsClient,
  KeyValueStore,
  RequestQueue,
  Storage,
  StorageError,
} from '../src/index.js';
import { tempDir } from './helpers/tmp.js';
import { treeHash } from './helpers/tree-hash.js';

/** Names and addresses a user (or an attacker) could pass where a storage name or id goes. */
const BAD_NAMES = [
  '..',
  '../outside',
  '../../etc/passwd',
  'a/b',
  'a\\b',
  '..\\outside',
  'a\u0000b',
  'a\u2024b', // one dot leader, looks like "."
  '\u2024\u2024',
  'a\uFF0Fb', // fullwidth solidus, looks like "/"
  'a\u2215b', // division slash
  'n'.repeat(257),
  '__metadata__',
  '__metadata__.json',
  'CON',
  'nul',
  '.',
  '',
  '/etc',
  'C:\\Windows',
  '%2e%2e%2f',
  '..%5c',
];
/** Record keys, likewise. */
const BAD_KEYS = [
  '..',
  '../outside',
  'a/b',
  'a\\b',
  'a\u0000b',
  'a\u2024b',
  'a\uFF0Fb',
  'a\u2215b',
  'k'.repeat(257),
  '__metadata__',
  'x.__metadata__.json',
  'CON',
  '.',
  '',
  '%2e%2e%2f',
  '.tmp-x',
];
/** Request ids that look like paths. */
const BAD_REQUEST_IDS = ['..', '../x', 'a/b', 'a\\b', 'a\u0000b', 'a\u2215b', '%2e%2e', 'i'.repeat(200)];

function circular(): Record<string, unknown> {
  const value: Record<string, unknown> = { a: 1 };
  value.self = value;
  return value;
}
const BAD_VALUES: Array<[string, unknown]> = [
  ['a BigInt', { n: 10n }],
  ['a circular object', circular()],
  ['a function', { f: () => 1 }],
  ['a symbol', { s: Symbol('x') }],
];
const TEN_MB = 'x'.repeat(10 * 1024 * 1024);

let root: { dir: string; cleanup: () => Promise<void> };
let storageDir: string;
let canary: string;
let client: FsClient;
let ids: { dataset: string; store: string; queue: string };

beforeAll(async () => {
  root = await tempDir('actor-storage-hostile-');
  storageDir = join(root.dir, 'storage');
  canary = join(root.dir, 'canary.txt');
  await writeFile(canary, 'canary');
  await mkdir(join(root.dir, 'outside'));
  await writeFile(join(root.dir, 'outside', 'secret.txt'), 'keep me');
  client = createFsClient({ storageDir });
  ids = {
    dataset: (await client.datasets().getOrCreate('target')).id,
    store: (await client.keyValueStores().getOrCreate('target')).id,
    queue: (await client.requestQueues().getOrCreate('target')).id,
  };
  await client.dataset(ids.dataset).pushItems({ good: true });
  await client.keyValueStore(ids.store).setRecord({ key: 'good', value: { good: true } });
  await client.requestQueue(ids.queue).addRequest({ url: 'https://example.com/', uniqueKey: 'good' });
  await client.teardown();
});
afterAll(async () => {
  await root.cleanup();
});

type Call = [what: string, run: () => unknown, code: ErrorCode];

function nameCalls(name: string): Call[] {
  const opts = { storageDir };
  const n = JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name);
  return [
    [`datasets().getOrCreate(${n})`, () => client.datasets().getOrCreate(name), 'STORAGE_INVALID_NAME'],
    [
      `keyValueStores().getOrCreate(${n})`,
      () => client.keyValueStores().getOrCreate(name),
      'STORAGE_INVALID_NAME',
    ],
    [
      `requestQueues().getOrCreate(${n})`,
      () => client.requestQueues().getOrCreate(name),
      'STORAGE_INVALID_NAME',
    ],
    [`dataset(${n}).get()`, () => client.dataset(name).get(), 'STORAGE_INVALID_NAME'],
    [`dataset(${n}).pushItems()`, () => client.dataset(name).pushItems({ a: 1 }), 'STORAGE_INVALID_NAME'],
    [`dataset(${n}).listItems()`, () => client.dataset(name).listItems(), 'STORAGE_INVALID_NAME'],
    [`dataset(${n}).delete()`, () => client.dataset(name).delete(), 'STORAGE_INVALID_NAME'],
    [
      `keyValueStore(${n}).setRecord()`,
      () => client.keyValueStore(name).setRecord({ key: 'a', value: 1 }),
      'STORAGE_INVALID_NAME',
    ],
    [
      `keyValueStore(${n}).getRecord()`,
      () => client.keyValueStore(name).getRecord('a'),
      'STORAGE_INVALID_NAME',
    ],
    [
      `requestQueue(${n}).addRequest()`,
      () => client.requestQueue(name).addRequest({ url: 'https://a.com', uniqueKey: 'a' }),
      'STORAGE_INVALID_NAME',
    ],
    [
      `dataset(target).update({ name: ${n} })`,
      () => client.dataset(ids.dataset).update({ name }),
      'STORAGE_INVALID_NAME',
    ],
    [
      `keyValueStore(target).update({ name: ${n} })`,
      () => client.keyValueStore(ids.store).update({ name }),
      'STORAGE_INVALID_NAME',
    ],
    [
      `requestQueue(target).update({ name: ${n} })`,
      () => client.requestQueue(ids.queue).update({ name }),
      'STORAGE_INVALID_NAME',
    ],
    [`Dataset.open(${n})`, () => Dataset.open(name, opts), 'STORAGE_INVALID_NAME'],
    [`KeyValueStore.open(${n})`, () => KeyValueStore.open(name, opts), 'STORAGE_INVALID_NAME'],
    [`RequestQueue.open(${n})`, () => RequestQueue.open(name, opts), 'STORAGE_INVALID_NAME'],
    [`Storage.open('dataset', ${n})`, () => Storage.open('dataset', name, opts), 'STORAGE_INVALID_NAME'],
  ];
}

function keyCalls(key: string): Call[] {
  const k = JSON.stringify(key.length > 20 ? `${key.slice(0, 8)}…(${key.length})` : key);
  const store = () => client.keyValueStore(ids.store);
  const kvs = () => KeyValueStore.open('target', { storageDir });
  return [
    [`setRecord(${k})`, () => store().setRecord({ key, value: { a: 1 } }), 'STORAGE_INVALID_KEY'],
    [`getRecord(${k})`, () => store().getRecord(key), 'STORAGE_INVALID_KEY'],
    [`recordExists(${k})`, () => store().recordExists(key), 'STORAGE_INVALID_KEY'],
    [`deleteRecord(${k})`, () => store().deleteRecord(key), 'STORAGE_INVALID_KEY'],
    [
      `KeyValueStore#setValue(${k})`,
      async () => (await kvs()).setValue(key, { a: 1 }),
      'STORAGE_INVALID_KEY',
    ],
    [`KeyValueStore#getValue(${k})`, async () => (await kvs()).getValue(key), 'STORAGE_INVALID_KEY'],
  ];
}

function requestIdCalls(id: string): Call[] {
  const r = JSON.stringify(id.length > 20 ? `${id.slice(0, 8)}…(${id.length})` : id);
  const queue = () => client.requestQueue(ids.queue);
  return [
    [`getRequest(${r})`, () => queue().getRequest(id), 'STORAGE_INVALID_ID'],
    [`deleteRequest(${r})`, () => queue().deleteRequest(id), 'STORAGE_INVALID_ID'],
    [
      `prolongRequestLock(${r})`,
      () => queue().prolongRequestLock(id, { lockSecs: 10 }),
      'STORAGE_INVALID_ID',
    ],
    [`deleteRequestLock(${r})`, () => queue().deleteRequestLock(id), 'STORAGE_INVALID_ID'],
    [
      `updateRequest({ id: ${r} })`,
      () => queue().updateRequest({ id, url: 'https://a.com', uniqueKey: 'a' }),
      'STORAGE_INVALID_VALUE', // the id is a field of the request passed in
    ],
  ];
}

function valueCalls(): Call[] {
  const calls: Call[] = [];
  for (const [what, value] of BAD_VALUES) {
    calls.push(
      [
        `pushItems(${what})`,
        () => client.dataset(ids.dataset).pushItems(value as never),
        'STORAGE_INVALID_VALUE',
      ],
      [
        `Dataset#pushData(${what})`,
        async () => (await Dataset.open('target', { storageDir })).pushData(value as never),
        'STORAGE_INVALID_VALUE',
      ],
      [
        `setRecord(${what})`,
        () => client.keyValueStore(ids.store).setRecord({ key: 'v', value }),
        'STORAGE_INVALID_VALUE',
      ],
      [
        `KeyValueStore#setValue(${what})`,
        async () => (await KeyValueStore.open('target', { storageDir })).setValue('v', value),
        'STORAGE_INVALID_VALUE',
      ],
      [
        `addRequest(userData: ${what})`,
        () =>
          client
            .requestQueue(ids.queue)
            .addRequest({ url: 'https://a.com/v', uniqueKey: 'v', userData: value as never }),
        'STORAGE_INVALID_VALUE',
      ],
    );
  }
  calls.push(
    [
      `pushItems(a function)`,
      () => client.dataset(ids.dataset).pushItems((() => 1) as never),
      'STORAGE_INVALID_VALUE',
    ],
    [
      `pushItems(a 10 MB item)`,
      () => client.dataset(ids.dataset).pushItems({ big: TEN_MB }),
      'STORAGE_ITEM_TOO_LARGE',
    ],
    [
      `Dataset#pushData(a 10 MB item)`,
      async () => (await Dataset.open('target', { storageDir })).pushData({ big: TEN_MB }),
      'STORAGE_ITEM_TOO_LARGE',
    ],
    [
      `batchAddRequests(100,000 requests)`,
      () =>
        client
          .requestQueue(ids.queue)
          .batchAddRequests(
            Array.from({ length: 100_000 }, (_, i) => ({ url: `https://a.com/${i}`, uniqueKey: `b${i}` })),
          ),
      'STORAGE_PAYLOAD_TOO_LARGE',
    ],
    [
      `createFsClient({ storageDir: 1 })`,
      () => createFsClient({ storageDir: 1 as never }),
      'STORAGE_INVALID_OPTION',
    ],
    [
      `createFsClient({ unknown: 1 })`,
      () => createFsClient({ unknown: 1 } as never),
      'STORAGE_INVALID_OPTION',
    ],
  );
  return calls;
}

/** Runs `call` and returns the error it failed with (or a note that it did not fail). */
async function failure(run: () => unknown): Promise<unknown> {
  try {
    const result = run();
    // listItems returns a lazy thenable: awaiting it runs it.
    await result;
    return new Error('did not fail');
  } catch (err) {
    return err;
  }
}

const ALL: Call[] = [
  ...BAD_NAMES.flatMap(nameCalls),
  ...BAD_KEYS.flatMap(keyCalls),
  ...BAD_REQUEST_IDS.flatMap(requestIdCalls),
  ...valueCalls(),
];

describe('hostile input to the library', () => {
  it(`${ALL.length} calls each fail with their code and change nothing on disk`, async () => {
    const outcomes: string[] = [];
    const before = await treeHash(storageDir, { ignore: ['.locks'] });
    const canaryBefore = await stat(canary);
    for (const [what, run, code] of ALL) {
      const err = await failure(run);
      const got = err instanceof StorageError ? err.code : `not a StorageError: ${String(err).slice(0, 80)}`;
      if (got !== code) outcomes.push(`${what}: expected ${code}, got ${got}`);
    }
    expect(outcomes).toEqual([]);
    expect(await treeHash(storageDir, { ignore: ['.locks'] })).toBe(before);
    expect(await readFile(canary, 'utf8')).toBe('canary');
    expect((await stat(canary)).mtimeMs).toBe(canaryBefore.mtimeMs);
    expect(await readFile(join(root.dir, 'outside', 'secret.txt'), 'utf8')).toBe('keep me');
  }, 120_000);

  it('a batch of 100,000 small items (within the 9 MB payload limit) is stored exactly', async () => {
    const items = Array.from({ length: 100_000 }, (_, i) => ({ i }));
    const { id } = await client.datasets().getOrCreate('bulk');
    await client.dataset(id).pushItems(items);
    const info = await client.dataset(id).get();
    expect(info?.itemCount).toBe(100_000);
    const last = await client.dataset(id).listItems({ offset: 99_990 });
    expect(last.items.map((item) => item.i)).toEqual(Array.from({ length: 10 }, (_, i) => 99_990 + i));
  }, 300_000);
});
