/**
 * Takes a store's cross-process lock and holds it until killed (the concurrency tests SIGKILL it,
 * leaving the lock file of a dead process behind). Prints `locked` once it holds the lock.
 *
 * Usage: node --import tsx crash-lock-holder.ts <storageDir> <datasets|key_value_stores|request_queues> <name>
 */

import type { StoreKind } from '../../src/fs/layout.js';
import { storeLock } from '../../src/fs/locks.js';
import { getStore } from '../../src/fs/stores.js';

const [storageDir, kind, name] = process.argv.slice(2);
if (!storageDir || !kind || !name) {
  process.stderr.write('usage: crash-lock-holder.ts <storageDir> <kind> <name>\n');
  process.exit(2);
}
const location = await getStore(storageDir, kind as StoreKind, name);
await storeLock(storageDir, kind as StoreKind, location.id, location.dir).run(async () => {
  process.stdout.write('locked\n');
  setInterval(() => undefined, 1000); // an open handle keeps the process (and the lock) alive
  await new Promise(() => undefined); // held until the process is killed
});
