import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFsClient, type DoctorReport, Storage } from '../src/index.js';
import { cli, jsonError } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

// Each test spawns the CLI several times; on a busy machine a spawn takes seconds.
vi.setConfig({ testTimeout: 180_000 });

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function storageDir(): Promise<string> {
  const { dir, cleanup } = await tempDir('actor-storage-doctor-');
  cleanups.push(cleanup);
  return dir;
}

/** Every file under `dir` with its size and mtime, to prove a check changed nothing. */
async function snapshot(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(`${relative(root, path)}/`, ...(await snapshot(path, root)));
    else {
      const st = await stat(path);
      out.push(`${relative(root, path)} ${st.size} ${st.mtimeMs}`);
    }
  }
  return out.sort();
}

/** A healthy folder written by the engine: every kind, with the cases that look odd but are fine. */
async function healthy(root: string): Promise<void> {
  const client = createFsClient({ storageDir: root });
  const ds = await client.datasets().getOrCreate('products');
  await client.dataset(ds.id).pushItems([{ title: 'Lamp' }, {}, { '#hidden': 1, title: 'Desk' }]);
  const kvs = await client.keyValueStores().getOrCreate('default');
  const store = client.keyValueStore(kvs.id);
  await store.setRecord({ key: 'INPUT', value: { maxPages: 3 } });
  await store.setRecord({ key: 'note', value: 'plain text' });
  await store.setRecord({
    key: 'shot.png',
    value: Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    contentType: 'image/png',
  });
  const q = await client.requestQueues().getOrCreate('default');
  const queue = client.requestQueue(q.id, { clientKey: 'worker' });
  await queue.batchAddRequests(
    ['a', 'b', 'c'].map((p) => ({ url: `https://example.com/${p}`, uniqueKey: `https://example.com/${p}` })),
  );
  const { items } = await queue.listAndLockHead({ lockSecs: 300, limit: 2 });
  const first = await queue.getRequest(items[0]!.id);
  await queue.updateRequest({ ...first!, id: items[0]!.id, handledAt: new Date().toISOString() });
  await client.teardown();
}

/**
 * A damaged folder: a truncated item, an item of garbage, a deleted item (gap), a .DS_Store and a
 * stale temp file in a dataset; a dataset without metadata; a key-value store with a record without
 * sidecar, a JSON record that does not parse and a sidecar without record; a request file that does
 * not parse.
 */
async function damaged(root: string): Promise<void> {
  const client = createFsClient({ storageDir: root });
  const ds = await client.datasets().getOrCreate('products');
  await client.dataset(ds.id).pushItems(Array.from({ length: 10 }, (_, i) => ({ i })));
  const bare = await client.datasets().getOrCreate('bare');
  await client.dataset(bare.id).pushItems([{ a: 1 }, { a: 2 }]);
  const kvs = await client.keyValueStores().getOrCreate('files');
  await client.keyValueStore(kvs.id).setRecord({ key: 'config', value: { ok: true } });
  await client.keyValueStore(kvs.id).setRecord({ key: 'broken', value: { soon: 'broken' } });
  await client.keyValueStore(kvs.id).setRecord({ key: 'gone', value: 'x' });
  const q = await client.requestQueues().getOrCreate('default');
  await client.requestQueue(q.id).batchAddRequests(
    ['a', 'b', 'c'].map((p) => ({
      url: `https://example.com/${p}`,
      uniqueKey: `https://example.com/${p}`,
    })),
  );
  await client.teardown();

  const products = join(root, 'datasets', 'products');
  await truncate(join(products, '000000003.json'), 4);
  await writeFile(join(products, '000000005.json'), 'garbage{');
  await rm(join(products, '000000007.json'));
  await writeFile(join(products, '.DS_Store'), 'Bud1');
  const temp = join(products, '.tmp-000000011.json.4242.abcd1234');
  await writeFile(temp, '{"half":');
  const hourAgo = new Date(Date.now() - 3_600_000);
  await utimes(temp, hourAgo, hourAgo);
  await rm(join(root, 'datasets', 'bare', '__metadata__.json'));
  const files = join(root, 'key_value_stores', 'files');
  await writeFile(join(files, 'notes.txt'), 'written by hand');
  await writeFile(join(files, 'broken.json'), '{"soon": "bro');
  await rm(join(files, 'gone.txt'));
  const queueDir = join(root, 'request_queues', 'default');
  const requestFile = (await readdir(queueDir)).find((n) => n.endsWith('.json') && !n.startsWith('__'));
  await writeFile(join(queueDir, requestFile!), '{"id": "trunc');
}

type Problem = DoctorReport['problems'][number];

function summary(problems: readonly Problem[]): string[] {
  const file = (p: Problem) =>
    p.storage === 'request_queues/default' && p.kind === 'unparsable-file'
      ? '<id>.json'
      : p.path.split('/').pop();
  return problems.map((p) => `${p.storage} ${p.kind} ${file(p)}`).sort();
}

describe('doctor on a healthy folder', () => {
  it('finds nothing in what the engine wrote (hidden fields, empty items, binary records, handled and locked requests)', async () => {
    const root = await storageDir();
    await healthy(root);
    const report = await Storage.doctor({ storageDir: root });
    expect(report.problems).toEqual([]);
    expect(report.storagesChecked).toBe(3);
    expect(report.filesChecked).toBeGreaterThan(10);
    const run = await cli(['--dir', root, 'doctor']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Checked 3 storages \(\d+ files\) in .*: no problems\./);
  });

  it('refuses a folder that does not exist (exit 4)', async () => {
    const root = await storageDir();
    const run = await cli(['--dir', join(root, 'nope'), '--json', 'doctor']);
    expect(run.code).toBe(4);
    expect(jsonError(run).code).toBe('STORAGE_NOT_FOUND');
  });
});

