import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFsClient } from '../src/index.js';
import { cli, cliJson, jsonError } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

// Each test spawns the CLI several times; on a busy machine a spawn takes seconds.
vi.setConfig({ testTimeout: 180_000 });

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function folder(): Promise<string> {
  const { dir, cleanup } = await tempDir('actor-storage-cli-');
  cleanups.push(cleanup);
  return dir;
}

const PRODUCTS = [
  { title: 'Lamp', price: 25, tags: ['home', 'light'] },
  { title: 'Desk', price: 120, '#debug': 'x', tags: [] },
  {},
  { title: 'Chair, "oak"', price: 60, tags: ['home'] },
];

async function seedDataset(root: string): Promise<void> {
  const client = createFsClient({ storageDir: root });
  const { id } = await client.datasets().getOrCreate('products');
  await client.dataset(id).pushItems(PRODUCTS);
}

describe('actor-storage items', () => {
  it('prints JSON lines, or a JSON array, with the item options of the API', async () => {
    const root = await folder();
    await seedDataset(root);
    const [all, page, array, clean, unwound] = await Promise.all([
      cli(['--dir', root, 'items', 'products']),
      cli([
        '--dir',
        root,
        'items',
        'products',
        '--offset',
        '1',
        '--limit',
        '2',
        '--desc',
        '--fields',
        'title',
      ]),
      cli(['--dir', root, 'items', 'products', '--array', '--omit', 'tags,price']),
      cli(['--dir', root, 'items', 'products', '--clean', '--fields', 'title']),
      cli(['--dir', root, 'items', 'products', '--unwind', 'tags', '--fields', 'title,tags']),
    ]);
    expect(all.code).toBe(0);
    expect(
      all.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(PRODUCTS);
    // desc from the end: offset 1 skips the last item, then two.
    expect(
      page.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{}, { title: 'Desk' }]);
    expect(JSON.parse(array.stdout)).toEqual([
      { title: 'Lamp' },
      { title: 'Desk', '#debug': 'x' },
      {},
      { title: 'Chair, "oak"' },
    ]);
    expect(
      clean.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).title),
    ).toEqual(['Lamp', 'Desk', 'Chair, "oak"']);
    expect(
      unwound.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { title: 'Lamp', tags: 'home' },
      { title: 'Lamp', tags: 'light' },
      { title: 'Desk' },
      {},
      { title: 'Chair, "oak"', tags: 'home' },
    ]);
  });

  it('exits 2 for a bad option and 4 for a missing dataset, printing nothing on stdout', async () => {
    const root = await folder();
    await seedDataset(root);
    const [badLimit, missing, empty] = await Promise.all([
      cli(['--dir', root, '--json', 'items', 'products', '--limit', 'ten']),
      cli(['--dir', root, '--json', 'items', 'nope']),
      cli(['--dir', root, 'items', 'products', '--offset', '10', '--array']),
    ]);
    expect(badLimit.code).toBe(2);
    expect(jsonError(badLimit).code).toBe('STORAGE_INVALID_OPTION');
    expect(missing.code).toBe(4);
    expect(jsonError(missing).code).toBe('STORAGE_NOT_FOUND');
    expect(badLimit.stdout + missing.stdout).toBe('');
    expect(JSON.parse(empty.stdout)).toEqual([]);
  });
});

