/**
 * Locks requests at the head of a queue for a long time and then waits to be killed, so that its
 * request locks are those of a dead process. Prints the locked ids as one JSON line.
 *
 * Usage: node --import tsx crash-rq-locker.ts <storageDir> <queue> <clientKey> <count>
 */
import { createFsClient } from '../../src/index.js';

const [storageDir, name, clientKey, countArg] = process.argv.slice(2);
if (!storageDir || !name || !clientKey || !countArg) {
  process.stderr.write('usage: crash-rq-locker.ts <storageDir> <queue> <clientKey> <count>\n');
  process.exit(2);
}
const queue = createFsClient({ storageDir }).requestQueue(name, { clientKey });
const head = await queue.listAndLockHead({ lockSecs: 3600, limit: Number(countArg) });
process.stdout.write(`${JSON.stringify(head.items.map((item) => item.id))}\n`);
setInterval(() => undefined, 1000); // an open handle keeps the process alive until killed
