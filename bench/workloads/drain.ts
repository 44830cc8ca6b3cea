/**
 * Draining a queue that already holds many handled requests, against draining a fresh one
 * (actor-storage only): per-operation cost must not grow with the handled requests a queue keeps.
 *
 * Each run copies the cached fixture (hard links for the request files, real copies of the
 * index files that the engine appends to), then runs two processes one after the other (bench/
 * drain-run.ts), each adding and draining the same `drainRequests` requests: one on a fresh
 * queue, one on the copy that holds `drainHandled` handled ones; which goes first alternates from
 * run to run. The row's time is the drain after the handled requests; the fresh drain and the
 * ratios are in its notes (see report.ts).
 */
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { INDEX_DIR } from '../../src/fs/request-queue/queue-files.js';
import { makeRequest } from '../data.js';
import type { DrainResult } from '../drain-run.js';
import { openEngine } from '../engines.js';
import { requestFileText, writeQueueFolder } from '../queue-fixture.js';
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

const execFileAsync = promisify(execFile);
/** A drain process taking longer than this is stopped (and the run fails). */
const DRAIN_TIMEOUT_MS = 5 * 60_000;
const DRAIN_SCRIPT = join(import.meta.dirname, '..', `drain-run${extname(import.meta.filename)}`);

function queueDir(storageDir: string): string {
  return join(storageDir, 'request_queues', NAME);
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
    await writeQueueFolder(queueDir(ctx.dir), { id: 'benchDrainQueue01', name: NAME }, count, (n, now) => {
      const { url, uniqueKey } = makeRequest(n);
      return { uniqueKey, text: requestFileText(n, url, uniqueKey, now) };
    });
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
 * which the engine checks its index against), then gives the copy index files of its own: the
 * engine appends to its journal in place, which must not reach the cached fixture.
 */
async function linkCopy(from: string, to: string): Promise<void> {
  await execFileAsync('cp', ['-al', from, to]);
  const index = join(queueDir(to), INDEX_DIR);
  for (const name of readdirSync(index)) {
    unlinkSync(join(index, name));
    copyFileSync(join(queueDir(from), INDEX_DIR, name), join(index, name));
  }
}

/** Runs bench/drain-run.ts on `dir` in a new process (with this process's loader flags). */
function drainInProcess(dir: string, first: number, count: number, handledBefore: number) {
  const args = [...process.execArgv, DRAIN_SCRIPT, dir, String(first), String(count), String(handledBefore)];
  return new Promise<DrainResult>((resolve, reject) => {
    execFile(process.execPath, args, { timeout: DRAIN_TIMEOUT_MS }, (err, stdout, stderr) => {
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

/** Waits until the filesystem holding `dir` has written out what is pending (the copy's links). */
async function syncFs(dir: string): Promise<void> {
  await execFileAsync('sync', ['-f', dir]);
}

/**
 * Which side goes first in this run: the two orders alternate from run to run (a marker file
 * beside the fixture remembers the last), so that neither side always runs right after the copy.
 */
function handledFirstThisRun(fixtureDir: string): boolean {
  const marker = `${fixtureDir}.handled-first`;
  const handledFirst = existsSync(marker);
  if (handledFirst) rmSync(marker);
  else writeFileSync(marker, '');
  return handledFirst;
}

/** What a run reports besides the drain time after the handled requests. */
function drainNotes(fresh: DrainResult, after: DrainResult, count: number): Record<string, number> {
  return {
    freshDrainSeconds: fresh.drainSeconds,
    ratio: after.drainSeconds / fresh.drainSeconds,
    freshCpuMsPerRequest: (fresh.drainCpuSeconds * 1000) / count,
    afterCpuMsPerRequest: (after.drainCpuSeconds * 1000) / count,
    cpuRatio: after.drainCpuSeconds / fresh.drainCpuSeconds,
    freshAddPerSec: rate(count, fresh.addSeconds),
    afterAddPerSec: rate(count, after.addSeconds),
    freshOpenMs: Math.round(fresh.openSeconds * 1000),
    afterOpenMs: Math.round(after.openSeconds * 1000),
    freshPeakRssMB: fresh.peakRssMB,
    afterPeakRssMB: after.peakRssMB,
  };
}

/**
 * One run: the same requests added and drained on a fresh queue and on a copy of the queue
 * holding `drainHandled` handled ones, each in a new process, one after the other.
 */
async function runDrain(ctx: WorkloadContext): Promise<Timed> {
  const { drainHandled: handled, drainRequests: count } = ctx.scale;
  const work = mkdtempSync(`${ctx.dir}.run-`);
  try {
    const freshDir = join(work, 'fresh');
    const handledDir = join(work, 'handled');
    mkdirSync(freshDir);
    const copy = await timed(() => linkCopy(ctx.dir, handledDir));
    await syncFs(work);
    // The same request numbers on both sides, after the handled ones: the same ids and files.
    const drainFresh = () => drainInProcess(freshDir, handled, count, 0);
    const drainAfter = () => drainInProcess(handledDir, handled, count, handled);
    const handledFirst = handledFirstThisRun(ctx.dir);
    let fresh: DrainResult;
    let after: DrainResult;
    if (handledFirst) {
      after = await drainAfter();
      fresh = await drainFresh();
    } else {
      fresh = await drainFresh();
      after = await drainAfter();
    }
    await checkCounts(freshDir, count);
    await checkCounts(handledDir, handled + count);
    const notes = { handledBefore: handled, first: handledFirst ? 'handled' : 'fresh' };
    const copySeconds = Number(copy.seconds.toFixed(1));
    return {
      ops: count,
      seconds: after.drainSeconds,
      notes: { ...notes, ...drainNotes(fresh, after, count), copySeconds },
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
