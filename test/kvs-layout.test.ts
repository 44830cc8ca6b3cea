/**
 * Key-value stores on disk: file and sidecar naming, content-type changes, records placed by hand,
 * crash leftovers, corrupt files and path escapes. Engine-only (looks at the folder).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyValueStoreClient } from '../src/client/types.js';
import { onCorruptFile } from '../src/fs/atomic-write.js';
import { createFsClient, type FsClient, isStorageError } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

let dir: string;
let cleanup: () => Promise<void>;
let client: FsClient;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  client = createFsClient({ storageDir: dir });
});
afterEach(async () => cleanup());

async function open(name = 'default'): Promise<{ kvs: KeyValueStoreClient; folder: string }> {
  const { id } = await client.keyValueStores().getOrCreate(name);
  return { kvs: client.keyValueStore(id), folder: join(dir, 'key_value_stores', name) };
}

async function files(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((f) => f !== '__metadata__.json').sort();
}

async function codeOf(action: Promise<unknown>): Promise<string | undefined> {
  try {
    await action;
  } catch (err) {
    return isStorageError(err) ? err.code : `not a StorageError: ${String(err)}`;
  }
  return undefined;
}

describe('files and sidecars', () => {
  it('writes <key>.<ext> and <key>.__metadata__.json with key, contentType, extension and size', async () => {
    const { kvs, folder } = await open();
    await kvs.setRecord({ key: 'OUTPUT', value: { ok: true } });
    await kvs.setRecord({ key: 'note', value: 'hi' });
    await kvs.setRecord({ key: 'blob', value: Buffer.from([1, 2, 3]) });
    await kvs.setRecord({ key: 'shot', value: Buffer.from('png'), contentType: 'image/png' });
    expect(await files(folder)).toEqual([
      'OUTPUT.__metadata__.json',
      'OUTPUT.json',
      'blob.__metadata__.json',
      'blob.bin',
      'note.__metadata__.json',
      'note.txt',
      'shot.__metadata__.json',
      'shot.png',
    ]);
    expect(JSON.parse(await readFile(join(folder, 'OUTPUT.json'), 'utf8'))).toEqual({ ok: true });
    expect(await readFile(join(folder, 'OUTPUT.json'), 'utf8')).toBe('{\n  "ok": true\n}');
    expect(JSON.parse(await readFile(join(folder, 'shot.__metadata__.json'), 'utf8'))).toEqual({
      key: 'shot',
      contentType: 'image/png',
      extension: 'png',
      size: 3,
    });
  });

  it('changing a record’s content type leaves no stale file behind', async () => {
    const { kvs, folder } = await open();
    await kvs.setRecord({ key: 'k', value: { v: 1 } });
    await kvs.setRecord({ key: 'k', value: Buffer.from('img'), contentType: 'image/png' });
    expect(await files(folder)).toEqual(['k.__metadata__.json', 'k.png']);
    await kvs.setRecord({ key: 'k', value: 'text' });
    expect(await files(folder)).toEqual(['k.__metadata__.json', 'k.txt']);
    await kvs.deleteRecord('k');
    expect(await files(folder)).toEqual([]);
  });

  it('a key with a dot keeps its own extension after it', async () => {
    const { kvs, folder } = await open();
    await kvs.setRecord({ key: 'photo.png', value: Buffer.from('x'), contentType: 'image/png' });
    await kvs.setRecord({ key: 'data.json', value: [1] });
    expect(await files(folder)).toEqual([
      'data.json.__metadata__.json',
      'data.json.json',
      'photo.png.__metadata__.json',
      'photo.png.png',
    ]);
    expect((await kvs.listKeys()).items.map((i) => i.key)).toEqual(['data.json', 'photo.png']);
  });
});

describe('records placed by hand (no sidecar)', () => {
  it.each([
    ['INPUT.json', '{"start": 1}', { start: 1 }, 'application/json; charset=utf-8'],
    ['INPUT', '{"start": 2}', { start: 2 }, 'application/json; charset=utf-8'],
    ['INPUT', 'plain words', 'plain words', 'text/plain; charset=utf-8'],
    ['INPUT.txt', '{"not": "parsed"}', '{"not": "parsed"}', 'text/plain; charset=utf-8'],
  ])('finds INPUT as %s', async (file, content, value, contentType) => {
    const { kvs, folder } = await open();
    await writeFile(join(folder, file), content);
    expect(await kvs.getRecord('INPUT')).toEqual({ key: 'INPUT', value, contentType });
    expect(await kvs.recordExists('INPUT')).toBe(true);
    expect((await kvs.listKeys()).items).toEqual([{ key: 'INPUT', size: Buffer.byteLength(content) }]);
  });

  it('finds INPUT.bin as bytes', async () => {
    const { kvs, folder } = await open();
    await writeFile(join(folder, 'INPUT.bin'), Buffer.from([0, 159, 146, 150]));
    const record = await kvs.getRecord('INPUT');
    expect(record?.contentType).toBe('application/octet-stream');
    expect(record?.value).toEqual(Buffer.from([0, 159, 146, 150]));
  });

  it('reads a hand-edited INPUT.json with comments and trailing commas', async () => {
    const { kvs, folder } = await open();
    const text =
      '{\n  // where to start\n  "startUrls": ["https://example.com",],\n  /* depth */ "maxDepth": 2,\n}\n';
    await writeFile(join(folder, 'INPUT.json'), text);
    expect((await kvs.getRecord('INPUT'))?.value).toEqual({
      startUrls: ['https://example.com'],
      maxDepth: 2,
    });
  });

  it('prefers INPUT.json when several files stand for the same key', async () => {
    const { kvs, folder } = await open();
    await writeFile(join(folder, 'INPUT.txt'), 'text');
    await writeFile(join(folder, 'INPUT.json'), '{"j": 1}');
    expect((await kvs.getRecord('INPUT'))?.value).toEqual({ j: 1 });
    expect((await kvs.listKeys()).count).toBe(1);
    await kvs.setRecord({ key: 'INPUT', value: { fresh: true } });
    expect(await files(folder)).toEqual(['INPUT.__metadata__.json', 'INPUT.json']);
  });

  it('takes the content type from the extension', async () => {
    const { kvs, folder } = await open();
    await writeFile(join(folder, 'page.html'), '<b>x</b>');
    await writeFile(join(folder, 'shot.png'), 'PNG');
    expect(await kvs.getRecord('page')).toEqual({
      key: 'page',
      value: '<b>x</b>',
      contentType: 'text/html; charset=utf-8',
    });
    expect((await kvs.getRecord('shot'))?.contentType).toBe('image/png');
  });
});

