import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsClient } from '../src/fs/index.js';
import { type ActorStorageServer, createServer } from '../src/server/index.js';
import { resolvePublicDir } from '../src/web-ui/index.js';
import { errorType, rawRequest } from './helpers/server-http.js';
import { tempDir } from './helpers/tmp.js';
import { makePng } from './helpers/web-ui-seed.js';

const TOKEN = 'web-ui-test-token';
const auth = { authorization: `Bearer ${TOKEN}` };
const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

let server: ActorStorageServer;
let url: string;
let storageDir: string;
let cleanup: () => Promise<void>;
let storeId: string;
let datasetId: string;

beforeAll(async () => {
  ({ dir: storageDir, cleanup } = await tempDir('actor-storage-web-ui-'));
  const client = createFsClient({ storageDir });
  const kv = await client.keyValueStores().getOrCreate('files');
  storeId = kv.id;
  const store = client.keyValueStore(kv.id);
  await store.setRecord({ key: 'INPUT', value: { a: 1 } });
  await store.setRecord({ key: 'note', value: 'hello', contentType: 'text/plain; charset=utf-8' });
  await store.setRecord({ key: 'pic', value: makePng(8), contentType: 'image/png' });
  datasetId = (await client.datasets().getOrCreate('items')).id;
  await client.dataset(datasetId).pushItems([{ a: 1 }, { a: 2 }]);
  await client.teardown();
  server = createServer({ storageDir, token: TOKEN });
  url = await server.listen(0);
});

afterAll(async () => {
  await server.close();
  await cleanup();
});

