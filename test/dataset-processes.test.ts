/** Several real processes writing one dataset at once (see test/processes/dataset-push.ts). */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itemFileName } from '../src/fs/layout.js';
import { createFsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

const SCRIPT = join(import.meta.dirname, 'processes', 'dataset-push.ts');

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

function start(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stderr: string }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.on('exit', (code) => resolve({ code, stderr }));
  });
  return { child, done };
}

const itemNumbers = async (folder: string) =>
  (await readdir(folder))
    .filter((name) => /^\d+\.json$/.test(name))
    .map((name) => Number(name.slice(0, -5)))
    .sort((a, b) => a - b);

describe('datasets across processes', () => {
  it('4 processes push 5,000 items each into one dataset: 20,000 files, 1..20,000, each item once', async () => {
    const workers = [1, 2, 3, 4].map((worker) => start([dir, 'shared', String(worker), '5000']));
    const results = await Promise.all(workers.map((w) => w.done));
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });

    const folder = join(dir, 'datasets', 'shared');
    const numbers = await itemNumbers(folder);
    expect(numbers).toHaveLength(20_000);
    expect(numbers[0]).toBe(1);
    expect(numbers.at(-1)).toBe(20_000);
    expect(await readdir(join(dir, 'datasets'))).toEqual(['shared']);

    const meta = JSON.parse(await readFile(join(folder, '__metadata__.json'), 'utf8'));
    expect(meta).toMatchObject({ itemCount: 20_000, cleanItemCount: 20_000, stats: { writeCount: 20_000 } });

    const client = createFsClient({ storageDir: dir });
    const lastSeq = new Map<number, number>();
    const seen = new Set<string>();
    for await (const item of client.dataset('shared').listItems()) {
      const worker = item.worker as number;
      const seq = item.seq as number;
      seen.add(`${worker}/${seq}`);
      expect(seq, `worker ${worker} out of order`).toBeGreaterThan(lastSeq.get(worker) ?? -1);
      lastSeq.set(worker, seq);
    }
    expect(seen.size).toBe(20_000);
    for (const worker of [1, 2, 3, 4]) expect(lastSeq.get(worker)).toBe(4_999);
  });

  it('a writer that exits the moment its last push is acknowledged leaves every item counted on disk', async () => {
    const client = createFsClient({ storageDir: dir });
    await client.datasets().getOrCreate('prompt');
    expect((await client.dataset('prompt').listItems()).total).toBe(0); // this process has it open
    for (const round of [1, 2, 3]) {
      const writer = start([dir, 'prompt', String(round), '101', '1', 'exit']);
      expect(await writer.done, 'writer').toMatchObject({ code: 0 });
      const folder = join(dir, 'datasets', 'prompt');
      const meta = JSON.parse(await readFile(join(folder, '__metadata__.json'), 'utf8'));
      expect(meta).toMatchObject({ itemCount: 101 * round, stats: { writeCount: 101 * round } });
      const page = await client.dataset('prompt').listItems({ desc: true, limit: 1 });
      expect(page.total).toBe(101 * round);
      expect(page.items).toEqual([{ worker: round, seq: 100, pad: 'x'.repeat(round * 10) }]);
    }
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`a writer stopped by ${signal} leaves every item it wrote counted on disk`, async () => {
      const client = createFsClient({ storageDir: dir });
      await client.datasets().getOrCreate('stopped');
      expect((await client.dataset('stopped').listItems()).total).toBe(0); // this process has it open
      const folder = join(dir, 'datasets', 'stopped');
      const writer = start([dir, 'stopped', '1', 'forever', '1']);
      while ((await itemNumbers(folder)).length < 300)
        await new Promise((resolve) => setTimeout(resolve, 20));
      writer.child.kill(signal);
      await writer.done;
      const numbers = await itemNumbers(folder);
      const meta = JSON.parse(await readFile(join(folder, '__metadata__.json'), 'utf8'));
      expect(numbers.at(-1)).toBe(numbers.length);
      // Every acknowledged push is counted; the two pushes in flight when the signal came may have
      // left files that the next writer adopts (without the exit flush, hundreds would be missing).
      expect(meta.itemCount).toBeLessThanOrEqual(numbers.length);
      expect(meta.itemCount).toBeGreaterThanOrEqual(numbers.length - 2);
      expect((await client.dataset('stopped').listItems({ limit: 1 })).total).toBe(meta.itemCount);
    });
  }

  it('after a writer is killed mid-push, the next writer adopts its files and numbering goes on', async () => {
    const client = createFsClient({ storageDir: dir });
    await client.datasets().getOrCreate('crashy');
    const folder = join(dir, 'datasets', 'crashy');
    const writer = start([dir, 'crashy', '1', 'forever', '40']);
    // Kill it once it has written a good part, whatever it is doing at that moment.
    while ((await itemNumbers(folder)).length < 400) await new Promise((resolve) => setTimeout(resolve, 20));
    writer.child.kill('SIGKILL');
    await writer.done;

    const numbers = await itemNumbers(folder);
    const highest = numbers.at(-1) as number;
    const missing = Array.from({ length: highest }, (_, i) => i + 1).filter((n) => !numbers.includes(n));
    expect(missing.every((n) => n > highest - 40)).toBe(true); // gaps only inside the interrupted push

    await client.dataset('crashy').pushItems({ after: 'crash' });
    await client.teardown(); // the metadata is written when the lock is let go
    const meta = JSON.parse(await readFile(join(folder, '__metadata__.json'), 'utf8'));
    expect(meta.itemCount).toBe(highest + 1);
    expect(JSON.parse(await readFile(join(folder, itemFileName(highest + 1)), 'utf8'))).toEqual({
      after: 'crash',
    });
    const page = await client.dataset('crashy').listItems();
    expect(page.total).toBe(highest + 1);
    expect(page.items).toHaveLength(numbers.length + 1);
  }, 60_000);
});
