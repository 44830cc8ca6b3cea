import type { Command } from 'commander';
import { Storage } from '../../storages/storage.js';
import type { CliContext } from '../runtime.js';
import { progressBar, showsProgress } from './terminal.js';

async function purge(command: Command, ctx: CliContext) {
  const { storageDir, json } = ctx.globals(command);
  const bar = progressBar('purge', showsProgress(json));
  let result: Awaited<ReturnType<typeof Storage.purge>>;
  try {
    result = await Storage.purge({ storageDir, onProgress: (done, total) => bar.update(done, total) });
  } finally {
    bar.stop();
  }
  const { datasetItems, requests, records } = result;
  ctx.print(
    command,
    `Purged the default storages: ${datasetItems} dataset items, ${requests} requests, ${records} records (INPUT kept).`,
    result,
  );
}

/** `actor-storage purge`: empties the default storages of a run, keeping INPUT. */
export function registerPurge(program: Command, ctx: CliContext): void {
  program
    .command('purge')
    .description(
      'Empty the default storages, as Crawlee does on start: the default dataset and request queue, and every record of the default key-value store except INPUT. Named storages are not touched.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ actor-storage purge
  $ actor-storage --dir ./storage purge`,
    )
    .action(async (_flags: unknown, cmd: Command) => purge(cmd, ctx));
}
