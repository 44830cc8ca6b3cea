/**
 * Requests that a crawler had locked when its process died are offered at once to the next run,
 * not when their locks run out (Crawlee locks for at least a minute, and picks a new client key
 * each run, so it could not claim them as its own). While their holder lives, they stay locked.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Configuration, RequestQueue } from 'crawlee';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';
import { childEnv, clearCrawleeEnv } from './processes/crawl-expect.js';

const LOCKER = join(import.meta.dirname, 'processes', 'crawl-locker.ts');

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

/** A Crawlee RequestQueue of a new run: a new Configuration, a new client, a new client key. */
async function openQueue(): Promise<RequestQueue> {
  const config = new Configuration({
    storageClient: createFsClient({ storageDir: dir }),
    purgeOnStart: false,
  });
  return RequestQueue.open(undefined, { config });
}

describe('locks of a dead crawler', () => {
  it('stay while the crawler lives and are released as soon as it is killed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOCKER, dir, '5'], {
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<unknown>((resolve) => child.once('exit', resolve));
    try {
      const line = await new Promise<string>((resolve) =>
        child.stdout.once('data', (b: Buffer) => resolve(`${b}`)),
      );
      expect(line.trim()).toBe('locked');

      const whileAlive = await openQueue();
      expect(await whileAlive.fetchNextRequest()).toBeNull();
      expect(await whileAlive.isFinished()).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }

    const afterKill = await openQueue();
    const urls: string[] = [];
    for (
      let request = await afterKill.fetchNextRequest();
      request;
      request = await afterKill.fetchNextRequest()
    ) {
      urls.push(request.url);
      await afterKill.markRequestHandled(request);
    }
    expect(urls.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `https://shop.example/${i}`));
    expect(await afterKill.isFinished()).toBe(true);
    expect(await afterKill.getInfo()).toMatchObject({ handledRequestCount: 5, pendingRequestCount: 0 });
  }, 60_000);
});
