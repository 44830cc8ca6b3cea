/** Several real processes writing one key-value store at once (see test/processes/kvs-writer.ts). */
import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

const SCRIPT = join(import.meta.dirname, 'processes', 'kvs-writer.ts');
const WRITERS = 4;
const KEYS_PER_WRITER = 1000;
const SHARED_SIZE = 200 * 1024;

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => cleanup());

function run(
  args: string[],
  script = SCRIPT,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr, stdout })));
}

/** Every sidecar names an existing value file of its size and type; every value file has one. */
async function checkSidecars(folder: string): Promise<void> {
  const names = (await readdir(folder)).filter((n) => n !== '__metadata__.json');
  expect(names.filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  const sidecars = names.filter((n) => n.endsWith('.__metadata__.json'));
  const values = new Set(names.filter((n) => !n.endsWith('.__metadata__.json')));
  expect(sidecars.length).toBe(values.size);
  for (const name of sidecars) {
    const sidecar = JSON.parse(await readFile(join(folder, name), 'utf8'));
    expect(name).toBe(`${sidecar.key}.__metadata__.json`);
    const file = `${sidecar.key}.${sidecar.extension}`;
    expect(values.has(file), `${file} for ${name}`).toBe(true);
    expect((await stat(join(folder, file))).size).toBe(sidecar.size);
  }
}

describe('key-value stores across processes', () => {
  it(`${WRITERS} processes write ${KEYS_PER_WRITER} keys each and one shared key of 200 KB at once`, async () => {
    const setup = createFsClient({ storageDir: dir });
    const { id } = await setup.keyValueStores().getOrCreate('shared');
    const args = (w: number) => [dir, 'shared', String(w), String(KEYS_PER_WRITER), String(SHARED_SIZE)];
    const results = await Promise.all(Array.from({ length: WRITERS }, (_, w) => run(args(w))));
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });

    const reader = createFsClient({ storageDir: dir }).keyValueStore(id);
    const keys: string[] = [];
    for await (const item of reader.listKeys()) keys.push(item.key);
    expect(keys).toHaveLength(WRITERS * KEYS_PER_WRITER + 1);
    expect(new Set(keys).size).toBe(keys.length);
    for (let w = 0; w < WRITERS; w++) {
      for (const i of [0, 1, 499, KEYS_PER_WRITER - 1]) {
        expect((await reader.getRecord(`w${w}-${i}`))?.value).toEqual({ writer: w, i });
      }
      expect(keys.filter((k) => k.startsWith(`w${w}-`))).toHaveLength(KEYS_PER_WRITER);
    }

    const shared = await reader.getRecord('shared', { buffer: true });
    const bytes = shared?.value as Buffer;
    expect(bytes.length).toBe(SHARED_SIZE);
    const writer = (bytes[0] as number) - 0x41;
    expect(writer).toBeGreaterThanOrEqual(0);
    expect(writer).toBeLessThan(WRITERS);
    expect(bytes.every((b) => b === 0x41 + writer)).toBe(true);
    expect(shared?.contentType).toBe(writer % 2 === 0 ? 'application/octet-stream' : 'image/png');

    await checkSidecars(join(dir, 'key_value_stores', 'shared'));
  });

  it('a lone get in a new process reads the key by its sidecar, without listing the folder', async () => {
    const client = createFsClient({ storageDir: dir });
    const { id } = await client.keyValueStores().getOrCreate('lone');
    const store = client.keyValueStore(id);
    for (let i = 0; i < 30; i++) await store.setRecord({ key: `k${i}`, value: { i } });
    await store.setRecord({ key: 'note', value: 'plain text', contentType: 'text/plain' });
    await store.setRecord({ key: 'k7', value: 'now text', contentType: 'text/plain' }); // was JSON
    const folder = join(dir, 'key_value_stores', 'lone');
    await writeFile(join(folder, 'INPUT.json'), '{"by": "hand"}'); // no sidecar: found by listing
    await client.teardown();

    const reader = join(import.meta.dirname, 'processes', 'kvs-lone-get.ts');
    const result = await run([dir, 'lone', 'k3', 'note', 'k7', 'missing', 'INPUT', 'k4'], reader);
    expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(result.stdout)).toEqual([
      { key: 'k3', value: { i: 3 }, contentType: 'application/json; charset=utf-8', listings: 0 },
      { key: 'note', value: 'plain text', contentType: 'text/plain', listings: 0 },
      { key: 'k7', value: 'now text', contentType: 'text/plain', listings: 0 },
      { key: 'missing', listings: 1 },
      { key: 'INPUT', value: { by: 'hand' }, contentType: 'application/json; charset=utf-8', listings: 1 },
      { key: 'k4', value: { i: 4 }, contentType: 'application/json; charset=utf-8', listings: 1 },
    ]);
  });
});
