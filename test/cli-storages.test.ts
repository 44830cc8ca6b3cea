import { existsSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/cli/index.js';
import { createFsClient } from '../src/index.js';
import { cli, cliJson, jsonError } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

// Each test spawns the CLI several times; on a busy machine a spawn takes seconds.
vi.setConfig({ testTimeout: 180_000 });

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function du(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await du(path) : (await lstat(path)).size;
  }
  return total;
}

interface Seeded {
  root: string;
  ids: { products: string; unnamed: string; kvs: string; queue: string; defaultDataset: string };
}

/** A named dataset, an unnamed one, the default storages (INPUT and OUTPUT records) and a named queue. */
async function seed(): Promise<Seeded> {
  const { dir: root, cleanup } = await tempDir('actor-storage-cli-');
  cleanups.push(cleanup);
  const client = createFsClient({ storageDir: root });
  const products = await client.datasets().getOrCreate('products');
  await client.dataset(products.id).pushItems([{ title: 'Lamp' }, { title: 'Desk' }, { title: 'Chair' }]);
  const unnamed = await client.datasets().getOrCreate();
  await client.dataset(unnamed.id).pushItems([{ tmp: true }]);
  const defaultDataset = await client.datasets().getOrCreate('default');
  await client.dataset(defaultDataset.id).pushItems([{ run: 1 }, { run: 2 }]);
  const kvs = await client.keyValueStores().getOrCreate('default');
  await client.keyValueStore(kvs.id).setRecord({ key: 'INPUT', value: { start: 'https://example.com' } });
  await client.keyValueStore(kvs.id).setRecord({ key: 'OUTPUT', value: 'done' });
  const queue = await client.requestQueues().getOrCreate('crawl');
  await client.requestQueue(queue.id).batchAddRequests([
    { url: 'https://example.com/1', uniqueKey: 'https://example.com/1' },
    { url: 'https://example.com/2', uniqueKey: 'https://example.com/2' },
  ]);
  await client.teardown();
  return {
    root,
    ids: {
      products: products.id,
      unnamed: unnamed.id,
      kvs: kvs.id,
      queue: queue.id,
      defaultDataset: defaultDataset.id,
    },
  };
}

interface Listed {
  type: string;
  id: string;
  name: string | null;
  counts: Record<string, number>;
  bytes: number;
  modifiedAt: string;
  expiresAt: string | null;
  dir: string;
}

