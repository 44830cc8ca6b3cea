/**
 * `fsync: true` is honoured by every writer. The filesystem calls of the engine are recorded (a
 * pass-through wrapper of node:fs/promises), a run touches every writer (item files, records of
 * every kind including streams, sidecars, store and queue metadata, request files, the journal,
 * the snapshot, store creation, rename and record deletes), and the record must show, for each
 * file under the storage dir:
 * - every file written through a handle is synced before that handle closes;
 * - every temp file is synced before it is renamed into place, and its folder after;
 * - nothing is written with plain writeFile/appendFile (which cannot sync);
 * - a created, renamed or removed entry is followed by a sync of its folder.
 * Without the option, no sync happens at all (so the same checks would fail).
 */
import { dirname, join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TEMP_PREFIX } from '../src/fs/layout.js';
import { createFsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

interface FsEvent {
  op: 'open' | 'write' | 'sync' | 'close' | 'rename' | 'writeFile' | 'appendFile' | 'mkdir' | 'rm' | 'unlink';
  path: string;
  to?: string;
  handle?: number;
}

const recorder = vi.hoisted(() => ({ events: [] as FsEvent[], nextHandle: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const record = (event: FsEvent) => recorder.events.push(event);
  type Handle = Awaited<ReturnType<typeof real.open>>;
  const wrap = (handle: Handle, path: string): Handle => {
    const id = recorder.nextHandle++;
    return new Proxy(handle, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (prop === 'sync' || prop === 'datasync') record({ op: 'sync', path, handle: id });
          if (prop === 'write' || prop === 'writeFile' || prop === 'writev')
            record({ op: 'write', path, handle: id });
          if (prop === 'close') record({ op: 'close', path, handle: id });
          return value.apply(target, args);
        };
      },
    });
  };
  const mocked = {
    ...real,
    open: async (
      path: string,
      ...rest: Parameters<typeof real.open> extends [unknown, ...infer R] ? R : never
    ) => {
      const handle = await real.open(path, ...rest);
      record({ op: 'open', path: String(path) });
      return wrap(handle, String(path));
    },
    rename: async (from: string, to: string) => {
      await real.rename(from, to);
      record({ op: 'rename', path: String(from), to: String(to) });
    },
    writeFile: async (...args: Parameters<typeof real.writeFile>) => {
      record({ op: 'writeFile', path: String(args[0]) });
      return real.writeFile(...args);
    },
    appendFile: async (...args: Parameters<typeof real.appendFile>) => {
      record({ op: 'appendFile', path: String(args[0]) });
      return real.appendFile(...args);
    },
    mkdir: async (...args: Parameters<typeof real.mkdir>) => {
      const made = await real.mkdir(...args);
      // A recursive mkdir names the first folder it made: both it and the one asked for must last.
      if (made !== undefined && made !== String(args[0])) record({ op: 'mkdir', path: made });
      record({ op: 'mkdir', path: String(args[0]) });
      return made;
    },
    rm: async (...args: Parameters<typeof real.rm>) => {
      await real.rm(...args);
      record({ op: 'rm', path: String(args[0]) });
    },
    unlink: async (...args: Parameters<typeof real.unlink>) => {
      await real.unlink(...args);
      record({ op: 'unlink', path: String(args[0]) });
    },
  };
  return { ...mocked, default: mocked };
});

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  recorder.events.length = 0;
});
afterEach(async () => {
  await cleanup();
});

