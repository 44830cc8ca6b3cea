/** Prints a queue's head and info as JSON from a fresh process: `rq-head.ts <storageDir> <queue> [limit]`. */
import { createFsClient } from '../../src/index.js';

const [storageDir, name, limit] = process.argv.slice(2);
const client = createFsClient({ storageDir });
const queue = client.requestQueue(name as string);
const head = await queue.listHead({ limit: Number(limit ?? 100) });
const info = await queue.get();
process.stdout.write(`${JSON.stringify({ urls: head.items.map((i) => i.url), info })}\n`);