describe('actor-storage --help', () => {
  it('every command has help with examples', async () => {
    const [run, ls] = await Promise.all([cli(['--help']), cli(['ls', '--help'])]);
    expect(run.code).toBe(0);
    const names = [
      'ls',
      'info',
      'items',
      'export',
      'get',
      'set',
      'keys',
      'queue',
      'rename',
      'drop',
      'purge',
      'gc',
    ];
    for (const name of [...names, 'doctor', 'serve'])
      expect(run.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(ls.stdout).toContain('Examples:');
    for (const name of [...names, 'doctor']) {
      const lines: string[] = [];
      const code = await runCli([name, '--help'], {
        stdout: (l) => lines.push(l),
        stderr: (l) => lines.push(l),
      });
      expect(code, name).toBe(0);
      expect(lines.join('\n'), name).toMatch(/Examples:\n {2}\$ actor-storage /);
    }
  });
});

describe('actor-storage ls and info', () => {
  it('lists named storages by default, unnamed ones too with --all, with counts, size and modification', async () => {
    const { root, ids } = await seed();
    const [table, bad] = await Promise.all([
      cli(['--dir', root, 'ls']),
      cli(['--dir', root, '--json', 'ls', 'tables']),
    ]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TYPE\s+ID\s+NAME\s+COUNTS\s+SIZE\s+MODIFIED$/);
    expect(table.stdout).toMatch(new RegExp(`dataset\\s+${ids.products}\\s+products\\s+3 items\\s+\\d+ B`));
    expect(table.stdout).toMatch(/kvs\s+\w{17}\s+default\s+2 records/);
    expect(table.stdout).toMatch(/queue\s+\w{17}\s+crawl\s+2 requests \(0 handled\)/);
    expect(table.stdout).not.toContain(ids.unnamed);

    const { json } = await cliJson<Listed[]>(root, ['ls', 'datasets', '--all']);
    expect(json.map((s) => s.name)).toEqual(['products', null, 'default']);
    const unnamed = json.find((s) => s.id === ids.unnamed)!;
    expect(unnamed.counts).toEqual({ items: 1, cleanItems: 1 });
    expect(unnamed.bytes).toBe(await du(join(root, 'datasets', ids.unnamed)));
    expect(Date.parse(unnamed.expiresAt!) - Date.parse(unnamed.modifiedAt)).toBeGreaterThanOrEqual(
      7 * 86_400_000,
    );
    expect(json.find((s) => s.name === 'products')!.expiresAt).toBeNull();

    expect(bad.code).toBe(2);
    expect(jsonError(bad).code).toBe('STORAGE_INVALID_OPTION');
  });

  it('info shows one storage; a missing one exits 4, an address that could be a path exits 2', async () => {
    const { root, ids } = await seed();
    const [human, missing, pathLike] = await Promise.all([
      cli(['--dir', root, 'info', 'queue', 'crawl']),
      cli(['--dir', root, '--json', 'info', 'kvs', 'nope']),
      cli(['--dir', root, '--json', 'info', 'dataset', '../datasets']),
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^type:\s+request queue$/m);
    expect(human.stdout).toMatch(new RegExp(`^id:\\s+${ids.queue}$`, 'm'));
    expect(human.stdout).toMatch(/^counts:\s+2 requests \(0 handled\)$/m);
    const { json } = await cliJson<Listed & { info: { itemCount: number } }>(root, [
      'info',
      'datasets',
      ids.products,
    ]);
    expect(json).toMatchObject({
      type: 'dataset',
      name: 'products',
      counts: { items: 3 },
      info: { itemCount: 3 },
    });
    expect(json.dir).toBe(join(root, 'datasets', 'products'));

    expect(missing.code).toBe(4);
    expect(jsonError(missing).code).toBe('STORAGE_NOT_FOUND');
    expect(pathLike.code).toBe(2);
    expect(jsonError(pathLike).code).toBe('STORAGE_INVALID_NAME');
  });
});

describe('actor-storage rename and drop', () => {
  it('rename keeps the id and moves the folder; naming an unnamed storage keeps it; taken names exit 5', async () => {
    const { root, ids } = await seed();
    const { json: renamed } = await cliJson<Listed & { previousName: string }>(root, [
      'rename',
      'dataset',
      'products',
      'products-2024',
    ]);
    expect(renamed).toMatchObject({ id: ids.products, name: 'products-2024', previousName: 'products' });
    expect(existsSync(join(root, 'datasets', 'products'))).toBe(false);
    expect(existsSync(join(root, 'datasets', 'products-2024', '000000003.json'))).toBe(true);

    const named = await cli(['--dir', root, 'rename', 'dataset', ids.unnamed, 'keep-me']);
    expect(named.code).toBe(0);
    expect(named.stdout).toContain('named storages are kept until dropped');
    const meta = JSON.parse(await readFile(join(root, 'datasets', 'keep-me', '__metadata__.json'), 'utf8'));
    expect(meta).toMatchObject({ id: ids.unnamed, name: 'keep-me' });

    const taken = await cli(['--dir', root, '--json', 'rename', 'dataset', 'keep-me', 'products-2024']);
    expect(taken.code).toBe(5);
    expect(jsonError(taken).code).toBe('STORAGE_NAME_TAKEN');
    const invalid = await cli(['--dir', root, '--json', 'rename', 'dataset', 'keep-me', 'Not_Valid']);
    expect(invalid.code).toBe(2);
    expect(jsonError(invalid).code).toBe('STORAGE_INVALID_NAME');
    expect(existsSync(join(root, 'datasets', 'keep-me'))).toBe(true);
  });

  it('drop refuses without --yes when not on a terminal, drops with it, and exits 4 for a missing storage', async () => {
    const { root } = await seed();
    const folder = join(root, 'request_queues', 'crawl');
    const refused = await cli(['--dir', root, '--json', 'drop', 'queue', 'crawl']);
    expect(refused.code).toBe(2);
    expect(jsonError(refused)).toMatchObject({ code: 'STORAGE_INVALID_OPTION' });
    expect(jsonError(refused).message).toContain('--yes');
    expect(existsSync(folder)).toBe(true);

    const dropped = await cli(['--dir', root, 'drop', 'request-queue', 'crawl', '--yes']);
    expect(dropped.code).toBe(0);
    expect(dropped.stdout).toMatch(/^Dropped request queue "crawl" \([\d.]+ (B|KiB) freed\)\.$/m);
    expect(existsSync(folder)).toBe(false);
    const again = await cli(['--dir', root, 'drop', 'queue', 'crawl', '--yes']);
    expect(again.code).toBe(4);
  });
});

describe('actor-storage purge', () => {
  it('empties the default storages, keeps INPUT and every named storage', async () => {
    const { root, ids } = await seed();
    const { json } = await cliJson<{ datasetItems: number; requests: number; records: number }>(root, [
      'purge',
    ]);
    expect(json).toEqual({ datasetItems: 2, requests: 0, records: 1 });
    expect(existsSync(join(root, 'datasets', 'default'))).toBe(false);
    const kvs = await readdir(join(root, 'key_value_stores', 'default'));
    expect(kvs.filter((n) => n.startsWith('INPUT')).sort()).toEqual([
      'INPUT.__metadata__.json',
      'INPUT.json',
    ]);
    expect(kvs.some((n) => n.startsWith('OUTPUT'))).toBe(false);
    expect(existsSync(join(root, 'datasets', 'products', '000000003.json'))).toBe(true);
    expect(existsSync(join(root, 'datasets', ids.unnamed))).toBe(true);
    expect(existsSync(join(root, 'request_queues', 'crawl'))).toBe(true);
    const human = await cli(['--dir', root, 'purge']);
    expect(human.stdout.trim()).toBe(
      'Purged the default storages: 0 dataset items, 0 requests, 0 records (INPUT kept).',
    );
  });
});
