/**
 * `doctor` for a request queue folder: every request file must parse, and the metadata counters
 * (total, handled, pending) must match the files. The fix moves unreadable files aside and
 * rewrites the counters; the engine re-indexes the folder the next time it opens the queue (the
 * folder changed, which its index notices).
 */
import type { Dirent } from 'node:fs';
import { moveAside } from './atomic-write.js';
import { type Mismatch, pathOf, reportStray, type StoreCheck, settleMetadata } from './doctor-store.js';
import { INDEX_DIR } from './request-queue/queue-files.js';
import { readRequestFile, requestIdOfFile } from './request-queue/request-file.js';

/** Request files read at once. */
const READ_WIDTH = 32;

interface Counts {
  total: number;
  handled: number;
}

/** True for a handled request, by the rule the engine indexes with. */
function isHandled(orderNo: unknown, handledAt: unknown): boolean {
  return orderNo === null || (orderNo === undefined && typeof handledAt === 'string' && handledAt !== '');
}

async function checkRequest(check: StoreCheck, name: string, id: string, counts: Counts): Promise<void> {
  const path = pathOf(check, name);
  const read = await readRequestFile(path, id);
  check.tick();
  if (read.state === 'missing') return; // removed meanwhile
  if (read.state === 'ok') {
    counts.total += 1;
    if (isHandled(read.file.orderNo, read.request.handledAt)) counts.handled += 1;
    return;
  }
  const moved = check.fix ? await moveAside(check.dir, path, `request file ${read.reason}`) : undefined;
  check.report({
    kind: 'unparsable-file',
    path,
    message: `Request file ${read.reason}.`,
    fixed: check.fix,
    action: moved && `moved to ${moved.movedTo}`,
  });
}

function mismatches(check: StoreCheck, counts: Counts): Mismatch[] {
  // Counters a peer did not write are left for the engine, which adds them on its next change.
  const meta: Record<string, unknown> = check.meta ?? {};
  const actual: Record<string, number> = {
    totalRequestCount: counts.total,
    handledRequestCount: counts.handled,
    pendingRequestCount: counts.total - counts.handled,
  };
  return Object.entries(actual)
    .filter(([field, value]) => meta[field] !== undefined && meta[field] !== value)
    .map(([field, value]) => ({ field, recorded: meta[field], actual: value }));
}

/** `__index__/`, the engine's own folder (rebuilt from the request files when missing). */
export function isQueueLayout(entry: Dirent): boolean {
  return entry.name === INDEX_DIR && entry.isDirectory();
}

/** Checks (and with fix repairs) one request queue folder; `own` are the entries the shared checks left. */
export async function checkRequestQueue(check: StoreCheck, own: readonly Dirent[]): Promise<void> {
  const requests: Array<{ name: string; id: string }> = [];
  for (const entry of own) {
    const id = entry.isFile() ? requestIdOfFile(entry.name) : undefined;
    if (id !== undefined) requests.push({ name: entry.name, id });
    else {
      check.tick();
      await reportStray(check, entry.name, 'not a request file (those are named <request id>.json)');
    }
  }
  const counts: Counts = { total: 0, handled: 0 };
  for (let i = 0; i < requests.length; i += READ_WIDTH) {
    await Promise.all(
      requests.slice(i, i + READ_WIDTH).map((r) => checkRequest(check, r.name, r.id, counts)),
    );
  }
  const fields = {
    totalRequestCount: counts.total,
    handledRequestCount: counts.handled,
    pendingRequestCount: counts.total - counts.handled,
  };
  await settleMetadata(check, fields, mismatches(check, counts));
}
