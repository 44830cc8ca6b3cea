/**
 * Opening a big request queue: time and memory of a fresh process from open to the first
 * `listHead` answer, then the cost of fetch + handle on it.
 *
 *   node --import tsx bench/rq-open.ts [storageDir] [count]      # default: $TMPDIR/rq-open-bench, 1,000,000
 *
 * The first run writes `count` request files (half of them handled) straight to disk in the
 * request-file format, then lets the engine index them once (the scan a queue written by another
 * tool gets). Every run then measures opening in a fresh process, where the engine reads its
 * snapshot and journal and no request file but the ones it returns.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsClient } from '../src/index.js';
import { requestFileText, writeQueueFolder } from './queue-fixture.js';

const [mode = 'run', storageDir = join(tmpdir(), 'rq-open-bench'), countText = '1000000'] =
  process.argv[2] === 'measure' ? process.argv.slice(2) : ['run', ...process.argv.slice(2)];
const count = Number(countText);
const NAME = 'big';
const folder = join(storageDir, 'request_queues', NAME);

async function generate(): Promise<void> {
  await writeQueueFolder(folder, { id: 'benchQueue0000001', name: NAME }, count, (n, now) => {
    const url = `https://example.com/products/${n}`;
    return { uniqueKey: url, text: requestFileText(n, url, url, n < count / 2 ? now : undefined) };
  });
}

async function measure(): Promise<void> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const client = createFsClient({ storageDir });
  const queue = client.requestQueue(NAME, { clientKey: 'bench' });
  const head = await queue.listHead({ limit: 10 });
  const openMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  const rssOpen = process.memoryUsage().rss;
  const ops = 500;
  const opsStart = performance.now();
  for (let i = 0; i < ops / 25; i += 1) {
    const { items } = await queue.listAndLockHead({ limit: 25, lockSecs: 60 });
    for (const item of items) {
      const request = await queue.getRequest(item.id);
      await queue.updateRequest({ ...request!, handledAt: new Date().toISOString() });
    }
  }
  const perOpMs = (performance.now() - opsStart) / ops;
  const info = await queue.get();
  await client.teardown();
  console.log(
    JSON.stringify({
      openToFirstHeadMs: Math.round(openMs),
      openCpuMs: Math.round((cpu.user + cpu.system) / 1000),
      rssAfterOpenMB: Math.round(rssOpen / 2 ** 20),
      firstHeadUrl: head.items[0]?.url,
      fetchAndHandleMsPerRequest: Number(perOpMs.toFixed(2)),
      total: info?.totalRequestCount,
      handled: info?.handledRequestCount,
      rssEndMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    }),
  );
}

if (mode === 'measure') {
  await measure();
} else {
  if (!existsSync(folder)) {
    let t = performance.now();
    await generate();
    console.log(`wrote ${count} request files in ${Math.round(performance.now() - t)} ms`);
    t = performance.now();
    await createFsClient({ storageDir }).requestQueue(NAME).get();
    console.log(
      `first open (one scan of every file, then snapshot) in ${Math.round(performance.now() - t)} ms`,
    );
  }
  for (let run = 0; run < 2; run += 1) {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', import.meta.filename, 'measure', storageDir],
      {
        encoding: 'utf8',
      },
    );
    process.stdout.write(out);
  }
}
