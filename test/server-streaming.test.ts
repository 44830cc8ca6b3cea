import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetClient, DatasetInfo, Dictionary, StorageClient } from '../src/client/types.js';
import { type ActorStorageServer, createFsClient, createServer } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

const TOKEN = 'streaming-test-token-0123';
const TOTAL = 1_000_000;
const GATE_AT = 50_000;

/** A source of a million synthetic items that stops at GATE_AT until the test opens the gate. */
function gatedSource() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let finished!: (reason: string) => void;
  const stopped = new Promise<string>((resolve) => {
    finished = resolve;
  });
  const state = { produced: 0, gateReached: false };
  let reachGate!: () => void;
  const gateReached = new Promise<void>((resolve) => {
    reachGate = resolve;
  });
  async function* items(): AsyncGenerator<Dictionary> {
    let completed = false;
    try {
      for (let i = 0; i < TOTAL; i++) {
        if (i === GATE_AT) {
          state.gateReached = true;
          reachGate();
          await gate;
        }
        state.produced++;
        yield { i };
      }
      completed = true;
    } finally {
      finished(completed ? 'completed' : 'stopped early');
    }
  }
  return { items, open, stopped, state, gateReached };
}

/** The fs client, with a dataset whose streaming read is the gated synthetic source. */
function clientWith(source: ReturnType<typeof gatedSource>, storageDir: string): StorageClient {
  const fs = createFsClient({ storageDir });
  const info: DatasetInfo = {
    id: 'synthetic00000000',
    name: 'synthetic',
    createdAt: new Date(),
    modifiedAt: new Date(),
    accessedAt: new Date(),
    itemCount: TOTAL,
  };
  const dataset = {
    ...fs.dataset('synthetic'),
    get: async () => info,
    iterateItems: async () => ({
      total: TOTAL,
      offset: 0,
      limit: 999_999_999_999,
      count: TOTAL,
      desc: false,
      items: source.items,
    }),
  } as DatasetClient;
  return { ...fs, dataset: () => dataset };
}

let dir: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

async function withServer<T>(
  source: ReturnType<typeof gatedSource>,
  fn: (url: URL) => Promise<T>,
): Promise<T> {
  const server: ActorStorageServer = createServer({
    storageDir: dir.dir,
    token: TOKEN,
    client: clientWith(source, dir.dir),
  });
  const url = new URL(await server.listen());
  try {
    return await fn(url);
  } finally {
    await server.close();
  }
}

function get(url: URL, onResponse: (res: import('node:http').IncomingMessage) => void) {
  const req = request({
    host: url.hostname,
    port: url.port,
    path: '/v2/datasets/synthetic/items?format=jsonl',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  req.on('response', onResponse);
  req.end();
  return req;
}

describe('streamed downloads', () => {
  it('sends items before the source is exhausted and downloads a million items in full', async () => {
    const source = gatedSource();
    await withServer(source, async (url) => {
      const result = await new Promise<{
        firstChunkAt: number;
        lines: number;
        headers: Record<string, unknown>;
      }>((resolve, reject) => {
        let firstChunkAt = -1;
        let lines = 0;
        get(url, (res) => {
          res.on('data', (chunk: Buffer) => {
            if (firstChunkAt === -1) {
              firstChunkAt = source.state.produced;
              // The first bytes are here while the source is held at the gate: nothing waited for the end.
              void source.gateReached.then(source.open);
            }
            for (const byte of chunk) if (byte === 0x0a) lines++;
          });
          res.on('end', () => resolve({ firstChunkAt, lines, headers: res.headers }));
          res.on('error', reject);
        }).on('error', reject);
      });
      expect(result.firstChunkAt).toBeGreaterThan(0);
      expect(result.firstChunkAt).toBeLessThanOrEqual(GATE_AT);
      expect(result.lines).toBe(TOTAL);
      expect(result.headers['x-apify-pagination-total']).toBe(String(TOTAL));
      expect(await source.stopped).toBe('completed');
    });
  });

  it('stops reading the source when the client goes away', async () => {
    const source = gatedSource();
    source.open(); // no gate here: the source runs as fast as it is read
    await withServer(source, async (url) => {
      await new Promise<void>((resolve, reject) => {
        const req = get(url, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (err) => {
          if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
        });
      });
      expect(await source.stopped).toBe('stopped early');
      expect(source.state.produced).toBeLessThan(TOTAL);
    });
  });
});
