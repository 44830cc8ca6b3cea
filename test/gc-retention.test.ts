import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { lstat, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFsClient, isStorageError, parseDuration, Storage } from '../src/index.js';
import { cli, cliJson, jsonError, PROJECT_ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const DAY = 86_400_000;
// Each test spawns the CLI several times; on a busy machine a spawn takes seconds.
vi.setConfig({ testTimeout: 180_000 });

const cleanups: Array<() => Promise<void>> = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function storageDir(): Promise<string> {
  const { dir, cleanup } = await tempDir('actor-storage-gc-');
  cleanups.push(cleanup);
  return dir;
}

/** Makes a storage look last modified `days` ago: its metadata's modifiedAt and its folder's mtime. */
async function age(dir: string, days: number): Promise<void> {
  const path = join(dir, '__metadata__.json');
  const meta = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const then = new Date(Date.now() - days * DAY);
  meta.modifiedAt = then.toISOString();
  meta.accessedAt = then.toISOString();
  await writeFile(path, JSON.stringify(meta));
  await utimes(dir, then, then);
}

/** Bytes of the files under `dir`, counted independently of the code under test. */
async function du(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await du(path) : (await lstat(path)).size;
  }
  return total;
}

interface Fixture {
  root: string;
  dirs: Record<string, string>;
  ids: Record<string, string>;
}

/** Storages of every kind: old unnamed ones, a recent unnamed one, old named and default ones. */
async function fixture(): Promise<Fixture> {
  const root = await storageDir();
  const client = createFsClient({ storageDir: root });
  const dirs: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const dataset = async (label: string, name?: string) => {
    const { id } = await client.datasets().getOrCreate(name);
    await client.dataset(id).pushItems([
      { label, n: 1 },
      { label, n: 2 },
    ]);
    ids[label] = id;
    dirs[label] = join(root, 'datasets', name ?? id);
  };
  await dataset('oldUnnamed');
  await dataset('recentUnnamed');
  await dataset('envDefault');
  await dataset('named', 'products');
  await dataset('default', 'default');
  const kvs = await client.keyValueStores().getOrCreate();
  await client.keyValueStore(kvs.id).setRecord({ key: 'shot', value: Buffer.alloc(2048, 1) });
  ids.oldKvs = kvs.id;
  dirs.oldKvs = join(root, 'key_value_stores', kvs.id);
  const queue = await client.requestQueues().getOrCreate();
  await client
    .requestQueue(queue.id)
    .addRequest({ url: 'https://example.com/a', uniqueKey: 'https://example.com/a' });
  ids.oldQueue = queue.id;
  dirs.oldQueue = join(root, 'request_queues', queue.id);
  await client.teardown();
  for (const label of ['oldUnnamed', 'envDefault', 'named', 'default', 'oldKvs', 'oldQueue']) {
    await age(dirs[label] as string, 10);
  }
  await age(dirs.recentUnnamed as string, 1);
  return { root, dirs, ids };
}

/** Starts a process that holds the store lock of a dataset, as a writer in the middle of a push does. */
async function holdLock(root: string, id: string, storeDir: string): Promise<ChildProcess> {
  const script = `
    import lockfile from 'proper-lockfile';
    import { mkdirSync } from 'node:fs';
    const { LOCKS, LOCKFILE, TARGET } = process.env;
    mkdirSync(LOCKS, { recursive: true });
    await lockfile.lock(TARGET, { lockfilePath: LOCKFILE, realpath: false, stale: 10000 });
    console.log('locked');
    setInterval(() => {}, 1000);`;
  const locks = join(root, '.locks');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOCKS: locks, LOCKFILE: join(locks, `datasets.${id}.lock`), TARGET: storeDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  expect(line).toBe('locked');
  return child;
}

describe('parseDuration', () => {
  it('reads 7d, 12h, 30m, 45s, 2w, 1d12h and 1.5h; refuses bare numbers and unknown units', () => {
    expect(parseDuration('7d')).toBe(7 * DAY);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('2w')).toBe(14 * DAY);
    expect(parseDuration('1d12h')).toBe(1.5 * DAY);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration(1234)).toBe(1234);
    for (const bad of ['7', '7x', '', 'd', '-1d', '1d 2h', null, -5, Number.NaN]) {
      let error: unknown;
      try {
        parseDuration(bad);
      } catch (err) {
        error = err;
      }
      expect(isStorageError(error, 'STORAGE_INVALID_OPTION'), String(bad)).toBe(true);
    }
  });
});

