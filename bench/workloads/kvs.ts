/** Key-value store workloads: small records set and read, 1 MB records, listing every key. */
import { makeBlob, makeRecord, recordKey } from '../data.js';
import { type EngineName, openEngine } from '../engines.js';
import { check, type Fixture, type Timed, timed, type Workload, type WorkloadContext } from '../workload.js';
import { NAME } from './dataset.js';

const ENGINES = ['ours', 'memory-storage', 'storage-local'] as const;

async function setSmall(ctx: WorkloadContext, count: number) {
  const { client, flush } = await openEngine(ctx.runner as EngineName, ctx.dir);
  const store = client.keyValueStore((await client.keyValueStores().getOrCreate(NAME)).id);
  for (let i = 0; i < count; i++) await store.setRecord({ key: recordKey(i), value: makeRecord(i) });
  await flush();
}

/** Every key of the store, page by page (1,000 a page). */
async function listAllKeys(ctx: WorkloadContext): Promise<string[]> {
  const { client, flush } = await openEngine(ctx.runner as EngineName, ctx.dir);
  const store = client.keyValueStore((await client.keyValueStores().getOrCreate(NAME)).id);
  const keys: string[] = [];
  let exclusiveStartKey: string | undefined;
  for (;;) {
    const page = await store.listKeys({ limit: 1000, ...(exclusiveStartKey ? { exclusiveStartKey } : {}) });
    for (const item of page.items) keys.push(item.key);
    if (!page.isTruncated || page.items.length === 0) break;
    exclusiveStartKey = page.nextExclusiveStartKey ?? page.items.at(-1)?.key;
  }
  await flush();
  return keys;
}

function checkKeys(keys: readonly string[], count: number): void {
  check(keys.length === count, `${keys.length} keys listed, expected ${count}`);
  keys.forEach((key, i) => {
    check(key === recordKey(i), `key ${i} is ${key}, expected ${recordKey(i)}`);
  });
}

/** The read fixture: `records` small records, set by the engine itself. */
const recordsFixture: Fixture = {
  id: 'records',
  prepare: (ctx) => setSmall(ctx, ctx.scale.records),
};

async function runSetSmall(ctx: WorkloadContext): Promise<Timed> {
  const count = ctx.scale.records;
  const { seconds } = await timed(() => setSmall(ctx, count));
  checkKeys(await listAllKeys(ctx), count);
  return { ops: count, seconds };
}

async function runGetSmall(ctx: WorkloadContext): Promise<Timed> {
  const count = ctx.scale.records;
  const values: unknown[] = [];
  const { seconds } = await timed(async () => {
    const { client, flush } = await openEngine(ctx.runner as EngineName, ctx.dir);
    const store = client.keyValueStore((await client.keyValueStores().getOrCreate(NAME)).id);
    for (let i = 0; i < count; i++) values.push((await store.getRecord(recordKey(i)))?.value);
    await flush();
  });
  values.forEach((value, i) => {
    check((value as { n?: number } | undefined)?.n === i, `record ${recordKey(i)} read back wrong`);
  });
  return { ops: count, seconds };
}

async function runSetLarge(ctx: WorkloadContext): Promise<Timed> {
  const count = ctx.scale.largeRecords;
  const blobs = Array.from({ length: count }, (_, i) => makeBlob(i));
  const { seconds } = await timed(async () => {
    const { client, flush } = await openEngine(ctx.runner as EngineName, ctx.dir);
    const store = client.keyValueStore((await client.keyValueStores().getOrCreate(NAME)).id);
    for (let i = 0; i < count; i++) {
      await store.setRecord({ key: `blob-${i}`, value: blobs[i], contentType: 'application/octet-stream' });
    }
    await flush();
  });
  const { client, flush } = await openEngine(ctx.runner as EngineName, ctx.dir);
  const store = client.keyValueStore((await client.keyValueStores().getOrCreate(NAME)).id);
  for (let i = 0; i < count; i += Math.max(1, Math.floor(count / 5))) {
    const value = (await store.getRecord(`blob-${i}`))?.value;
    check(
      Buffer.isBuffer(value) && value.equals(blobs[i] as Buffer),
      `1 MB record blob-${i} read back wrong`,
    );
  }
  await flush();
  return { ops: count, seconds };
}

async function runListKeys(ctx: WorkloadContext): Promise<Timed> {
  const { value: keys, seconds } = await timed(() => listAllKeys(ctx));
  checkKeys(keys, ctx.scale.records);
  return { ops: keys.length, seconds };
}

export const kvsWorkloads: Workload[] = [
  {
    id: 'kvs-set-small',
    title: 'Key-value store: set small records one by one',
    unit: 'records',
    runners: ENGINES,
    size: (s) => s.records,
    run: runSetSmall,
  },
  {
    id: 'kvs-get-small',
    title: 'Key-value store: get small records (new process)',
    unit: 'records',
    runners: ENGINES,
    size: (s) => s.records,
    fixture: recordsFixture,
    run: runGetSmall,
  },
  {
    id: 'kvs-set-large',
    title: 'Key-value store: set 1 MB records',
    unit: 'records',
    runners: ENGINES,
    size: (s) => s.largeRecords,
    run: runSetLarge,
  },
  {
    id: 'kvs-list-keys',
    title: 'Key-value store: list every key (new process)',
    unit: 'keys',
    runners: ENGINES,
    size: (s) => s.records,
    fixture: recordsFixture,
    run: runListKeys,
  },
];
