/**
 * Damage on disk, one kind per case, over a folder a client wrote (a dataset of 5 items, a
 * key-value store of 4 records, a queue of 20 requests of which 3 handled): truncated and garbage
 * JSON, stray files of operating systems and editors, missing or stale metadata, a record without
 * its sidecar, a gap in a dataset's numbering, a garbage request file, a cut or garbage queue
 * journal and snapshot, temp files of interrupted writes. Each time: `doctor` (library) names the
 * damage before anything is opened; the storages open; the good data is all there; what could not
 * be read was moved aside into `__corrupt__/`, not deleted. Then all of it at once through the CLI:
 * `actor-storage doctor` exits 7 and lists it, `doctor --fix` repairs it, a second run finds nothing.
 */
import { cp, readdir, readFile, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestIdFromUniqueKey } from '../src/fs/layout.js';
import { createFsClient, type DoctorProblemKind, isStorageError, Storage } from '../src/index.js';
import { cli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const url = (n: number) => `https://example.com/page/${n}`;
const idOf = (n: number) => requestIdFromUniqueKey(url(n));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

let root: { dir: string; cleanup: () => Promise<void> };
let template: string;
let cases = 0;

beforeAll(async () => {
  root = await tempDir('actor-storage-corrupt-');
  template = join(root.dir, 'template');
  const client = createFsClient({ storageDir: template });
  await client.datasets().getOrCreate('d');
  await client.dataset('d').pushItems(range(1, 5).map((n) => ({ n })));
  await client.keyValueStores().getOrCreate('k');
  const store = client.keyValueStore('k');
  await store.setRecord({ key: 'INPUT', value: { a: 1 } });
  await store.setRecord({ key: 'good', value: { g: 1 } });
  await store.setRecord({ key: 'text', value: 'hello', contentType: 'text/plain' });
  await store.setRecord({ key: 'photo', value: PNG, contentType: 'image/png' });
  await client.requestQueues().getOrCreate('q');
  const queue = client.requestQueue('q');
  await queue.batchAddRequests(range(0, 19).map((n) => ({ url: url(n), uniqueKey: url(n) })));
  for (const n of [0, 1, 2]) {
    const request = await queue.getRequest(idOf(n));
    await queue.updateRequest({ ...request!, handledAt: new Date().toISOString() });
  }
  await client.teardown();
});
afterAll(async () => {
  await root.cleanup();
});

/** A fresh copy of the template under a new path (so no cached state of this process applies). */
async function copy(): Promise<string> {
  cases += 1;
  const dir = join(root.dir, `case-${cases}`);
  await cp(template, dir, { recursive: true });
  return dir;
}

const D = (dir: string, ...rest: string[]) => join(dir, 'datasets', 'd', ...rest);
const K = (dir: string, ...rest: string[]) => join(dir, 'key_value_stores', 'k', ...rest);
const Q = (dir: string, ...rest: string[]) => join(dir, 'request_queues', 'q', ...rest);

async function editJson(path: string, edit: (value: Record<string, unknown>) => void): Promise<void> {
  const value = JSON.parse(await readFile(path, 'utf8'));
  edit(value);
  await writeFile(path, JSON.stringify(value));
}

/** A temp file as an interrupted write leaves it, old enough for doctor to call it a leftover. */
async function staleTemp(path: string, content: string): Promise<void> {
  await writeFile(path, content);
  const old = new Date(Date.now() - 3_600_000);
  await utimes(path, old, old);
}

async function movedAside(storeDir: string): Promise<string[]> {
  const names = await readdir(join(storeDir, '__corrupt__')).catch(() => [] as string[]);
  return names.map((name) => name.replace(/\.\d+$/, '')).sort();
}

/** What a reader sees, checked against the good data. */
async function expectGoodData(
  dir: string,
  want: { items?: number[]; count?: number; keys?: string[]; broken?: string; pending?: number[] } = {},
): Promise<void> {
  const client = createFsClient({ storageDir: dir });
  const page = await client.dataset('d').listItems();
  expect(page.items.map((item) => item.n)).toEqual(want.items ?? range(1, 5));
  expect(page.total).toBe(want.count ?? 5);
  expect((await client.dataset('d').get())?.itemCount).toBe(want.count ?? 5);

  const store = client.keyValueStore('k');
  const keys = (await store.listKeys()).items.map((item) => item.key);
  expect(keys).toEqual(want.keys ?? ['INPUT', 'good', 'photo', 'text']);
  expect((await store.getRecord('INPUT'))?.value).toEqual({ a: 1 });
  if (want.broken === 'good') {
    // Listed until read: the read is refused with a code and moves the file aside.
    const error = await store.getRecord('good').catch((err: unknown) => err);
    expect(isStorageError(error, 'STORAGE_CORRUPT')).toBe(true);
    expect(await store.getRecord('good')).toBeUndefined();
  } else if (keys.includes('good')) expect((await store.getRecord('good'))?.value).toEqual({ g: 1 });
  expect((await store.getRecord('text'))?.value).toBe('hello');
  const photo = await store.getRecord('photo');
  expect(Buffer.compare(photo?.value as Buffer, PNG)).toBe(0);
  expect(photo?.contentType).toMatch(/^image\/png/);

  const queue = client.requestQueue('q', { clientKey: 'checker' });
  const handedOut: string[] = [];
  for (;;) {
    const head = await queue.listAndLockHead({ lockSecs: 60, limit: 25 });
    if (head.items.length === 0) break;
    handedOut.push(...head.items.map((item) => item.id));
  }
  const pending = (want.pending ?? range(3, 19)).map(idOf);
  expect(handedOut.sort()).toEqual(pending.sort());
  for (const n of [0, 1, 2]) expect((await queue.getRequest(idOf(n)))?.handledAt).toBeTruthy();
  expect(await queue.get()).toMatchObject({
    totalRequestCount: pending.length + 3,
    handledRequestCount: 3,
    pendingRequestCount: pending.length,
  });
  await client.teardown();
}

async function doctorKinds(dir: string): Promise<DoctorProblemKind[]> {
  const report = await Storage.doctor({ storageDir: dir });
  return [...new Set(report.problems.map((p) => p.kind))].sort();
}

interface Case {
  name: string;
  damage: (dir: string) => Promise<void>;
  /** Problem kinds doctor reports before anything opens the folder. */
  found: DoctorProblemKind[];
  want?: Parameters<typeof expectGoodData>[1];
  /** Files moved aside by opening and reading, per store folder. */
  moved?: { store: (dir: string) => string; names: string[] };
}

const CASES: Case[] = [
  {
    name: 'a truncated dataset item',
    damage: (dir) => writeFile(D(dir, '000000003.json'), '{"n":'),
    found: ['unparsable-file'],
    want: { items: [1, 2, 4, 5] },
    moved: { store: (dir) => D(dir), names: ['000000003.json'] },
  },
  {
    name: 'a dataset item of binary garbage',
    damage: (dir) => writeFile(D(dir, '000000002.json'), Buffer.from([0, 159, 255, 1])),
    found: ['unparsable-file'],
    want: { items: [1, 3, 4, 5] },
    moved: { store: (dir) => D(dir), names: ['000000002.json'] },
  },
  {
    name: 'a missing dataset metadata file',
    damage: (dir) => unlink(D(dir, '__metadata__.json')),
    found: ['missing-metadata'],
  },
  {
    name: 'dataset metadata that does not parse',
    damage: (dir) => writeFile(D(dir, '__metadata__.json'), '{"id": "x", "itemCo'),
    found: ['unparsable-file'],
    moved: { store: (dir) => D(dir), names: ['__metadata__.json'] },
  },
  {
    name: 'dataset metadata counting items that are not there',
    damage: (dir) => editJson(D(dir, '__metadata__.json'), (m) => Object.assign(m, { itemCount: 9 })),
    found: ['stale-metadata'],
  },
  {
    name: 'dataset metadata lagging behind its files',
    damage: (dir) => editJson(D(dir, '__metadata__.json'), (m) => Object.assign(m, { itemCount: 2 })),
    found: ['stale-metadata'],
  },
  {
    name: 'a gap in a dataset’s numbering',
    damage: (dir) => unlink(D(dir, '000000003.json')),
    found: ['dataset-gap', 'stale-metadata'],
    want: { items: [1, 2, 4, 5] },
  },
  {
    name: 'a stray .DS_Store, a vim swap file and editor backups in a dataset',
    damage: async (dir) => {
      for (const name of ['.DS_Store', '.000000002.json.swp', '000000002.json~', '#000000002.json#'])
        await writeFile(D(dir, name), '{"n": 99}');
    },
    found: ['stray-file'],
  },
  {
    name: 'a truncated JSON record',
    damage: (dir) => writeFile(K(dir, 'good.json'), '{"g":'),
    found: ['unparsable-file'],
    want: { broken: 'good' },
    moved: { store: (dir) => K(dir), names: ['good.json'] },
  },
  {
    name: 'a record sidecar of garbage',
    damage: (dir) => writeFile(K(dir, 'text.__metadata__.json'), '\u0000garbage'),
    found: ['unparsable-file'],
  },
  {
    name: 'a record without its sidecar',
    damage: (dir) => unlink(K(dir, 'photo.__metadata__.json')),
    found: ['record-without-sidecar'],
  },
  {
    name: 'a stray .DS_Store, a vim swap file and editor backups in a key-value store',
    damage: async (dir) => {
      for (const name of ['.DS_Store', '.INPUT.json.swp', 'INPUT.json~', '#INPUT.json#', 'Thumbs.db'])
        await writeFile(K(dir, name), '{"a": 99}');
    },
    found: ['stray-file'],
  },
  {
    name: 'a missing key-value store metadata file',
    damage: (dir) => unlink(K(dir, '__metadata__.json')),
    found: ['missing-metadata'],
  },
  {
    name: 'a request file of garbage',
    damage: (dir) => writeFile(Q(dir, `${idOf(7)}.json`), '\u0001\u0002 not json'),
    found: ['unparsable-file'],
    want: { pending: range(3, 19).filter((n) => n !== 7) },
    moved: { store: (dir) => Q(dir), names: [`${idOf(7)}.json`] },
  },
  {
    name: 'a queue journal cut in the middle of a line',
    damage: async (dir) => {
      const path = Q(dir, '__index__', 'journal.log');
      await truncate(path, Math.floor((await readFile(path)).length / 2));
    },
    found: [],
  },
  {
    name: 'an empty queue journal',
    damage: (dir) => truncate(Q(dir, '__index__', 'journal.log'), 0),
    found: [],
  },
  {
    name: 'a queue snapshot cut short',
    damage: async (dir) => {
      const path = Q(dir, '__index__', 'snapshot.txt');
      await truncate(path, Math.floor((await readFile(path)).length / 2));
    },
    found: [],
  },
  {
    name: 'a queue snapshot of garbage',
    damage: (dir) => writeFile(Q(dir, '__index__', 'snapshot.txt'), '\u0000\u0001garbage\n'),
    found: [],
  },
  {
    name: 'queue metadata that does not parse',
    damage: (dir) => writeFile(Q(dir, '__metadata__.json'), '{"id":'),
    found: ['unparsable-file'],
  },
  {
    name: 'a missing queue metadata file',
    damage: (dir) => unlink(Q(dir, '__metadata__.json')),
    found: ['missing-metadata'],
  },
  {
    name: 'stray files in a queue',
    damage: async (dir) => {
      for (const name of ['.DS_Store', `.${idOf(4)}.json.swp`, `${idOf(4)}.json~`])
        await writeFile(Q(dir, name), '{}');
    },
    found: ['stray-file'],
  },
  {
    name: 'temp files of interrupted writes everywhere',
    damage: async (dir) => {
      await staleTemp(D(dir, '.tmp-000000006.json.123.abcd'), '{"n": 6}');
      await staleTemp(K(dir, '.tmp-INPUT.json.123.abcd'), '{"a": 2}');
      await staleTemp(K(dir, '.tmp-extra.json.123.abcd'), '{"x": 1}');
      await staleTemp(Q(dir, `.tmp-${idOf(99)}.json.123.abcd`), '{}');
    },
    found: ['temp-file'],
  },
];

describe('damage on disk', () => {
  for (const c of CASES) {
    it(`${c.name}: doctor reports it, the storage opens, the good data is intact`, async () => {
      const dir = await copy();
      await c.damage(dir);
      const kinds = await doctorKinds(dir);
      if (c.found.length === 0) expect(kinds).toEqual([]);
      else expect(kinds).toEqual(expect.arrayContaining(c.found));
      await expectGoodData(dir, c.want);
      if (c.moved) expect(await movedAside(c.moved.store(dir))).toEqual(c.moved.names);
      // Writes go on as before: numbering after the highest item, the record and queue writable.
      const client = createFsClient({ storageDir: dir });
      await client.dataset('d').pushItems({ n: 6 });
      expect((await client.dataset('d').get())?.itemCount).toBe(6);
      await client.keyValueStore('k').setRecord({ key: 'after', value: { ok: true } });
      const added = await client.requestQueue('q').addRequest({ url: url(100), uniqueKey: url(100) });
      expect(added.wasAlreadyPresent).toBe(false);
      await client.teardown();
    });
  }

  it('a JSON record that does not parse is refused with STORAGE_CORRUPT, then moved aside', async () => {
    const dir = await copy();
    await writeFile(K(dir, 'good.json'), '{"g":');
    const store = createFsClient({ storageDir: dir }).keyValueStore('k');
    const error = await store.getRecord('good').catch((err: unknown) => err);
    expect(isStorageError(error, 'STORAGE_CORRUPT')).toBe(true);
    expect(await store.getRecord('good')).toBeUndefined();
    expect(await movedAside(K(dir))).toEqual(['good.json']);
  });
});

describe('actor-storage doctor over all of it at once', () => {
  it('exits 7 listing every problem; --fix repairs them; a second run finds none; good data intact', async () => {
    const dir = await copy();
    for (const c of CASES.filter((c) => c.found.length > 0 && !c.name.startsWith('dataset metadata'))) {
      await c.damage(dir);
    }
    const found = await cli(['--dir', dir, '--json', 'doctor']);
    expect(found.code, found.stderr).toBe(7);
    const report = JSON.parse(found.stdout) as { problems: Array<{ kind: string; fixed: boolean }> };
    // (no stale-metadata: the dataset's metadata is missing altogether)
    expect(new Set(report.problems.map((p) => p.kind))).toEqual(
      new Set([
        'unparsable-file',
        'missing-metadata',
        'record-without-sidecar',
        'dataset-gap',
        'stray-file',
        'temp-file',
      ]),
    );
    expect(report.problems.every((p) => !p.fixed)).toBe(true);

    const fixed = await cli(['--dir', dir, '--json', 'doctor', '--fix']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(
      (JSON.parse(fixed.stdout) as { problems: Array<{ fixed: boolean }> }).problems.every((p) => p.fixed),
    ).toBe(true);
    const again = await cli(['--dir', dir, '--json', 'doctor']);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { problems: unknown[] }).problems).toEqual([]);

    // --fix closes the gaps: the three good items are numbered 1..3.
    await expectGoodData(dir, {
      items: [1, 4, 5],
      count: 3,
      keys: ['INPUT', 'photo', 'text'],
      pending: range(3, 19).filter((n) => n !== 7),
    });
    expect(await movedAside(D(dir))).toEqual(
      expect.arrayContaining(['000000002.json', '.DS_Store', '000000002.json~', '#000000002.json#']),
    );
  }, 120_000);
});
