/**
 * Real processes at once (scripts in test/processes/): writers of a dataset and of a key-value
 * store side by side; two adders and two consumers on one queue; a store lock left by a process
 * killed while holding it; request locks left by a killed consumer. Counts exact, nothing lost,
 * nothing handed out or written twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestIdFromUniqueKey } from '../src/fs/layout.js';
import { createFsClient, normalizeUrl, RequestQueue } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

const script = (name: string) => join(import.meta.dirname, 'processes', name);

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

interface Started {
  child: ChildProcess;
  out: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function start(name: string, args: string[]): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', script(name), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const done = new Promise<Awaited<Started['done']>>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, out: () => out, done };
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('processes at once', () => {
  it('3 dataset writers and 3 key-value writers side by side: every item and record once, numbered 1..n', async () => {
    const client = createFsClient({ storageDir: dir });
    await client.datasets().getOrCreate('shared');
    const { id: storeId } = await client.keyValueStores().getOrCreate('shared');
    const pushers = [1, 2, 3].map((w) => start('dataset-push.ts', [dir, 'shared', String(w), '1500']));
    const writers = [0, 1, 2].map((w) => start('kvs-writer.ts', [dir, 'shared', String(w), '300', '50000']));
    for (const result of await Promise.all([...pushers, ...writers].map((p) => p.done))) {
      expect(result, result.stderr).toMatchObject({ code: 0 });
    }

    const names = await readdir(join(dir, 'datasets', 'shared'));
    const numbers = names.filter((n) => /^\d+\.json$/.test(n)).map((n) => Number(n.slice(0, -5)));
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 4500 }, (_, i) => i + 1));
    const seen = new Set<string>();
    for await (const item of client.dataset('shared').listItems()) seen.add(`${item.worker}/${item.seq}`);
    expect(seen.size).toBe(4500);
    expect((await client.dataset('shared').get())?.itemCount).toBe(4500);

    const keys: string[] = [];
    for await (const item of client.keyValueStore(storeId).listKeys()) keys.push(item.key);
    expect(keys).toHaveLength(901);
    for (const w of [0, 1, 2]) {
      expect(keys.filter((k) => k.startsWith(`w${w}-`))).toHaveLength(300);
      expect((await client.keyValueStore(storeId).getRecord(`w${w}-299`))?.value).toEqual({
        writer: w,
        i: 299,
      });
    }
  }, 180_000);

  it('2 adders and 2 consumers on one queue: each URL handed out once, to one consumer; flagged hadMultipleClients', async () => {
    const total = 1200;
    await RequestQueue.open('shared', { storageDir: dir });
    const stop = join(dir, 'stop');
    const logs = ['c1', 'c2'].map((key) => join(dir, `${key}.log`));
    const consumers = ['c1', 'c2'].map((key, i) =>
      start('crash-rq-consumer.ts', [dir, 'shared', key, logs[i] as string, stop]),
    );
    const adders = [0, 1].map((w) => start('rq-adder.ts', [dir, 'shared', String(w), '2', String(total)]));
    for (const result of await Promise.all(adders.map((a) => a.done))) {
      expect(result, result.stderr).toMatchObject({ code: 0 });
    }
    await writeFile(stop, '');
    for (const result of await Promise.all(consumers.map((c) => c.done))) {
      expect(result, result.stderr).toMatchObject({ code: 0 });
    }

    const lines = await Promise.all(
      logs.map(async (log) => (await readFile(log, 'utf8')).trim().split('\n')),
    );
    const fetched = lines
      .flat()
      .filter((l) => l.startsWith('F '))
      .map((l) => l.slice(2));
    const handled = lines
      .flat()
      .filter((l) => l.startsWith('H '))
      .map((l) => l.slice(2));
    expect(new Set(fetched).size, 'a request was handed out twice').toBe(fetched.length);
    const expected = new Set(
      Array.from({ length: total }, (_, k) =>
        requestIdFromUniqueKey(normalizeUrl(`https://EXAMPLE.com/item/${k}/`) as string),
      ),
    );
    expect(new Set(handled)).toEqual(expected);
    expect(handled).toHaveLength(total);
    // Both consumers got work (or the test proved nothing about two of them).
    for (const consumerLines of lines) expect(consumerLines.some((l) => l.startsWith('H '))).toBe(true);
    const info = await createFsClient({ storageDir: dir }).requestQueue('shared').get();
    expect(info).toMatchObject({
      totalRequestCount: total,
      handledRequestCount: total,
      pendingRequestCount: 0,
      hadMultipleClients: true,
    });
  }, 180_000);

  it('a store lock held by a process killed with SIGKILL is taken over once stale; the waiting writer loses nothing', async () => {
    const client = createFsClient({ storageDir: dir });
    await client.datasets().getOrCreate('locked');
    await client.dataset('locked').pushItems({ before: true });
    const holder = start('crash-lock-holder.ts', [dir, 'datasets', 'locked']);
    await waitFor(() => holder.out().includes('locked'), 'the holder to take the lock');
    const writer = start('dataset-push.ts', [dir, 'locked', '1', '50', '10']);
    // While the holder lives, the writer waits (the lock is refreshed, never stale).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(writer.child.exitCode).toBeNull();
    expect((await client.dataset('locked').get())?.itemCount).toBe(1);

    holder.child.kill('SIGKILL');
    expect((await holder.done).signal).toBe('SIGKILL');
    const result = await writer.done;
    expect(result, result.stderr).toMatchObject({ code: 0 });
    const page = await client.dataset('locked').listItems();
    expect(page.total).toBe(51);
    expect(page.items.slice(1).map((item) => item.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  }, 120_000);

  it('requests locked by a consumer killed with SIGKILL go to another client at once, not after lockSecs', async () => {
    const client = createFsClient({ storageDir: dir });
    const { id } = await client.requestQueues().getOrCreate('jobs');
    await client.requestQueue(id).batchAddRequests(
      Array.from({ length: 20 }, (_, i) => ({
        url: `https://example.com/${i}`,
        uniqueKey: `https://example.com/${i}`,
      })),
    );
    const locker = start('crash-rq-locker.ts', [dir, 'jobs', 'doomed', '8']);
    await waitFor(() => locker.out().includes(']'), 'the locker to lock');
    const locked = JSON.parse(locker.out()) as string[];
    expect(locked).toHaveLength(8);

    const other = client.requestQueue(id, { clientKey: 'survivor' });
    const whileAlive = await other.listAndLockHead({ lockSecs: 60, limit: 25 });
    expect(whileAlive.items).toHaveLength(12);
    expect(whileAlive.items.some((item) => locked.includes(item.id))).toBe(false);

    locker.child.kill('SIGKILL');
    await locker.done;
    const afterDeath = createFsClient({ storageDir: dir }).requestQueue(id, { clientKey: 'survivor-2' });
    const freed = await afterDeath.listAndLockHead({ lockSecs: 60, limit: 25 });
    expect(freed.items.map((item) => item.id).sort()).toEqual([...locked].sort());
  }, 60_000);
});