describe('crash leftovers', () => {
  it('ignores a sidecar whose file is missing', async () => {
    const { kvs, folder } = await open();
    await writeFile(
      join(folder, 'ghost.__metadata__.json'),
      JSON.stringify({ key: 'ghost', contentType: 'text/plain' }),
    );
    expect(await kvs.recordExists('ghost')).toBe(false);
    expect(await kvs.getRecord('ghost')).toBeUndefined();
    expect((await kvs.listKeys()).count).toBe(0);
    await kvs.setRecord({ key: 'ghost', value: 'now real' });
    expect((await kvs.getRecord('ghost'))?.value).toBe('now real');
  });

  it('a new value file whose sidecar was not written yet does not replace the acknowledged record', async () => {
    const { kvs, folder } = await open();
    await kvs.setRecord({ key: 'state', value: { step: 1 } });
    // A writer died after writing state.png but before the sidecar: the sidecar still says JSON.
    await writeFile(join(folder, 'state.png'), 'half-way');
    expect((await kvs.getRecord('state'))?.value).toEqual({ step: 1 });
    expect((await kvs.listKeys()).items.map((i) => i.key)).toEqual(['state']);
    await kvs.setRecord({ key: 'state', value: 'done' });
    expect(await files(folder)).toEqual(['state.__metadata__.json', 'state.txt']);
  });

  it('ignores temp files of interrupted writes', async () => {
    const { kvs, folder } = await open();
    await writeFile(join(folder, '.tmp-x.json.123.abcd'), '{"partial":');
    expect((await kvs.listKeys()).count).toBe(0);
  });
});

describe('corrupt records', () => {
  it('moves a JSON record that does not parse aside, reports it, and does not return it', async () => {
    const { kvs, folder } = await open();
    await kvs.setRecord({ key: 'broken', value: { a: 1 } });
    await writeFile(join(folder, 'broken.json'), '{"a": 1,, oops');
    const events: string[] = [];
    const stop = onCorruptFile((e) => events.push(e.file));
    try {
      expect(await codeOf(kvs.getRecord('broken'))).toBe('STORAGE_CORRUPT');
    } finally {
      stop();
    }
    expect(events).toEqual([join(folder, 'broken.json')]);
    const aside = await readdir(join(folder, '__corrupt__'));
    expect(aside.some((f) => f.startsWith('broken.json.'))).toBe(true);
    expect(await kvs.getRecord('broken')).toBeUndefined();
    expect((await kvs.listKeys()).count).toBe(0);
    // The raw bytes are still readable as a buffer before anyone parses them.
    await writeFile(join(folder, 'raw.json'), 'not json');
    expect(String((await kvs.getRecord('raw', { buffer: true }))?.value)).toBe('not json');
  });
});

describe('path escapes and reserved names', () => {
  it('refuses them before touching the disk', async () => {
    const { kvs } = await open();
    for (const key of [
      '../x',
      '..',
      '.',
      'a/b',
      'a\\b',
      '__metadata__',
      'x.__metadata__.json',
      '.tmp-x',
      'CON',
    ]) {
      expect(await codeOf(kvs.setRecord({ key, value: 1 }))).toBe('STORAGE_INVALID_KEY');
      expect(await codeOf(kvs.getRecord(key))).toBe('STORAGE_INVALID_KEY');
    }
    for (const name of ['../escape', '/abs', 'a/b', '..', 'x\0y']) {
      expect(await codeOf(client.keyValueStore(name).get())).toBe('STORAGE_INVALID_NAME');
      expect(await codeOf(client.keyValueStore(name).setRecord({ key: 'a', value: 1 }))).toBe(
        'STORAGE_INVALID_NAME',
      );
    }
    expect(existsSync(join(dir, 'escape'))).toBe(false);
    expect(existsSync(join(dir, 'key_value_stores', 'escape'))).toBe(false);
  });

  it('reads only regular files of the store folder', async () => {
    const { kvs, folder } = await open();
    await mkdir(join(folder, 'sub.json'));
    expect((await kvs.listKeys()).count).toBe(0);
  });
});

describe('a store folder made by hand', () => {
  it('gets its __metadata__.json on the first write, keeping the INPUT placed there', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const folder = join(dir, 'key_value_stores', 'default');
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'INPUT.json'), '{ a: 1, } // by hand');
      const client = createFsClient({ storageDir: dir });
      await client.keyValueStore('default').setRecord({ key: 'STATE', value: { n: 1 } });
      const meta = JSON.parse(await readFile(join(folder, '__metadata__.json'), 'utf8'));
      expect(meta).toMatchObject({ id: 'default', name: 'default' });
      expect((await client.keyValueStore('default').getRecord('INPUT'))?.value).toEqual({ a: 1 });
      expect((await client.keyValueStore('default').get())?.id).toBe('default');
    } finally {
      await cleanup();
    }
  });
});