describe('static files', () => {
  it('serves the page at / to browsers, with a strict content security policy', async () => {
    const res = await rawRequest(url, { path: '/', headers: HTML });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body.toString()).toContain('<script type="module" src="/ui/js/main.js"></script>');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('keeps the API 404 at / for clients that do not ask for HTML', async () => {
    const res = await rawRequest(url, { path: '/', headers: auth });
    expect(res.status).toBe(404);
    expect(errorType(res)).toBe('page-not-found');
  });

  it('serves scripts, styles and the icon under /ui/ with their types; HEAD without a body', async () => {
    const types: Record<string, string> = {
      '/ui/app.css': 'text/css; charset=utf-8',
      '/ui/js/main.js': 'text/javascript; charset=utf-8',
      '/ui/js/views/dataset.js': 'text/javascript; charset=utf-8',
      '/ui/favicon.svg': 'image/svg+xml',
    };
    for (const [path, type] of Object.entries(types)) {
      const res = await rawRequest(url, { path });
      expect([path, res.status, res.headers['content-type']]).toEqual([path, 200, type]);
    }
    const head = await rawRequest(url, { method: 'HEAD', path: '/ui/app.css' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100);
    expect(head.body.length).toBe(0);
  });

  it('serves nothing outside the public folder, however the path is spelled', async () => {
    const paths = [
      '/ui/../package.json',
      '/ui/%2e%2e/%2e%2e/%2e%2e/package.json',
      '/ui/..%2f..%2f..%2fpackage.json',
      '/ui/js/../../static.ts',
      '/ui/%2fetc%2fpasswd',
      '/ui/nothing.js',
      '/ui/%E0%A4%A',
      '/ui/',
    ];
    for (const path of paths) {
      const res = await rawRequest(url, { path });
      expect([path, res.status]).toEqual([path, 404]);
      expect(errorType(res)).toBe('page-not-found');
    }
  });

  it('leaves other methods on /ui/ to the API router', async () => {
    const res = await rawRequest(url, { method: 'POST', path: '/ui/app.css', headers: auth });
    expect(res.status).toBe(404);
  });

  it('finds the public folder next to the module or in the source tree', async () => {
    const dir = resolvePublicDir();
    expect(existsSync(join(dir, 'index.html'))).toBe(true);
  });

  it('never renders data as HTML: no innerHTML, outerHTML, insertAdjacentHTML or document.write', async () => {
    const dir = resolvePublicDir();
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const source = await readFile(join(dir, file), 'utf8');
      expect([file, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/.test(source)]).toEqual([
        file,
        false,
      ]);
    }
  });
});

describe('local endpoints (/v2/local)', () => {
  it('GET /v2/local/info needs the token and tells the storage folder', async () => {
    const anonymous = await rawRequest(url, { path: '/v2/local/info' });
    expect(anonymous.status).toBe(401);
    const res = await rawRequest(url, { path: '/v2/local/info', headers: auth });
    expect(res.json).toEqual({ data: { storageDir } });
  });

  it('usage: bytes and files on disk; key-value stores add record count and bytes', async () => {
    const res = await rawRequest(url, { path: `/v2/local/key-value-stores/${storeId}/usage` });
    expect(res.status).toBe(200);
    const usage = (res.json as { data: Record<string, number> }).data;
    const png = makePng(8).length;
    expect(usage.recordCount).toBe(3);
    expect(usage.recordBytes).toBe(JSON.stringify({ a: 1 }, null, 2).length + 5 + png);
    // Records, their sidecars and the store metadata.
    expect(usage.files).toBeGreaterThanOrEqual(7);
    expect(usage.bytes).toBeGreaterThan(usage.recordBytes!);
    const ds = await rawRequest(url, { path: `/v2/local/datasets/${datasetId}/usage` });
    expect((ds.json as { data: { files: number } }).data.files).toBe(3);
  });

  it('usage by name needs the token; an unknown store is 404', async () => {
    const byName = await rawRequest(url, { path: '/v2/local/key-value-stores/files/usage' });
    expect(byName.status).toBe(401);
    const named = await rawRequest(url, { path: '/v2/local/key-value-stores/files/usage', headers: auth });
    expect(named.status).toBe(200);
    const missing = await rawRequest(url, {
      path: '/v2/local/request-queues/aaaaaaaaaaaaaaaaa/usage',
      headers: auth,
    });
    expect(missing.status).toBe(404);
    expect(errorType(missing)).toBe('record-not-found');
  });

  it('usage over a client without a storage folder: record totals, no folder sizes', async () => {
    const { storageDir: _dir, ...notFs } = createFsClient({ storageDir });
    const other = createServer({ client: notFs, token: TOKEN });
    const otherUrl = await other.listen(0);
    try {
      const res = await rawRequest(otherUrl, { path: `/v2/local/key-value-stores/${storeId}/usage` });
      expect((res.json as { data: unknown }).data).toMatchObject({
        bytes: null,
        files: null,
        recordCount: 3,
      });
      const info = await rawRequest(otherUrl, { path: '/v2/local/info', headers: auth });
      expect(info.json).toEqual({ data: { storageDir: null } });
    } finally {
      await other.close();
    }
  });

  it('keys with content types: the platform page plus each record type, paged the same way', async () => {
    const first = await rawRequest(url, { path: `/v2/local/key-value-stores/${storeId}/keys?limit=2` });
    expect(first.status).toBe(200);
    const page = (first.json as { data: Record<string, unknown> }).data;
    expect(page).toMatchObject({ count: 2, limit: 2, isTruncated: true, exclusiveStartKey: null });
    expect(page.items).toEqual([
      expect.objectContaining({ key: 'INPUT', contentType: 'application/json; charset=utf-8' }),
      expect.objectContaining({ key: 'note', contentType: 'text/plain; charset=utf-8', size: 5 }),
    ]);
    const next = await rawRequest(url, {
      path: `/v2/local/key-value-stores/${storeId}/keys?exclusiveStartKey=${page.nextExclusiveStartKey}`,
    });
    const rest = (next.json as { data: Record<string, unknown> }).data;
    expect(rest.items).toEqual([expect.objectContaining({ key: 'pic', contentType: 'image/png' })]);
    expect(rest.nextExclusiveStartKey).toBeNull();
  });
});

describe('actor-storage serve', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints the storage browser URL with the token after the listening line', async () => {
    const cli = join(import.meta.dirname, '..', 'src', 'cli', 'index.ts');
    child = spawn(process.execPath, ['--import', 'tsx', cli, '--dir', storageDir, 'serve', '--port', '0'], {
      env: { ...process.env, HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child!.stdout! }).on('line', (line) => {
        lines.push(line);
        if (line.startsWith('storage browser: ')) resolve();
      });
      child!.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${lines.join('\n')}`)));
    });
    const listening = lines.findIndex((l) => l.startsWith('listening on '));
    const base = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(lines[listening] ?? '')?.[1];
    const token = (await readFile(join(storageDir, '.server-token'), 'utf8')).trim();
    expect(base).toBeDefined();
    expect(lines[listening + 1]).toBe(`storage browser: ${base}/?token=${encodeURIComponent(token)}`);
    const page = await rawRequest(base!, { path: `/?token=${token}`, headers: HTML });
    expect(page.status).toBe(200);
    child.kill('SIGTERM');
    await new Promise((resolve) => child!.on('exit', resolve));
  });
});