/** Uses every writer of the engine once or more. */
async function touchEveryWriter(fsync: boolean): Promise<void> {
  const client = createFsClient({ storageDir: dir, fsync });
  const dataset = await client.datasets().getOrCreate('items');
  await client.dataset(dataset.id).pushItems(Array.from({ length: 20 }, (_, i) => ({ i })));
  await client.dataset(dataset.id).update({ name: 'renamed' });
  await client.dataset('renamed').pushItems({ after: 'rename' });

  const { id: storeId } = await client.keyValueStores().getOrCreate('records');
  const store = client.keyValueStore(storeId);
  await store.setRecord({ key: 'json', value: { a: 1 } });
  await store.setRecord({ key: 'text', value: 'hello', contentType: 'text/plain' });
  await store.setRecord({ key: 'bytes', value: Buffer.alloc(1000, 1), contentType: 'image/png' });
  await store.setRecord({ key: 'stream', value: Readable.from([Buffer.alloc(70_000, 2)]) });
  await store.setRecord({ key: 'json', value: 'now text', contentType: 'text/plain' }); // old .json removed
  await store.deleteRecord('bytes');

  const { id: queueId } = await client.requestQueues().getOrCreate('queue');
  const queue = client.requestQueue(queueId, { clientKey: 'fsync-test' });
  await queue.batchAddRequests(
    Array.from({ length: 10 }, (_, i) => ({ url: `https://example.com/${i}`, uniqueKey: `u${i}` })),
  );
  const head = await queue.listAndLockHead({ lockSecs: 60, limit: 3 });
  for (const item of head.items) {
    const request = await queue.getRequest(item.id);
    await queue.updateRequest({ ...request!, handledAt: new Date().toISOString() });
  }
  await queue.deleteRequest(head.items[0]!.id);
  await client.teardown();
}

const inStorage = (path: string) => path === dir || path.startsWith(`${dir}${sep}`);
/** Lock files are not data: proper-lockfile keeps them, and losing one loses nothing. */
const isData = (path: string) => inStorage(path) && !path.includes(`${sep}.locks`);

function syncedAfter(events: FsEvent[], from: number, path: string): boolean {
  return events.slice(from + 1).some((e) => e.op === 'sync' && e.path === path);
}

/** Every rule of the header; returns the broken ones as readable lines. */
function violations(events: FsEvent[]): string[] {
  const out: string[] = [];
  const rel = (p: string) => p.slice(dir.length);
  events.forEach((event, i) => {
    if (!isData(event.path)) return;
    if (event.op === 'writeFile' || event.op === 'appendFile') out.push(`${event.op} ${rel(event.path)}`);
    if (event.op === 'write') {
      const synced = events
        .slice(i + 1)
        .find((e) => e.handle === event.handle && (e.op === 'sync' || e.op === 'close'));
      if (synced?.op !== 'sync') out.push(`written, closed unsynced ${rel(event.path)}`);
    }
    if (event.op === 'rename' && event.to !== undefined) {
      const temp = event.path.split(sep).at(-1)?.startsWith(TEMP_PREFIX);
      if (temp && !events.slice(0, i).some((e) => e.op === 'sync' && e.path === event.path)) {
        out.push(`renamed unsynced ${rel(event.path)}`);
      }
      if (!syncedAfter(events, i, dirname(event.to)))
        out.push(`folder not synced after rename to ${rel(event.to)}`);
    }
    if ((event.op === 'mkdir' || event.op === 'rm' || event.op === 'unlink') && event.path !== dir) {
      if (!syncedAfter(events, i, dirname(event.path)))
        out.push(`folder not synced after ${event.op} ${rel(event.path)}`);
    }
  });
  return [...new Set(out)];
}

describe('fsync: true', () => {
  it('every writer syncs its files before renaming them into place, and their folders after', async () => {
    await touchEveryWriter(true);
    const events = recorder.events.filter((e) => isData(e.path));
    // The run wrote each kind of file (so the rules below were put to work on each).
    const renamedTo = events.filter((e) => e.op === 'rename').map((e) => e.to ?? '');
    for (const name of [
      '000000001.json',
      '__metadata__.json',
      'json.txt',
      'stream.bin',
      'json.__metadata__.json',
    ]) {
      expect(
        renamedTo.some((to) => to.endsWith(`${sep}${name}`)),
        name,
      ).toBe(true);
    }
    expect(renamedTo.some((to) => to.endsWith(join('__index__', 'snapshot.txt')))).toBe(true);
    expect(events.some((e) => e.op === 'write' && e.path.endsWith('journal.log'))).toBe(true);
    expect(violations(recorder.events)).toEqual([]);
  });

  it('without it nothing is synced (the same rules then fail)', async () => {
    await touchEveryWriter(false);
    expect(recorder.events.filter((e) => e.op === 'sync' && isData(e.path))).toEqual([]);
    expect(violations(recorder.events).length).toBeGreaterThan(0);
  });
});
