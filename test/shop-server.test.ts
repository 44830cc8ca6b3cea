import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { loadShopManifest } from '../fixtures/shop/manifest.js';
import { type ShopServer, startShopServer } from '../fixtures/shop/server.js';

const manifest = loadShopManifest();
const flaky = manifest.products.filter((p) => p.flaky);
const steady = manifest.products.find((p) => !p.flaky)!;

const servers: ShopServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(failures?: boolean): Promise<ShopServer> {
  const shop = await startShopServer(failures === undefined ? {} : { failures });
  servers.push(shop);
  return shop;
}

async function statusOf(url: string, init?: RequestInit): Promise<number> {
  const res = await fetch(url, init);
  await res.arrayBuffer();
  return res.status;
}

/** A GET with the path sent exactly as written (fetch would normalise `..` away). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** Resolves with the connection error, or undefined when the connection was accepted. */
function tryConnect(host: string, port: number): Promise<string | undefined> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      done(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error'));
  });
}

describe('shop server', () => {
  it('listens on 127.0.0.1 only, on a random port', async () => {
    const shop = await start();
    expect(shop.url).toBe(`http://127.0.0.1:${shop.port}`);
    expect(shop.port).toBeGreaterThan(0);
    expect(await tryConnect('127.0.0.1', shop.port)).toBeUndefined();
    expect(await tryConnect('::1', shop.port)).toBeDefined();
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) expect(await tryConnect(external.address, shop.port)).toBeDefined();
  });

  it('serves files with their content types, HEAD without a body, 404 and 405', async () => {
    const shop = await start();
    const cases: [string, string][] = [
      ['/', 'text/html; charset=utf-8'],
      ['/category/tea/page/2.html', 'text/html; charset=utf-8'],
      ['/manifest.json', 'application/json; charset=utf-8'],
      ['/assets/shop.css', 'text/css; charset=utf-8'],
      ['/images/logo.svg', 'image/svg+xml'],
    ];
    for (const [path, type] of cases) {
      const res = await fetch(shop.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(Number(res.headers.get('content-length'))).toBe((await res.arrayBuffer()).byteLength);
    }
    expect(await (await fetch(`${shop.url}/manifest.json`)).json()).toEqual(manifest);
    const head = await fetch(`${shop.url}/`, { method: 'HEAD' });
    expect([head.status, (await head.arrayBuffer()).byteLength]).toEqual([200, 0]);
    expect(await statusOf(`${shop.url}/product/no-such-thing.html`)).toBe(404);
    expect(await statusOf(`${shop.url}/images`)).toBe(404);
    const post = await fetch(`${shop.url}/`, { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('serves a page under every spelling of its URL and counts them as one', async () => {
    const shop = await start(false);
    const spellings = [
      '/category/tea/',
      '/category/tea',
      '/category/tea/index.html',
      '/category/tea/?utm_source=x#top',
    ];
    for (const path of spellings) expect(await statusOf(shop.url + path), path).toBe(200);
    expect(await statusOf(`${shop.url}${steady.path}/`)).toBe(200);
    expect(await statusOf(`${shop.url}${steady.path}?utm_campaign=deals#offer`)).toBe(200);
    expect(shop.hits.get('/category/tea/')).toBe(4);
    expect(shop.hits.get(steady.path)).toBe(2);
  });

  it('fails each flaky page exactly twice, then serves it; per server instance', async () => {
    expect(flaky).toHaveLength(4);
    const shop = await start();
    for (const product of flaky) {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push(await statusOf(shop.url + product.path));
      expect(statuses, product.path).toEqual([500, 500, 200, 200]);
      expect(shop.hits.get(product.path)).toBe(4);
    }
    expect(await statusOf(shop.url + steady.path)).toBe(200);

    // Another spelling of the same page shares its failure count.
    const again = await start();
    const path = flaky[0]!.path;
    const variants = [`${path}?utm_source=a`, `${path}/`, `${path}#reviews`];
    const statuses = [];
    for (const variant of variants) statuses.push(await statusOf(again.url + variant));
    expect(statuses).toEqual([500, 500, 200]);

    const calm = await start(false);
    expect(await statusOf(calm.url + path)).toBe(200);
  });

  it('refuses paths that would leave the site', async () => {
    const shop = await start();
    const escapes = [
      '/../package.json',
      '/%2e%2e%2fpackage.json',
      '/%2e%2e/%2e%2e/%2e%2e/package.json',
      '/..%2f..%2f..%2fpackage.json',
      '/product/..%2f..%2f..%2f..%2fpackage.json',
      '/manifest.json/../../../package.json',
      '/..%5c..%5c..%5cpackage.json',
      '/%00',
    ];
    for (const path of escapes) {
      const { status, body } = await rawGet(shop.port, path);
      expect(status, path).toBe(403);
      expect(body).not.toContain('actor-storage');
    }
    expect((await rawGet(shop.port, '/%E0%A4%A')).status).toBe(400);
    expect((await rawGet(shop.port, '/package.json')).status).toBe(404);
  });

  it('closes, dropping keep-alive connections, and can be closed twice', async () => {
    const shop = await startShopServer({ failures: false });
    expect(await statusOf(`${shop.url}/`)).toBe(200);
    await shop.close();
    await shop.close();
    expect(await tryConnect('127.0.0.1', shop.port)).toBeDefined();
  });
});

describe('shop server CLI', () => {
  function run(args: string[]): ChildProcess {
    return spawn(process.execPath, ['--import', 'tsx', 'fixtures/shop/server.ts', ...args], {
      cwd: new URL('..', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  function exitCode(child: ChildProcess): Promise<number | null> {
    return new Promise((done) => child.once('exit', (code) => done(code)));
  }

  it('prints its address, serves the shop and stops on SIGTERM', async () => {
    const child = run(['--port', '0']);
    const exited = exitCode(child);
    const line = await new Promise<string>((done, fail) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) done(out.trim());
      });
      child.once('exit', () => fail(new Error(`exited early: ${out}`)));
    });
    const match = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
    expect(match).not.toBeNull();
    expect(await statusOf(`${match![1]}/`)).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('rejects a bad port with exit code 2', async () => {
    expect(await exitCode(run(['--port', 'eighty']))).toBe(2);
  });
});