describe('actor-storage export', () => {
  it('writes CSV to a file (quiet when not on a terminal), infers the format from --out, streams to stdout', async () => {
    const root = await folder();
    await seedDataset(root);
    const out = join(root, 'out', 'products.csv');
    const [csv, jsonl, stdout] = await Promise.all([
      cli([
        '--dir',
        root,
        'export',
        'products',
        '--format',
        'csv',
        '--out',
        out,
        '--fields',
        'title,price',
        '--clean',
      ]),
      cliJson<{ items: number; bytes: number; format: string; file: string }>(root, [
        'export',
        'products',
        '--out',
        join(root, 'out', 'products.jsonl'),
        '--omit',
        'tags',
      ]),
      cli([
        '--dir',
        root,
        'export',
        'products',
        '--format',
        'csv',
        '--delimiter',
        ';',
        '--no-bom',
        '--fields',
        'title',
      ]),
    ]);
    expect(csv.code).toBe(0);
    expect(csv.stderr).toBe(''); // no progress bar: stdout is not a terminal
    expect(csv.stdout).toMatch(/^Exported 3 items to .*products\.csv \(csv, \d+ B\)\.\n$/);
    const text = await readFile(out, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(parse(text.slice(1), { columns: true })).toEqual([
      { title: 'Lamp', price: '25' },
      { title: 'Desk', price: '120' },
      { title: 'Chair, "oak"', price: '60' },
    ]);
    expect(jsonl.json).toMatchObject({ format: 'jsonl', items: 4 });
    expect(jsonl.json.bytes).toBe((await stat(jsonl.json.file)).size);
    // No BOM, one column; the empty item is an empty row.
    expect(stdout.stdout).toBe('title\nLamp\nDesk\n\n"Chair, ""oak"""\n');
  });

  it('refuses an unknown format (exit 2) and leaves no file', async () => {
    const root = await folder();
    await seedDataset(root);
    const out = join(root, 'products.pdf');
    const [byFlag, byExtension] = await Promise.all([
      cli(['--dir', root, '--json', 'export', 'products', '--format', 'pdf', '--out', out]),
      cli(['--dir', root, '--json', 'export', 'products', '--out', out]),
    ]);
    for (const run of [byFlag, byExtension]) {
      expect(run.code).toBe(2);
      expect(jsonError(run).code).toBe('STORAGE_UNSUPPORTED_FORMAT');
    }
    expect(existsSync(out)).toBe(false);
    expect((await readdir(root)).filter((n) => n.includes('products'))).toEqual([]);
  });
});

describe('actor-storage set, get and keys', () => {
  it('stores files and stdin (content type from the extension or the flag) and gives the raw bytes back', async () => {
    const root = await folder();
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255, 128, 7]);
    const file = join(root, 'shot.png');
    await writeFile(file, png);
    const stored = await cliJson<{ created: boolean; contentType: string; size: number }>(root, [
      'set',
      'assets',
      'home',
      file,
    ]);
    expect(stored.json).toMatchObject({ created: true, contentType: 'image/png', size: 12 });
    const html = await cli(['--dir', root, 'set', 'assets', 'page', '-', '--content-type', 'text/html'], {
      input: '<h1>Hi</h1>',
    });
    expect(html.code).toBe(0);
    expect(html.stdout).toContain('Stored "page" in key-value store "assets"');
    const store = join(root, 'key_value_stores', 'assets');
    expect(JSON.parse(await readFile(join(store, 'home.__metadata__.json'), 'utf8'))).toMatchObject({
      key: 'home',
      contentType: 'image/png',
      size: 12,
    });
    expect(await readFile(join(store, 'page.html'), 'utf8')).toBe('<h1>Hi</h1>');

    const out = join(root, 'copy', 'home.png');
    const [raw, toFile, keys, prefixed] = await Promise.all([
      cli(['--dir', root, 'get', 'assets', 'home']),
      cli(['--dir', root, 'get', 'assets', 'home', '--out', out]),
      cliJson<Array<{ key: string; size: number }>>(root, ['keys', 'assets']),
      cli(['--dir', root, 'keys', 'assets', '--prefix', 'pa']),
    ]);
    expect(raw.bytes.equals(png)).toBe(true);
    expect(toFile.code).toBe(0);
    expect((await readFile(out)).equals(png)).toBe(true);
    expect(keys.json).toEqual([
      { key: 'home', size: 12 },
      { key: 'page', size: 11 },
    ]);
    expect(prefixed.stdout).toMatch(/^KEY\s+SIZE\npage\s+11 B\n$/);
  });

  it('refuses an invalid key (exit 2) before creating anything; missing records and stores exit 4', async () => {
    const root = await folder();
    const file = join(root, 'in.json');
    await writeFile(file, '{"ok": true}');
    const [badKey, badJson] = await Promise.all([
      cli(['--dir', root, '--json', 'set', 'fresh', 'a/b', file]),
      cli(['--dir', root, '--json', 'set', 'other', 'data', '-', '--content-type', 'application/json'], {
        input: '{"half":',
      }),
    ]);
    expect(badKey.code).toBe(2);
    expect(jsonError(badKey).code).toBe('STORAGE_INVALID_KEY');
    expect(existsSync(join(root, 'key_value_stores', 'fresh'))).toBe(false);
    expect(badJson.code).toBe(2);
    expect(jsonError(badJson).code).toBe('STORAGE_INVALID_VALUE');
    expect(existsSync(join(root, 'key_value_stores', 'other', 'data.json'))).toBe(false);

    expect((await cli(['--dir', root, 'set', 'cfg', 'config', file])).code).toBe(0);
    const [noRecord, noStore, badGetKey] = await Promise.all([
      cli(['--dir', root, '--json', 'get', 'cfg', 'missing']),
      cli(['--dir', root, '--json', 'get', 'nowhere', 'config']),
      cli(['--dir', root, '--json', 'get', 'cfg', '..']),
    ]);
    expect(noRecord.code).toBe(4);
    expect(jsonError(noRecord).code).toBe('STORAGE_RECORD_NOT_FOUND');
    expect(noStore.code).toBe(4);
    expect(jsonError(noStore).code).toBe('STORAGE_NOT_FOUND');
    expect(badGetKey.code).toBe(2);
    expect(jsonError(badGetKey).code).toBe('STORAGE_INVALID_KEY');
  });
});

