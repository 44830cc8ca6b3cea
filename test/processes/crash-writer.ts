/**
 * The writer of the crash harness (test/crash-harness.test.ts): mixes dataset pushes, record writes
 * and deletes, queue adds, head locks, lock prolongs and releases, and handled marks, four loops at
 * once, until it is killed. Before each operation it appends `S <op json>` to the log, and once the
 * operation's promise resolved `A <opId>`, both with appendFileSync, so that the log tells exactly
 * which operations were acknowledged when the process died.
 *
 * Usage: node --import tsx crash-writer.ts <storageDir> <log> <round> <seed> [fsync]
 */
import { appendFileSync } from 'node:fs';
import { createFsClient } from '../../src/index.js';

const [storageDir, log, roundArg, seedArg, fsyncArg] = process.argv.slice(2);
if (!storageDir || !log || !roundArg || !seedArg) {
  process.stderr.write('usage: crash-writer.ts <storageDir> <log> <round> <seed> [fsync]\n');
  process.exit(2);
}
const round = Number(roundArg);

/** mulberry32: a small seeded generator, so a failing round can be replayed from its seed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = generator(Number(seedArg));
const pick = (n: number) => Math.floor(random() * n);

const client = createFsClient({ storageDir, fsync: fsyncArg === 'fsync' });
await client.datasets().getOrCreate('crash');
await client.keyValueStores().getOrCreate('crash');
await client.requestQueues().getOrCreate('crash');
const dataset = client.dataset('crash');
const store = client.keyValueStore('crash');
const queue = client.requestQueue('crash', { clientKey: 'crash-writer' });

let nextOp = 0;
/** Runs `work` between a start line and an acknowledgement line in the log. */
async function logged<T>(op: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
  const id = `${round}.${nextOp++}`;
  appendFileSync(log as string, `S ${JSON.stringify({ id, ...op })}\n`);
  const result = await work();
  appendFileSync(log as string, `A ${id}\n`);
  return result;
}

async function push(loop: number): Promise<void> {
  const tag = `${round}.${loop}.${nextOp}`;
  const items = Array.from({ length: 1 + pick(40) }, (_, i) => ({
    tag: `${tag}.${i}`,
    pad: 'p'.repeat(pick(400)),
  }));
  await logged({ kind: 'push', tags: items.map((item) => item.tag) }, () => dataset.pushItems(items));
}

/** Each loop owns its keys, so that the writes of one key are ordered by the log. */
async function setOrDelete(loop: number): Promise<void> {
  const key = `k${loop}-${pick(12)}`;
  if (random() < 0.25) {
    await logged({ kind: 'delete', key }, () => store.deleteRecord(key));
    return;
  }
  const value = `${round}.${loop}.${nextOp}`;
  const form = pick(3);
  if (form === 0) {
    await logged({ kind: 'set', key, value, form: 'json' }, () => store.setRecord({ key, value: { value } }));
  } else if (form === 1) {
    await logged({ kind: 'set', key, value, form: 'text' }, () =>
      store.setRecord({ key, value, contentType: 'text/plain; charset=utf-8' }),
    );
  } else {
    const bytes = Buffer.concat([Buffer.from(value), Buffer.alloc(pick(20_000), 7)]);
    await logged({ kind: 'set', key, value, form: 'bytes' }, () =>
      store.setRecord({ key, value: bytes, contentType: 'application/octet-stream' }),
    );
  }
}

async function add(loop: number): Promise<void> {
  const count = 1 + pick(10);
  const urls = Array.from({ length: count }, (_, i) => `https://example.com/${round}/${loop}/${nextOp}/${i}`);
  const forefront = random() < 0.2;
  const requests = urls.map((url) => ({ url, uniqueKey: url }));
  await logged({ kind: 'add', uniqueKeys: urls }, async () => {
    const result = await queue.batchAddRequests(requests, { forefront });
    if (result.unprocessedRequests.length > 0) throw new Error('requests left unprocessed');
  });
}

/** Locks a few requests at the head, then marks each handled, prolongs or releases its lock. */
async function consume(): Promise<void> {
  const head = await logged({ kind: 'lock' }, () =>
    queue.listAndLockHead({ lockSecs: 120, limit: 1 + pick(5) }),
  );
  for (const item of head.items) {
    const choice = random();
    if (choice < 0.7) {
      const request = await queue.getRequest(item.id);
      if (!request) throw new Error(`locked request ${item.id} cannot be read`);
      await logged({ kind: 'handled', requestId: item.id }, () =>
        queue.updateRequest({ ...request, handledAt: new Date().toISOString() }),
      );
    } else if (choice < 0.85) {
      await logged({ kind: 'prolong', requestId: item.id }, () =>
        queue.prolongRequestLock(item.id, { lockSecs: 120 }),
      );
    } else {
      await logged({ kind: 'unlock', requestId: item.id }, () => queue.deleteRequestLock(item.id));
    }
  }
}

async function loop(index: number): Promise<void> {
  for (;;) {
    const choice = random();
    if (index === 0 && choice < 0.5) await consume();
    else if (choice < 0.4) await push(index);
    else if (choice < 0.75) await setOrDelete(index);
    else await add(index);
  }
}

appendFileSync(log, `R ${round}\n`);
process.stdout.write('ready\n');
await Promise.all([0, 1, 2, 3].map(loop));
