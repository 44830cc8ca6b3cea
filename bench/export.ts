/**
 * Export benchmark: CSV of N items with actor-storage's `exportStream` against Crawlee's
 * `Dataset.exportToCSV` over `@crawlee/memory-storage`, on the same items held in memory.
 *
 *   node --expose-gc --import tsx bench/export.ts [items=100000] [--runs=3] [--source=memory|fs]
 *
 * `--source=memory` (default) feeds our exporter from the same in-memory array Crawlee reads, so
 * both sides measure serialisation. `--source=fs` reads the items from an actor-storage dataset on
 * disk instead (when the dataset engine is available), which adds reading and parsing the files.
 * Prints wall time, items/s and peak RSS for each side. Nothing here asserts on time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MemoryStorage } from '@crawlee/memory-storage';
import { Configuration, Dataset } from 'crawlee';
import type { Dictionary } from '../src/client/types.js';
import { exportStream, type ItemSource } from '../src/export/index.js';

const args = process.argv.slice(2);
const size = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const sourceKind = option('source') ?? 'memory';
const runs = Math.max(1, Number(option('runs') ?? 3));

function makeItem(i: number): Dictionary {
  return {
    id: i,
    url: `https://shop.example.com/products/${i}`,
    title: `Product number ${i}, "quoted"`,
    price: Math.round(i * 1.5 * 100) / 100,
    inStock: i % 2 === 0,
    address: { city: 'Chicago', zip: `${60600 + (i % 100)}` },
    tags: ['lamp', i % 3 ? 'sale' : 'new'],
    description: 'A fine product, described at a little more length than the others.\nSecond line.',
  };
}

/** Runs `fn`, sampling RSS every 20 ms; returns seconds and the peak RSS in MB. */
async function measure(fn: () => Promise<unknown>): Promise<{ seconds: number; peakMb: number }> {
  globalThis.gc?.();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const start = performance.now();
  await fn();
  const seconds = (performance.now() - start) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { seconds, peakMb: peak / 2 ** 20 };
}

function countingSink(): { sink: Writable; bytes: () => number } {
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback();
    },
  });
  return { sink, bytes: () => bytes };
}

interface Side {
  label: string;
  run: () => Promise<unknown>;
  cleanup?: () => Promise<void>;
}

async function crawleeSide(items: Dictionary[]): Promise<Side> {
  const storageClient = new MemoryStorage({ persistStorage: false, writeMetadata: false });
  const config = new Configuration({ storageClient, persistStorage: false });
  const dataset = await Dataset.open('bench-export', { config });
  for (let i = 0; i < items.length; i += 1000) await dataset.pushData(items.slice(i, i + 1000));
  return {
    label: 'crawlee Dataset.exportToCSV (memory-storage)',
    run: () => dataset.exportToCSV('BENCH-OUT'),
  };
}

async function fsSource(items: Dictionary[]): Promise<{ source: ItemSource; cleanup: () => Promise<void> }> {
  // Loaded here so that the in-memory comparison runs whatever state the engine is in.
  const { createFsClient } = await import('../src/fs/index.js');
  const dir = await mkdtemp(join(tmpdir(), 'actor-storage-bench-'));
  const client = createFsClient({ storageDir: dir });
  const { id } = await client.datasets().getOrCreate('bench-export');
  for (let i = 0; i < items.length; i += 1000) await client.dataset(id).pushItems(items.slice(i, i + 1000));
  const dataset = client.dataset(id) as ReturnType<typeof client.dataset> & {
    iterateItems?: () => Promise<{ items: ItemSource }>;
  };
  // The engine's streaming read when it has one, else the paginated iterator of listItems.
  const source = dataset.iterateItems ? (await dataset.iterateItems()).items : () => dataset.listItems();
  return { source, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function ourSide(items: Dictionary[]): Promise<Side> {
  let source: ItemSource = async function* () {
    yield* items;
  };
  let label = 'actor-storage exportStream csv (in-memory source)';
  let cleanup: (() => Promise<void>) | undefined;
  if (sourceKind === 'fs') {
    try {
      ({ source, cleanup } = await fsSource(items));
      label = 'actor-storage exportStream csv (fs dataset source)';
    } catch (err) {
      console.log(`fs dataset engine not usable (${(err as Error).message}); using the in-memory source`);
    }
  }
  const run = async () => {
    const { sink, bytes } = countingSink();
    await pipeline(exportStream('csv', source), sink);
    return bytes();
  };
  console.log(`our output: ${((await run()) / 2 ** 20).toFixed(1)} MB of CSV (warm-up run, not timed)`);
  return { label, run, cleanup };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const items = Array.from({ length: size }, (_, i) => makeItem(i));
console.log(
  `CSV export of ${size.toLocaleString('en')} items, best and median of ${runs} runs (node ${process.version})`,
);
const sides = [await ourSide(items), await crawleeSide(items)];
const results = sides.map(() => ({ seconds: [] as number[], peakMb: 0 }));
for (let r = 0; r < runs; r++) {
  for (const [i, side] of sides.entries()) {
    const timing = await measure(side.run);
    const result = results[i] as (typeof results)[number];
    result.seconds.push(timing.seconds);
    result.peakMb = Math.max(result.peakMb, timing.peakMb);
  }
}
for (const [i, side] of sides.entries()) {
  const { seconds, peakMb } = results[i] as (typeof results)[number];
  const best = Math.min(...seconds);
  const rate = Math.round(size / best).toLocaleString('en');
  console.log(
    `${side.label}: best ${best.toFixed(2)} s (${rate} items/s), median ${median(seconds).toFixed(2)} s, peak RSS ${peakMb.toFixed(0)} MB`,
  );
  await side.cleanup?.();
}
const [ours, theirs] = results.map((r) => r.seconds) as [number[], number[]];
console.log(
  `speed-up: ${(Math.min(...theirs) / Math.min(...ours)).toFixed(1)}x on best times, ${(median(theirs) / median(ours)).toFixed(1)}x on medians`,
);
console.log('(peak RSS includes the input items, which both sides share in this process)');