describe('actor-storage queue', () => {
  it('shows the counts, the head in order and the locked requests', async () => {
    const root = await folder();
    const client = createFsClient({ storageDir: root });
    const { id } = await client.requestQueues().getOrCreate('crawl');
    const queue = client.requestQueue(id, { clientKey: 'worker-1' });
    const urls = [1, 2, 3, 4].map((n) => `https://example.com/${n}`);
    await queue.batchAddRequests(urls.map((url) => ({ url, uniqueKey: url })));
    const { items } = await queue.listAndLockHead({ lockSecs: 3600, limit: 1 });
    const handled = await queue.getRequest(items[0]!.id);
    await queue.updateRequest({ ...handled!, id: handled!.id, handledAt: new Date().toISOString() });
    const locked = await queue.listAndLockHead({ lockSecs: 3600, limit: 1 });
    await client.teardown();

    const [json, human, missing] = await Promise.all([
      cliJson<{
        totalRequestCount: number;
        handledRequestCount: number;
        pendingRequestCount: number;
        head: Array<{ url: string; lockExpiresAt?: string }>;
        locked: Array<{ id: string; url: string }>;
      }>(root, ['queue', 'crawl']),
      cli(['--dir', root, 'queue', 'crawl', '--limit', '1']),
      cli(['--dir', root, '--json', 'queue', 'nope']),
    ]);
    expect(json.json).toMatchObject({ totalRequestCount: 4, handledRequestCount: 1, pendingRequestCount: 3 });
    expect(json.json.head.map((r) => r.url)).toEqual([urls[2], urls[3], urls[1]]);
    expect(json.json.head[2]!.lockExpiresAt).toBeDefined();
    expect(json.json.locked).toEqual([expect.objectContaining({ id: locked.items[0]!.id, url: urls[1] })]);
    expect(human.stdout).toContain('requests: 4 total, 1 handled, 3 pending, 1+ locked');
    expect(human.stdout).toMatch(
      /head \(next 1\):\n\s+ID\s+METHOD\s+RETRIES\s+LOCKED\s+URL\n\s+\S+\s+GET\s+0\s+-\s+https:\/\/example\.com\/3\n/,
    );
    expect(missing.code).toBe(4);
  });
});
