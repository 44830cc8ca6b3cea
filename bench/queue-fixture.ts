/** Building big request-queue fixtures fast: request files written straight into a queue folder. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requestIdFromUniqueKey } from '../src/fs/layout.js';

/** Request files written at once while building a fixture. */
const WRITERS = 32;

/**
 * The request file of a request, as @crawlee/memory-storage writes it (and actor-storage reads it):
 * handled requests have no `orderNo`; a pending one is `orderNo` `n + 1`.
 */
export function requestFileText(n: number, url: string, uniqueKey: string, handledAt?: string): string {
  const id = requestIdFromUniqueKey(uniqueKey);
  const request = { url, uniqueKey, method: 'GET', retryCount: 0, id, ...(handledAt ? { handledAt } : {}) };
  const stored = {
    id,
    json: JSON.stringify(request),
    method: 'GET',
    orderNo: handledAt ? null : n + 1,
    retryCount: 0,
    uniqueKey,
    url,
  };
  return JSON.stringify(stored, null, '\t');
}

/**
 * Writes a queue folder holding requests `0 … count-1`: its `__metadata__.json` (with `id`), then
 * one request file per request from `fileOf(n, now)` (its uniqueKey and text), {@link WRITERS} at a time.
 */
export async function writeQueueFolder(
  folder: string,
  meta: { id: string; name: string },
  count: number,
  fileOf: (n: number, now: string) => { uniqueKey: string; text: string },
): Promise<void> {
  await mkdir(folder, { recursive: true });
  const now = new Date().toISOString();
  const metadata = { ...meta, createdAt: now, modifiedAt: now, accessedAt: now };
  await writeFile(join(folder, '__metadata__.json'), JSON.stringify(metadata, null, 2));
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const { uniqueKey, text } = fileOf(next++, now);
      await writeFile(join(folder, `${requestIdFromUniqueKey(uniqueKey)}.json`), text);
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, worker));
}