describe('doctor on a damaged folder', () => {
  it('reports each problem, changes nothing without --fix, and exits with 7', async () => {
    const root = await storageDir();
    await damaged(root);
    const before = await snapshot(root);
    const run = await cli(['--dir', root, '--json', 'doctor']);
    expect(run.code).toBe(7);
    expect(jsonError(run).code).toBe('STORAGE_CORRUPT');
    const report = JSON.parse(run.stdout) as DoctorReport;
    expect(report.fix).toBe(false);
    expect(report.problems.every((p) => !p.fixed)).toBe(true);
    expect(summary(report.problems)).toEqual(
      [
        'datasets/bare missing-metadata __metadata__.json',
        'datasets/products dataset-gap products',
        'datasets/products stale-metadata __metadata__.json',
        'datasets/products stray-file .DS_Store',
        'datasets/products temp-file .tmp-000000011.json.4242.abcd1234',
        'datasets/products unparsable-file 000000003.json',
        'datasets/products unparsable-file 000000005.json',
        'key_value_stores/files orphan-sidecar gone.__metadata__.json',
        'key_value_stores/files record-without-sidecar notes.txt',
        'key_value_stores/files unparsable-file broken.json',
        'request_queues/default stale-metadata __metadata__.json',
        'request_queues/default unparsable-file <id>.json',
      ].sort(),
    );
    expect(report.problems.find((p) => p.kind === 'dataset-gap')?.message).toBe('Item 7 is missing.');
    expect(await snapshot(root)).toEqual(before);

    const human = await cli(['--dir', root, 'doctor']);
    expect(human.code).toBe(7);
    expect(human.stdout).toContain('12 problems (run with --fix to repair).');
    expect(human.stderr).toContain('run "actor-storage doctor --fix"');
  });

  it('--fix moves unreadable files aside and repairs; a second run is clean and the data reads back', async () => {
    const root = await storageDir();
    await damaged(root);
    const fixed = await cli(['--dir', root, '--json', 'doctor', '--fix']);
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).toBe(''); // moves are in the report, not repeated as warnings
    const report = JSON.parse(fixed.stdout) as DoctorReport;
    expect(report.problems).toHaveLength(12);
    expect(report.problems.every((p) => p.fixed)).toBe(true);

    const products = join(root, 'datasets', 'products');
    const aside = await readdir(join(products, '__corrupt__'));
    expect(aside.map((n) => n.replace(/\.\d+$/, '')).sort()).toEqual([
      '.DS_Store',
      '000000003.json',
      '000000005.json',
    ]);
    expect(existsSync(join(products, '.tmp-000000011.json.4242.abcd1234'))).toBe(false);
    expect((await readdir(products)).filter((n) => /^\d+\.json$/.test(n))).toHaveLength(7);
    const files = join(root, 'key_value_stores', 'files');
    expect(JSON.parse(await readFile(join(files, 'notes.__metadata__.json'), 'utf8'))).toMatchObject({
      key: 'notes',
      contentType: 'text/plain; charset=utf-8',
      size: 15,
    });
    expect((await readdir(join(files, '__corrupt__'))).map((n) => n.replace(/\.\d+$/, '')).sort()).toEqual([
      'broken.__metadata__.json',
      'broken.json',
      'gone.__metadata__.json',
    ]);

    const again = await cli(['--dir', root, '--json', 'doctor']);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as DoctorReport).problems).toEqual([]);

    // The items keep their order, numbered without gaps; counts match.
    const [items, info, bare, notes, queue] = await Promise.all([
      cli(['--dir', root, 'items', 'products']),
      cli(['--dir', root, '--json', 'info', 'dataset', 'products']),
      cli(['--dir', root, '--json', 'info', 'dataset', 'bare']),
      cli(['--dir', root, 'get', 'files', 'notes']),
      cli(['--dir', root, '--json', 'queue', 'default']),
    ]);
    expect(
      items.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { i: number }).i),
    ).toEqual([0, 1, 3, 5, 7, 8, 9]);
    expect(JSON.parse(info.stdout).counts).toEqual({ items: 7, cleanItems: 7 });
    expect(JSON.parse(bare.stdout).counts.items).toBe(2);
    expect(notes.stdout).toBe('written by hand');
    expect(JSON.parse(queue.stdout)).toMatchObject({ totalRequestCount: 2, pendingRequestCount: 2 });
  });

  it('Storage.doctor without fix leaves the folder byte for byte; with fix, a rerun finds nothing', async () => {
    const root = await storageDir();
    await damaged(root);
    const before = await snapshot(root);
    const ticks: number[] = [];
    const report = await Storage.doctor({ storageDir: root, onProgress: (done) => ticks.push(done) });
    expect(report.problems.length).toBe(12);
    expect(ticks.length).toBeGreaterThan(5);
    expect(ticks.at(-1)).toBe(report.filesChecked);
    expect(await snapshot(root)).toEqual(before);
    await Storage.doctor({ storageDir: root, fix: true });
    expect((await Storage.doctor({ storageDir: root })).problems).toEqual([]);
  });
});
