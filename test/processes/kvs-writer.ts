/**
 * A writer process for test/kvs-processes.test.ts: writes `count` keys of its own and, every
 * `sharedEvery` keys, the shared key with a large value that is distinct per writer (all bytes equal
 * to 0x41 + writer) and, for odd writers, another content type.
 *
 * Usage: node --import tsx test/processes/kvs-writer.ts <storageDir> <store> <writer> <count> <sharedSize>
 */
import { createFsClient } from '../../src/index.js';

const [storageDir, storeName, writerArg, countArg, sizeArg] = process.argv.slice(2);
if (!storageDir || !storeName || !writerArg || !countArg || !sizeArg) {
  throw new Error('usage: kvs-writer <storageDir> <store> <writer> <count> <sharedSize>');
}
const writer = Number(writerArg);
const count = Number(countArg);
const sharedValue = Buffer.alloc(Number(sizeArg), 0x41 + writer);
const sharedType = writer % 2 === 0 ? 'application/octet-stream' : 'image/png';
const CONCURRENCY = 16;
const SHARED_EVERY = 100;

const client = createFsClient({ storageDir });
const { id } = await client.keyValueStores().getOrCreate(storeName);
const store = client.keyValueStore(id);

let next = 0;
async function worker(): Promise<void> {
  while (next < count) {
    const i = next++;
    await store.setRecord({ key: `w${writer}-${i}`, value: { writer, i } });
    if (i % SHARED_EVERY === 0) {
      await store.setRecord({ key: 'shared', value: sharedValue, contentType: sharedType });
    }
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
process.stdout.write(JSON.stringify({ writer, written: count }));
