import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadShopManifest } from '../fixtures/shop/manifest.js';
import { tempDir } from './helpers/tmp.js';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '..', 'examples', 'shop-actor', 'main.ts');

async function runActor(storageDir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, APIFY_LOCAL_STORAGE_DIR: storageDir };
  delete env.CRAWLEE_STORAGE_DIR;
  delete env.CRAWLEE_PURGE_ON_START;
  delete env.APIFY_PURGE_ON_START;
  return run(process.execPath, ['--import', 'tsx', MAIN], { env, timeout: 120_000 });
}

async function writeInput(storageDir: string, text: string) {
  const dir = join(storageDir, 'key_value_stores', 'default');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'INPUT.json'), text);
}

describe('the example actor (npm start)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  it('crawls the shop into a dataset, records, a queue and a CSV, and says where to look', async () => {
    const bundled = await readFile(
      join(import.meta.dirname, '..', 'apify_storage/key_value_stores/default/INPUT.json'),
    );
    await writeInput(dir, bundled.toString());
    const { stdout } = await runActor(dir);
    const manifest = loadShopManifest();

    const items = (await readdir(join(dir, 'datasets', 'default'))).filter((f) => /^\d{9}\.json$/.test(f));
    expect(items).toHaveLength(manifest.products.length);
    const csv = parse(await readFile(join(dir, 'exports', 'products.csv')), {
      columns: true,
      bom: true,
    }) as Array<Record<string, string>>;
    expect(new Set(csv.map((row) => new URL(row.url ?? '').pathname))).toEqual(
      new Set(manifest.products.map((p) => p.path)),
    );
    const kvs = await readdir(join(dir, 'key_value_stores', 'default'));
    expect(kvs).toEqual(expect.arrayContaining(['INPUT.json', 'STATE.json', 'snapshot-home.html']));
    const queueMeta = JSON.parse(
      await readFile(join(dir, 'request_queues', 'default', '__metadata__.json'), 'utf8'),
    );
    expect(queueMeta.handledRequestCount).toBe(manifest.pages.length);
    expect(queueMeta.pendingRequestCount).toBe(0);
    expect(stdout).toContain(`Done: ${manifest.products.length} products in the dataset`);
    expect(stdout).toContain('Where to look:');
  });

  it('run twice: resume keeps the finished crawl, a fresh start purges and crawls again', async () => {
    await writeInput(dir, '{ resume: true, maxPages: 40, } // json5 input');
    await runActor(dir);
    const firstCount = (await readdir(join(dir, 'datasets', 'default'))).filter((f) =>
      f.endsWith('.json'),
    ).length;
    expect(firstCount).toBeLessThan(loadShopManifest().products.length + 1);

    await writeInput(dir, '{ resume: true }');
    const resumed = await runActor(dir);
    expect(resumed.stdout).toContain(`Done: ${loadShopManifest().products.length} products`);

    await writeInput(dir, '{ resume: false, maxPages: 10 }');
    await runActor(dir);
    const meta = JSON.parse(
      await readFile(join(dir, 'request_queues', 'default', '__metadata__.json'), 'utf8'),
    );
    expect(meta.handledRequestCount).toBeLessThanOrEqual(10 + 4);
    const input = await readFile(join(dir, 'key_value_stores', 'default', 'INPUT.json'), 'utf8');
    expect(input).toContain('resume: false');
  });
});
