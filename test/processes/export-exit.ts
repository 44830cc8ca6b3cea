/**
 * Starts a csv export whose source never ends, into `tempDir` (argv[2]); once the export's temp
 * folder exists, prints how many entries `tempDir` holds and exits with process.exit(0) while the
 * export is still reading.
 */
import { readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { exportStream } from '../../src/export/index.js';

const tempDir = process.argv[2] as string;
const stream = exportStream(
  'csv',
  async function* () {
    for (let i = 0; ; i++) {
      if (i % 100 === 0) await sleep(1);
      yield { i, text: 'x'.repeat(100) };
    }
  },
  { tempDir },
);
stream.resume();
for (let i = 0; i < 200 && (await readdir(tempDir)).length === 0; i++) await sleep(10);
process.stdout.write(`entries ${(await readdir(tempDir)).length}\n`);
process.exit(0);
