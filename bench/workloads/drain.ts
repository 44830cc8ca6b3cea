/**
 * Draining a queue that already holds many handled requests, against draining a fresh one
 * (actor-storage only): per-operation cost must not grow with the handled requests a queue keeps.
 *
 * Each run copies the cached fixture (hard links for the request files, real copies of the
 * index files that the engine appends to), then runs three processes one after the other (bench/
 * drain-run.ts), each adding and draining the same `drainRequests` requests: on a fresh queue, on
 * the copy that holds `drainHandled` handled ones, on another fresh queue. The row's time is the
 * drain after the handled requests; the fresh drains and the ratios are in its notes (report.ts).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { requestIdFromUniqueKey } from '../../src/fs/layout.js';
import { makeRequest } from '../data.js';
import type { DrainResult } from '../drain-run.js';
import { openEngine } from '../engines.js';
import {
  check,
  type Fixture,
  RESULT_PREFIX,
  type Timed,
  timed,
  type Workload,
  type WorkloadContext,
} from '../workload.js';
import { NAME } from './dataset.js';

/** Where the engine keeps a queue's index (appended to in place: never shared by a hard link). */
const INDEX_DIR = '__index__';
const DRAIN_SCRIPT = join(import.meta.dirname, '..', `drain-run${extname(import.meta.filename)}`);

function queueDir(storageDir: string): string {
  return join(storageDir, 'request_queues', NAME);
}

/** The request file of request `n`, handled at `at`, as @crawlee/memory-storage writes it. */
function handledRequestFile(n: number, at: string): string {
  const request = { ...makeRequest(n), handledAt: at };
  const id = requestIdFromUniqueKey(request.url);
  const stored = {
    id,
    json: JSON.stringify({ ...request, id }),
    method: 'GET',
    orderNo: null,
    retryCount: 0,
    uniqueKey: request.uniqueKey,
    url: request.url,
  };
  return JSON.stringify(stored, null, '\t');
}

/**
 * A queue of requests `0 … drainHandled-1`, all handled: request files written straight to disk
 * (32 at a time), then opened once by actor-storage, which indexes them (the one scan any queue
 * written by another tool gets) and writes its snapshot.
 */
const handledQueue: Fixture = {
  id: 'drain-queue',
  shared: true,
  cacheKey: (scale) => String(scale.drainHandled),
  async prepare(ctx) {
    const count = ctx.scale.drainHandled;
    const folder = queueDir(ctx.dir);
    await mkdir(folder, { recursive: true });
    const now = new Date().toISOString();
    const metadata = {
      id: 'benchDrainQueue01',
      name: NAME,
      createdAt: now,
      modifiedAt: now,
      accessedAt: now,
    };
    await writeFile(join(folder, '__metadata__.json'), JSON.stringify(metadata, null, 2));
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const n = next++;
        const id = requestIdFromUniqueKey(makeRequest(n).url);
        await writeFile(join(folder, `${id}.json`), handledRequestFile(n, now));
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    await checkCounts(ctx.dir, count);
  },
};

/** Opens the queue in this process and checks that every request is handled and counted. */
async function checkCounts(dir: string, handled: number): Promise<void> {
  const { client, flush } = await openEngine('ours', dir);
  const info = await client.requestQueue((await client.requestQueues().getOrCreate(NAME)).id).get();
  await flush();
  check(info?.totalRequestCount === handled, `queue holds ${info?.totalRequestCount}, expected ${handled}`);
  check(info?.handledRequestCount === handled, `queue counts ${info?.handledRequestCount} handled`);
}

/**
 * Copies the storage folder `from` to `to` as hard links (`cp -al` keeps the queue folder's mtime,
 * which the engine checks its index against), then gives the copy its own index files.
 */
function linkCopy(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('cp', ['-al', from, to], (err) => {
      if (err) return reject(err);
      const index = join(queueDir(to), INDEX_DIR);
      for (const name of readdirSync(index)) {
        unlinkSync(join(index, name));
        copyFileSync(join(queueDir(from), INDEX_DIR, name), join(index, name));
      }
      resolve();
    });
  });
}

/** Runs bench/drain-run.ts on `dir` in a new process (with this process's loader flags). */
function drainInProcess(dir: string, first: number, count: number, handledBefore: number) {
  const args = [...process.execArgv, DRAIN_SCRIPT, dir, String(first), String(count), String(handledBefore)];
  return new Promise<DrainResult>((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (!line)
        return reject(new Error(`drain process failed: ${err?.message ?? ''} ${stderr.slice(-500)}`));
      const result = JSON.parse(line.slice(RESULT_PREFIX.length)) as DrainResult | { error: string };
      if ('error' in result) return reject(new Error(`${dir}: ${result.error}`));
      resolve(result);
    });
  });
}

const rate = (count: number, seconds: number) => Math.round(count / seconds);
const mean = (a: number, b: number) => (a + b) / 2;

/** Waits until the filesystem holding `dir` has written out what is pending (the copy's links). */
function syncFs(dir: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('sync', ['-f', dir], (err) => (err ? reject(err) : resolve())),
  );
}

/**
 * One run: fresh queue, queue after `drainHandled` handled, fresh queue again (each in a new
 * process), so that drift in the machine's load and the position in the sequence cancel out; the
 * fresh figures are the mean of the two.
 */
async function runDrain(ctx: WorkloadContext): Promise<Timed> {
  const { drainHandled: handled, drainRequests: count } = ctx.scale;
  const work = mkdtempSync(`${ctx.dir}.run-`);
  try {
    const dirs = ['fresh-1', 'fresh-2'].map((name) => join(work, name));
    for (const dir of dirs) mkdirSync(dir);
    const handledDir = join(work, 'handled');
    const copy = await timed(() => linkCopy(ctx.dir, handledDir));
    await syncFs(work);
    // The same request numbers on every side, after the handled ones: the same ids and files.
    const first = await drainInProcess(dirs[0] as string, handled, count, 0);
    const after = await drainInProcess(handledDir, handled, count, handled);
    const second = await drainInProcess(dirs[1] as string, handled, count, 0);
    for (const dir of dirs) await checkCounts(dir, count);
    await checkCounts(handledDir, handled + count);
    const fresh = (key: keyof DrainResult) => mean(first[key], second[key]);
    return {
      ops: count,
      seconds: after.drainSeconds,
      notes: {
        handledBefore: handled,
        freshDrainSeconds: fresh('drainSeconds'),
        ratio: after.drainSeconds / fresh('drainSeconds'),
        freshCpuMsPerRequest: (fresh('drainCpuSeconds') * 1000) / count,
        afterCpuMsPerRequest: (after.drainCpuSeconds * 1000) / count,
        cpuRatio: after.drainCpuSeconds / fresh('drainCpuSeconds'),
        freshAddPerSec: rate(count, fresh('addSeconds')),
        afterAddPerSec: rate(count, after.addSeconds),
        freshOpenMs: Math.round(fresh('openSeconds') * 1000),
        afterOpenMs: Math.round(after.openSeconds * 1000),
        freshPeakRssMB: Math.round(fresh('peakRssMB')),
        afterPeakRssMB: after.peakRssMB,
        copySeconds: Number(copy.seconds.toFixed(1)),
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const drainWorkloads: Workload[] = [
  {
    id: 'rq-drain',
    title: 'Request queue: drain new requests after many handled ones (ours; each side a new process)',
    unit: 'requests',
    runners: ['ours'],
    size: (s) => s.drainRequests,
    fixture: handledQueue,
    run: runDrain,
  },
];
