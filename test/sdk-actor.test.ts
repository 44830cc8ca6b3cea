/**
 * The Apify SDK 3 on the fs engine: `Actor.init({ storage: createFsClient() })`, then
 * `Actor.getInput()`, `pushData()`, `setValue()`, `openRequestQueue()` and named stores read and
 * write our folders. Each run is its own process (test/processes/crawl-sdk-actor.ts), local (no
 * APIFY_TOKEN or platform variables), and purges the default storages on start as the SDK does:
 * INPUT and named storages stay; APIFY_PURGE_ON_START=0 keeps everything.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';
import {
  CRAWL_TIMEOUT,
  childEnv,
  clearCrawleeEnv,
  readItems,
  readRequestFiles,
} from './processes/crawl-expect.js';

const ACTOR = join(import.meta.dirname, 'processes', 'crawl-sdk-actor.ts');
const INPUT = {
  items: [
    { sku: 'A-1', title: 'Ceramic bowl', price: 12.5 },
    { sku: 'A-2', title: 'Tea & biscuits — Zürich 🌍', price: 3 },
    { sku: 'A-3', title: 'شاي', price: 0 },
  ],
  urls: ['https://shop.example/a', 'https://shop.example/b?utm_source=x', 'https://shop.example/b#top'],
};
const INPUT_TEXT = `${JSON.stringify(INPUT, null, 2)}\n`;

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

interface ActorReport {
  input: typeof INPUT;
  runs: number;
  itemCount: number;
  handledRequestCount: number;
  totalRequestCount: number;
}

async function runActor(env: Record<string, string> = {}): Promise<ActorReport> {
  const child = spawn(process.execPath, ['--import', 'tsx', ACTOR], {
    env: childEnv({ APIFY_LOCAL_STORAGE_DIR: dir, ...env }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(0);
  const line = stdout.split('\n').find((l) => l.startsWith('{"input"'));
  return JSON.parse(line ?? '{}') as ActorReport;
}

/** A previous run's leftovers, INPUT placed by hand as a user does, and a named dataset. */
async function seed(): Promise<void> {
  const client = createFsClient({ storageDir: dir });
  const stale = await client.datasets().getOrCreate('default');
  await client.dataset(stale.id).pushItems([{ sku: 'STALE' }]);
  const queue = await client.requestQueues().getOrCreate('default');
  await client.requestQueue(queue.id).addRequest({ url: 'https://old.example/', uniqueKey: 'old' });
  const archive = await client.datasets().getOrCreate('archive');
  await client.dataset(archive.id).pushItems([{ sku: 'KEPT-1' }, { sku: 'KEPT-2' }]);
  await mkdir(join(dir, 'key_value_stores', 'default'), { recursive: true });
  await writeFile(join(dir, 'key_value_stores', 'default', 'INPUT.json'), INPUT_TEXT);
}

const kvsFile = (store: string, file: string) => join(dir, 'key_value_stores', store, file);

/** What the first run left, file by file, where Crawlee and the SDK put it. */
async function expectFirstRunOnDisk(): Promise<void> {
  expect(await readItems(dir)).toEqual(INPUT.items);
  const itemFiles = (await readdir(join(dir, 'datasets', 'default'))).filter((f) => /^\d+\.json$/.test(f));
  expect(itemFiles.sort()).toEqual(['000000001.json', '000000002.json', '000000003.json']);
  expect(await readFile(kvsFile('default', 'INPUT.json'), 'utf8')).toBe(INPUT_TEXT);
  expect(JSON.parse(await readFile(kvsFile('default', 'OUTPUT.json'), 'utf8'))).toEqual({
    itemsPushed: 3,
  });
  expect([...(await readFile(kvsFile('default', 'picture.png')))]).toEqual([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a,
  ]);
  const sidecar = JSON.parse(await readFile(kvsFile('default', 'picture.__metadata__.json'), 'utf8'));
  expect(sidecar).toMatchObject({ key: 'picture', contentType: 'image/png' });
  const requests = await readRequestFiles(dir);
  expect(requests.map((r) => r.url).sort()).toEqual([
    'https://shop.example/a',
    'https://shop.example/b?utm_source=x',
  ]);
  expect(requests.filter((r) => r.orderNo === null)).toHaveLength(1);
  expect(await readItems(dir, 'archive')).toEqual([{ sku: 'KEPT-1' }, { sku: 'KEPT-2' }]);
  expect(JSON.parse(await readFile(kvsFile('settings', 'runs.json'), 'utf8'))).toBe(1);
}

describe('Apify SDK Actor on the fs engine', () => {
  it(
    'reads INPUT and writes items, records and requests to the folders; purges on start, keeps INPUT and named storages',
    async () => {
      await seed();
      const first = await runActor();
      expect(first).toEqual({
        input: INPUT,
        runs: 1,
        itemCount: 3,
        handledRequestCount: 1,
        totalRequestCount: 2,
      });

      await expectFirstRunOnDisk();

      // APIFY_PURGE_ON_START=0: the run continues on what the last one left.
      const second = await runActor({ APIFY_PURGE_ON_START: '0' });
      expect(second).toMatchObject({ runs: 2, itemCount: 6, handledRequestCount: 2, totalRequestCount: 2 });
      expect((await readItems(dir)).map((item) => item.sku)).toEqual([
        'A-1',
        'A-2',
        'A-3',
        'A-1',
        'A-2',
        'A-3',
      ]);

      // The default again: default storages emptied, INPUT and named storages as they were.
      const third = await runActor();
      expect(third).toEqual({
        input: INPUT,
        runs: 3,
        itemCount: 3,
        handledRequestCount: 1,
        totalRequestCount: 2,
      });
      expect(await readItems(dir)).toEqual(INPUT.items);
      expect(await readFile(kvsFile('default', 'INPUT.json'), 'utf8')).toBe(INPUT_TEXT);
      expect(await readItems(dir, 'archive')).toEqual([{ sku: 'KEPT-1' }, { sku: 'KEPT-2' }]);
    },
    CRAWL_TIMEOUT,
  );
});
