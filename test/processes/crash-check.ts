/**
 * The checker of the crash harness: opens the storage folder the killed writer left, in a fresh
 * process, and prints (as JSON) what a reader sees: every dataset item's tag, every record's key
 * and value tag, the requests the queue hands out (locked, then released again), the metadata
 * counts, and what lies on disk (files that fail to parse, temp files, files moved aside).
 *
 * Usage: node --import tsx crash-check.ts <storageDir>
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFsClient } from '../../src/index.js';

const [storageDir] = process.argv.slice(2);
if (!storageDir) {
  process.stderr.write('usage: crash-check.ts <storageDir>\n');
  process.exit(2);
}
const client = createFsClient({ storageDir });

async function datasetView() {
  const dataset = client.dataset('crash');
  const tags: string[] = [];
  for await (const item of dataset.listItems()) tags.push(String(item.tag));
  const info = await dataset.get();
  const folder = join(storageDir as string, 'datasets', 'crash');
  const numbers = (await readdir(folder))
    .filter((name) => /^\d+\.json$/.test(name))
    .map((name) => Number(name.slice(0, -5)));
  const metadata = JSON.parse(await readFile(join(folder, '__metadata__.json'), 'utf8'));
  return { tags, itemCount: info?.itemCount, metadataItemCount: metadata.itemCount, numbers };
}

/** A record's tag: the `value` of a JSON record, the text, or the bytes before the 0x07 padding. */
function recordTag(value: unknown): string {
  if (Buffer.isBuffer(value)) {
    const end = value.indexOf(7);
    return value.subarray(0, end === -1 ? value.length : end).toString('utf8');
  }
  if (typeof value === 'string') return value;
  return String((value as { value?: unknown }).value);
}

async function storeView() {
  const store = client.keyValueStore('crash');
  const keys: string[] = [];
  let exclusiveStartKey: string | undefined;
  for (;;) {
    const page = await store.listKeys({ exclusiveStartKey, limit: 1000 });
    keys.push(...page.items.map((item) => item.key));
    if (!page.isTruncated) break;
    exclusiveStartKey = page.nextExclusiveStartKey;
  }
  const records: Record<string, string | null> = {};
  for (const key of keys) {
    const record = await store.getRecord(key);
    records[key] = record === undefined ? null : recordTag(record.value);
  }
  return { keys, records };
}

async function queueView() {
  const queue = client.requestQueue('crash', { clientKey: 'crash-checker' });
  const handedOut: string[] = [];
  for (;;) {
    const head = await queue.listAndLockHead({ lockSecs: 300, limit: 25 });
    if (head.items.length === 0) break;
    handedOut.push(...head.items.map((item) => item.id));
  }
  // Release them again, so that the next writer goes on with them.
  for (const id of handedOut) await queue.deleteRequestLock(id);
  const info = await queue.get();
  const folder = join(storageDir as string, 'request_queues', 'crash');
  const files: Array<{ id: string; pending: boolean }> = [];
  for (const name of await readdir(folder)) {
    if (!name.endsWith('.json') || name === '__metadata__.json' || name.startsWith('.')) continue;
    const file = JSON.parse(await readFile(join(folder, name), 'utf8'));
    files.push({ id: file.id, pending: file.orderNo !== null });
  }
  const handled: string[] = [];
  for (const file of files) {
    if (file.pending) continue;
    const request = await queue.getRequest(file.id);
    if (request?.handledAt) handled.push(file.id);
  }
  return { handedOut, handled, files, info };
}

/** Every file under the storage dir: those that fail to parse, temp files, files moved aside. */
async function diskView() {
  const unparsable: string[] = [];
  const temp: string[] = [];
  const corrupt: string[] = [];
  async function walk(rel: string): Promise<void> {
    for (const entry of await readdir(join(storageDir as string, rel), { withFileTypes: true })) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.name === '__corrupt__') corrupt.push(...(await readdir(join(storageDir as string, path))));
      else if (entry.isDirectory()) {
        if (entry.name !== '.locks') await walk(path);
      } else if (entry.name.startsWith('.tmp-')) temp.push(path);
      else if (entry.name.endsWith('.json')) {
        try {
          JSON.parse(await readFile(join(storageDir as string, path), 'utf8'));
        } catch {
          unparsable.push(path); // reported to the test, which fails on it
        }
      }
    }
  }
  await walk('');
  return { unparsable, temp, corrupt };
}

// The disk is looked at first, as the crash left it, before any reader repairs anything.
const disk = await diskView();
const result = { disk, dataset: await datasetView(), store: await storeView(), queue: await queueView() };
await client.teardown();
process.stdout.write(`${JSON.stringify(result)}\n`);