describe('Storage.gc', () => {
  it('dry run: reports the expired unnamed storages and the bytes, removes nothing', async () => {
    const { root, dirs, ids } = await fixture();
    const expected = ['oldUnnamed', 'envDefault', 'oldKvs', 'oldQueue'];
    const sizes = await Promise.all(expected.map((label) => du(dirs[label] as string)));
    const result = await Storage.gc({ storageDir: root, dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.removed.map((e) => e.id).sort()).toEqual(expected.map((l) => ids[l]).sort());
    expect(result.bytesFreed).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(result.bytesFreed).toBeGreaterThan(2048);
    for (const dir of Object.values(dirs)) expect(existsSync(dir)).toBe(true);
  });

  it('removes expired unnamed storages; keeps named, default, recent and env-default ones', async () => {
    const { root, dirs, ids } = await fixture();
    const previous = process.env.ACTOR_DEFAULT_DATASET_ID;
    process.env.ACTOR_DEFAULT_DATASET_ID = ids.envDefault;
    let result: Awaited<ReturnType<typeof Storage.gc>>;
    try {
      result = await Storage.gc({ storageDir: root, olderThan: '7d' });
    } finally {
      if (previous === undefined) delete process.env.ACTOR_DEFAULT_DATASET_ID;
      else process.env.ACTOR_DEFAULT_DATASET_ID = previous;
    }
    expect(result.removed.map((e) => e.id).sort()).toEqual([ids.oldUnnamed, ids.oldKvs, ids.oldQueue].sort());
    for (const label of ['oldUnnamed', 'oldKvs', 'oldQueue'])
      expect(existsSync(dirs[label] as string)).toBe(false);
    for (const label of ['recentUnnamed', 'envDefault', 'named', 'default']) {
      expect(existsSync(dirs[label] as string), label).toBe(true);
    }
    const reasons = Object.fromEntries(result.kept.map((k) => [k.id, k.reason]));
    expect(reasons[ids.recentUnnamed as string]).toBe('recent');
    expect(reasons[ids.envDefault as string]).toBe('default');
    expect(reasons[ids.default as string]).toBe('default');
    expect(reasons[ids.named as string]).toBeUndefined(); // named storages are not even examined
    // The named ones still read back whole.
    const items = await createFsClient({ storageDir: root }).dataset('products').listItems();
    expect(items.items).toHaveLength(2);
  });

  it('a shorter olderThan reaches the recent unnamed storage too; refuses a bad duration', async () => {
    const { root, ids } = await fixture();
    const result = await Storage.gc({ storageDir: root, olderThan: '12h' });
    expect(result.removed.map((e) => e.id)).toContain(ids.recentUnnamed);
    await expect(Storage.gc({ storageDir: root, olderThan: '12 hours' })).rejects.toMatchObject({
      code: 'STORAGE_INVALID_OPTION',
    });
    await expect(Storage.gc({ storageDir: root, dryRun: 'yes' as unknown as boolean })).rejects.toMatchObject(
      {
        code: 'STORAGE_INVALID_OPTION',
      },
    );
  });

  it('keeps a storage another process holds locked', async () => {
    const { root, dirs, ids } = await fixture();
    const holder = await holdLock(root, ids.oldUnnamed as string, dirs.oldUnnamed as string);
    const result = await Storage.gc({ storageDir: root });
    expect(result.kept.find((k) => k.id === ids.oldUnnamed)?.reason).toBe('locked');
    expect(existsSync(dirs.oldUnnamed as string)).toBe(true);
    expect(result.removed.map((e) => e.id)).toContain(ids.oldKvs);
    holder.kill('SIGKILL');
  });
});

describe('actor-storage gc', () => {
  it('--dry-run prints what it would remove and leaves every folder; gc removes; a named one stays', async () => {
    const { root, dirs, ids } = await fixture();
    // Naming an unnamed storage keeps it from expiring.
    const renamed = await cli(['--dir', root, 'rename', 'dataset', ids.envDefault as string, 'keep-me']);
    expect(renamed.code).toBe(0);
    const dry = await cli(['--dir', root, 'gc', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would remove dataset ${ids.oldUnnamed}`);
    expect(dry.stdout).toContain(`would remove kvs ${ids.oldKvs}`);
    expect(dry.stdout).toMatch(/Would free [\d.]+ KiB from 3 unnamed storages\./);
    expect(dry.stderr).toBe(''); // no progress bar when stdout is not a terminal
    for (const dir of [dirs.oldUnnamed, dirs.oldKvs, dirs.oldQueue])
      expect(existsSync(dir as string)).toBe(true);

    const holder = await holdLock(root, ids.oldUnnamed as string, dirs.oldUnnamed as string);
    const { json } = await cliJson<{
      removed: Array<{ id: string; type: string; bytes: number }>;
      kept: Array<{ id: string; reason: string }>;
      bytesFreed: number;
      dryRun: boolean;
    }>(root, ['gc', '--older-than', '7d']);
    holder.kill('SIGKILL');
    expect(json.dryRun).toBe(false);
    expect(json.removed.map((r) => r.type).sort()).toEqual(['keyValueStore', 'requestQueue']);
    expect(json.kept).toContainEqual(expect.objectContaining({ id: ids.oldUnnamed, reason: 'locked' }));
    expect(json.bytesFreed).toBe(json.removed.reduce((sum, r) => sum + r.bytes, 0));
    expect(existsSync(dirs.oldKvs as string)).toBe(false);
    expect(existsSync(dirs.oldQueue as string)).toBe(false);
    expect(existsSync(dirs.oldUnnamed as string)).toBe(true);
    expect(existsSync(join(root, 'datasets', 'keep-me'))).toBe(true);
    expect(existsSync(dirs.named as string) && existsSync(dirs.default as string)).toBe(true);
  });

  it('refuses a malformed --older-than with exit 2 and removes nothing', async () => {
    const { root, dirs } = await fixture();
    const run = await cli(['--dir', root, '--json', 'gc', '--older-than', 'a week']);
    expect(run.code).toBe(2);
    expect(jsonError(run).code).toBe('STORAGE_INVALID_OPTION');
    expect(existsSync(dirs.oldUnnamed as string)).toBe(true);
  });
});
