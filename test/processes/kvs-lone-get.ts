/**
 * A reader process for test/kvs-processes.test.ts: reads the given keys of a store, one after
 * another, and prints each value with how many times the store's folder had been listed by then.
 *
 * Usage: node --import tsx test/processes/kvs-lone-get.ts <storageDir> <store> <key>...
 */
import { peekRecordIndex } from '../../src/fs/key-value-store/record-index.js';
import { createFsClient } from '../../src/index.js';

const [storageDir, storeName, ...keys] = process.argv.slice(2);
if (!storageDir || !storeName) throw new Error('usage: kvs-lone-get <storageDir> <store> <key>...');
const client = createFsClient({ storageDir });
const store = client.keyValueStore(storeName);
const info = await store.get();
if (!info) throw new Error(`no store ${storeName}`);
const out = [];
for (const key of keys) {
  const record = await store.getRecord(key);
  const listings = peekRecordIndex(client.storageDir, info.id)?.refreshCount ?? 0;
  out.push({ key, value: record?.value, contentType: record?.contentType, listings });
}
process.stdout.write(JSON.stringify(out));
