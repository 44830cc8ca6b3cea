import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActorStorageServer, createServer } from '../src/index.js';
import { rawRequest } from './helpers/server-http.js';
import { tempDir } from './helpers/tmp.js';

const TOKEN = 'escape-test-token-0123456789';

let root: { dir: string; cleanup: () => Promise<void> };
let server: ActorStorageServer;
let url: string;
let ids: { dataset: string; kvs: string; queue: string };

/** A digest of every path, type, mode and content under `dir`. */
async function treeHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  async function walk(rel: string): Promise<void> {
    const entries = (await readdir(join(dir, rel), { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    for (const entry of entries) {
      const path = join(rel, entry.name);
      const info = await stat(join(dir, path));
      hash.update(`${path}\0${entry.isDirectory() ? 'd' : 'f'}\0${info.mode}\0${info.mtimeMs}\0`);
      if (entry.isDirectory()) await walk(path);
      else hash.update(await readFile(join(dir, path)));
    }
  }
  await walk('.');
  return hash.digest('hex');
}

/** Sends the request line exactly as written, bytes and all. */
function socketRequest(port: number, requestLine: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
    socket.end(`${requestLine}\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`);
  });
}

beforeAll(async () => {
  root = await tempDir('actor-storage-escape-');
  await mkdir(join(root.dir, 'outside'));
  await writeFile(join(root.dir, 'outside', 'secret.txt'), 'keep me');
  const storageDir = join(root.dir, 'storage');
  // The stores are made by a first server, closed before the attack, so that no lock or write of
  // the set-up is still in flight when the disk is hashed.
  const setup = createServer({ storageDir, token: TOKEN });
  const setupUrl = await setup.listen();
  const headers = { authorization: `Bearer ${TOKEN}` };
  const create = async (kind: string) => {
    const res = await rawRequest(setupUrl, { method: 'POST', path: `/v2/${kind}?name=target`, headers });
    return (res.json as { data: { id: string } }).data.id;
  };
  ids = {
    dataset: await create('datasets'),
    kvs: await create('key-value-stores'),
    queue: await create('request-queues'),
  };
  await setup.close();
  server = createServer({ storageDir, token: TOKEN });
  url = await server.listen();
});

afterAll(async () => {
  await server.close();
  await root.cleanup();
});

describe('path escapes', () => {
  it('refuses every escape attempt (400/404) and leaves the disk exactly as it was', async () => {
    const { dataset, kvs, queue } = ids;
    const attacks: Array<[string, string, string?]> = [
      ['GET', '/v2/datasets/..%2f..%2foutside'],
      ['GET', '/v2/datasets/%2e%2e'],
      ['GET', '/v2/datasets/%2E%2E%2F%2E%2E%2Foutside/items'],
      ['GET', '/v2/datasets/%252e%252e%252foutside'],
      ['GET', '/v2/datasets/..%5c..%5coutside'],
      ['GET', '/v2/datasets/..\\..\\outside'],
      ['GET', '/v2/datasets/x%00y'],
      ['GET', '/v2/datasets/~..%2foutside'],
      ['GET', '/v2/datasets/local~%2e%2e'],
      ['GET', '/v2/datasets/%2fetc%2fpasswd'],
      ['POST', '/v2/datasets?name=..%2foutside'],
      ['POST', '/v2/datasets?name=%2e%2e'],
      ['POST', '/v2/datasets?name=a%00b'],
      ['POST', '/v2/datasets/..%2f..%2foutside/items', '[{"a":1}]'],
      ['POST', '/v2/datasets/%2e%2e%2foutside/items', '[{"a":1}]'],
      ['PUT', `/v2/datasets/${dataset}`, '{"name":"../outside"}'],
      ['PUT', `/v2/datasets/${dataset}`, '{"name":"..\\\\outside"}'],
      ['DELETE', '/v2/datasets/..%2foutside'],
      ['DELETE', '/v2/key-value-stores/%2e%2e'],
      ['PUT', `/v2/key-value-stores/${kvs}/records/..%2f..%2f..%2foutside%2fsecret.txt`, 'pwned'],
      ['PUT', `/v2/key-value-stores/${kvs}/records/%2e%2e`, 'pwned'],
      ['PUT', `/v2/key-value-stores/${kvs}/records/%252e%252e%252fx`, 'pwned'],
      ['PUT', `/v2/key-value-stores/${kvs}/records/..%5c..%5cx`, 'pwned'],
      ['PUT', `/v2/key-value-stores/${kvs}/records/__metadata__.json`, 'pwned'],
      ['PUT', `/v2/key-value-stores/${kvs}/records/a%00b`, 'pwned'],
      ['POST', `/v2/key-value-stores/${kvs}/records/..%2fx`, 'pwned'],
      ['GET', `/v2/key-value-stores/${kvs}/records/..%2F..%2F..%2Foutside%2Fsecret.txt`],
      ['DELETE', `/v2/key-value-stores/${kvs}/records/..%2f__metadata__.json`],
      ['PUT', '/v2/key-value-stores/..%2f..%2foutside/records/secret.txt', 'pwned'],
      ['GET', `/v2/request-queues/${queue}/requests/..%2f..%2fx`],
      ['PUT', `/v2/request-queues/${queue}/requests/%2e%2e`, '{"url":"http://a","uniqueKey":"a","id":".."}'],
      ['DELETE', `/v2/request-queues/${queue}/requests/..%2fx/lock`],
      ['DELETE', '/v2/request-queues/%2e%2e%2f%2e%2e'],
    ];
    const before = await treeHash(root.dir);
    for (const [method, path, body] of attacks) {
      const res = await rawRequest(url, {
        method,
        path,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body,
      });
      expect([method, path, [400, 404].includes(res.status)]).toEqual([method, path, true]);
    }
    const port = Number(new URL(url).port);
    for (const line of [
      'GET /v2/datasets/../../outside HTTP/1.1',
      'GET /v2/datasets/.. HTTP/1.1',
      `PUT /v2/key-value-stores/${kvs}/records/../../x HTTP/1.1`,
      'GET /v2/datasets/..\\..\\outside HTTP/1.1',
      'GET //etc/passwd HTTP/1.1',
    ]) {
      const status = await socketRequest(port, line);
      expect([line, [400, 404].includes(status)]).toEqual([line, true]);
    }
    expect(await treeHash(root.dir)).toBe(before);
    expect(await readFile(join(root.dir, 'outside', 'secret.txt'), 'utf8')).toBe('keep me');
  });
});
