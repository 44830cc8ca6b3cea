/** The KeyValueStore class, as Crawlee users know it, over the fs engine and over HTTP. */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStorageError, KeyValueStore } from '../src/index.js';
import { startTestServer } from './conformance/harness.js';
import { tempDir } from './helpers/tmp.js';

let storageDir: string;
let cleanup: () => Promise<void>;
const savedEnv = { ...process.env };

beforeEach(async () => {
  ({ dir: storageDir, cleanup } = await tempDir());
});
afterEach(async () => {
  process.env = { ...savedEnv };
  await cleanup();
});

async function codeOf(action: Promise<unknown>): Promise<string | undefined> {
  try {
    await action;
  } catch (err) {
    return isStorageError(err) ? err.code : `not a StorageError: ${String(err)}`;
  }
  return undefined;
}

describe('KeyValueStore', () => {
  it('opens the default store, and the same instance twice', async () => {
    const store = await KeyValueStore.open(undefined, { storageDir });
    expect(store.name).toBe('default');
    expect(store.id).toMatch(/^[a-zA-Z0-9]{17}$/);
    expect(await KeyValueStore.open(null, { storageDir })).toBe(store);
    expect(await KeyValueStore.open('default', { storageDir })).toBe(store);
    const named = await KeyValueStore.open('results', { storageDir });
    expect(named).not.toBe(store);
    expect(named.name).toBe('results');
    expect(await codeOf(KeyValueStore.open('Bad_Name!', { storageDir }))).toBe('STORAGE_INVALID_NAME');
  });

  it('getValue and setValue as in Crawlee: null deletes, a default for missing records', async () => {
    const store = await KeyValueStore.open('values', { storageDir });
    expect(await store.getValue('missing')).toBeNull();
    expect(await store.getValue('missing', { fallback: 1 })).toEqual({ fallback: 1 });
    await store.setValue('obj', { a: [1, 2] });
    await store.setValue('text', 'hello');
    await store.setValue('page', '<i>x</i>', { contentType: 'text/html' });
    await store.setValue('png', Buffer.from('PNG'), { contentType: 'image/png' });
    expect(await store.getValue('obj')).toEqual({ a: [1, 2] });
    expect(await store.getValue('text')).toBe('hello');
    expect(await store.getValue('page')).toBe('<i>x</i>');
    expect(String(await store.getValue('png'))).toBe('PNG');
    expect(await store.recordExists('obj')).toBe(true);
    await store.setValue('obj', null);
    expect(await store.recordExists('obj')).toBe(false);
    expect(await codeOf(store.setValue('bad key', 1))).toBe('STORAGE_INVALID_KEY');
    expect(await codeOf(store.getValue('../up'))).toBe('STORAGE_INVALID_KEY');
    expect(await codeOf(store.setValue('u', undefined))).toBe('STORAGE_INVALID_VALUE');
    expect(await codeOf(store.setValue('o', { a: 1 }, { contentType: 'text/plain' }))).toBe(
      'STORAGE_INVALID_VALUE',
    );
    expect(await codeOf(store.setValue('b', { n: 1n }))).toBe('STORAGE_INVALID_VALUE');
  });

  it('forEachKey walks every key across pages, with index and size, from a start key and prefix', async () => {
    const store = await KeyValueStore.open('many', { storageDir });
    const keys = Array.from({ length: 1205 }, (_, i) => `k${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((key) => store.setValue(key, key)));
    }
    const seen: Array<[string, number, number]> = [];
    await store.forEachKey((key, index, { size }) => {
      seen.push([key, index, size]);
    });
    expect(seen.map(([key]) => key)).toEqual(keys);
    expect(seen.map(([, index]) => index)).toEqual(keys.map((_, i) => i));
    expect(seen[0]?.[2]).toBe(5);
    const after: string[] = [];
    await store.forEachKey((key) => void after.push(key), { exclusiveStartKey: 'k1199', prefix: 'k1' });
    expect(after).toEqual(['k1200', 'k1201', 'k1202', 'k1203', 'k1204']);
    expect(await codeOf(store.forEachKey('no' as never))).toBe('STORAGE_INVALID_OPTION');
  });

  it('getPublicUrl is the file URL of the record over the fs engine', async () => {
    const store = await KeyValueStore.open('urls', { storageDir });
    await store.setValue('shot', Buffer.from('PNG'), { contentType: 'image/png' });
    // A fresh handle on the same folder, as in a later run: nothing is cached yet.
    const url = (await KeyValueStore.open('urls', { storageDir: `${storageDir}/` })).getPublicUrl('shot');
    expect(url).toMatch(/^file:\/\/.*\/key_value_stores\/urls\/shot\.png$/);
    expect(await readFile(fileURLToPath(url), 'utf8')).toBe('PNG');
    expect(store.getPublicUrl('not-yet')).toMatch(/\/urls\/not-yet$/);
    expect(() => store.getPublicUrl('a b')).toThrow(expect.objectContaining({ code: 'STORAGE_INVALID_KEY' }));
  });

  it('drop() deletes the store; opening again creates a new one', async () => {
    const store = await KeyValueStore.open('temp', { storageDir });
    await store.setValue('a', 1);
    await store.drop();
    expect(existsSync(join(storageDir, 'key_value_stores', 'temp'))).toBe(false);
    const again = await KeyValueStore.open('temp', { storageDir });
    expect(again).not.toBe(store);
    expect(await again.getValue('a')).toBeNull();
  });

  it('getAutoSavedValue keeps one object per key and saves it back', async () => {
    const store = await KeyValueStore.open('state', { storageDir });
    const state = await store.getAutoSavedValue<{ done: number; extra?: string }>('STATE', { done: 0 });
    expect(await store.getAutoSavedValue('STATE')).toBe(state);
    state.done = 5;
    await store.persistAutoSavedValues();
    expect(await store.getValue('STATE')).toEqual({ done: 5 });
    await store.setValue('STATE', { done: 7, extra: 'x' });
    expect(state).toEqual({ done: 7, extra: 'x' });
    await store.setValue('STATE', null);
    const fresh = await store.getAutoSavedValue<{ done: number }>('STATE', { done: 0 });
    expect(fresh).not.toBe(state);
    expect(fresh).toEqual({ done: 0 });
    await store.setValue('TEXT', 'not an object');
    expect(await codeOf(store.getAutoSavedValue('TEXT'))).toBe('STORAGE_INVALID_VALUE');
  });

  it('getInput reads the default store’s INPUT, also a hand-edited INPUT.json', async () => {
    expect(await KeyValueStore.getInput({ storageDir })).toBeNull();
    const folder = join(storageDir, 'key_value_stores', 'default');
    await writeFile(join(folder, 'INPUT.json'), '{\n  // my run\n  "maxPages": 3,\n}');
    expect(await KeyValueStore.getInput({ storageDir })).toEqual({ maxPages: 3 });
    process.env.ACTOR_INPUT_KEY = 'OTHER_INPUT';
    await writeFile(join(folder, 'OTHER_INPUT.json'), '{"other": true}');
    expect(await KeyValueStore.getInput({ storageDir })).toEqual({ other: true });
  });
});

describe('KeyValueStore over apify-client and the server', () => {
  it('works the same, and getPublicUrl is the API URL', async () => {
    const server = await startTestServer();
    try {
      const store = await KeyValueStore.open('remote', { client: server.client });
      await store.setValue('OUTPUT', { ok: 1 });
      expect(await store.getValue('OUTPUT')).toEqual({ ok: 1 });
      const keys: string[] = [];
      await store.forEachKey((key) => void keys.push(key));
      expect(keys).toEqual(['OUTPUT']);
      expect(store.getPublicUrl('OUTPUT')).toBe(
        `${server.url}/v2/key-value-stores/${store.id}/records/OUTPUT`,
      );
      await store.setValue('OUTPUT', null);
      expect(await store.recordExists('OUTPUT')).toBe(false);
    } finally {
      await server.close();
    }
  });
});
