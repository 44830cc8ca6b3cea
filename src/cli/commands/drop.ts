import type { Command } from 'commander';
import { StorageError } from '../../errors.js';
import { Storage } from '../../storages/storage.js';
import { STORAGE_TYPE_LABEL } from '../../storages/storage-summary.js';
import type { CliContext } from '../runtime.js';
import { formatBytes, formatCounts } from './format.js';
import { canAsk, confirm } from './terminal.js';

interface DropFlags {
  yes?: boolean;
}

async function drop(command: Command, type: string, idOrName: string, flags: DropFlags, ctx: CliContext) {
  const { storageDir } = ctx.globals(command);
  const storage = await Storage.open(type, idOrName, { storageDir });
  const summary = await storage.getInfo();
  const label = `${STORAGE_TYPE_LABEL[storage.type]} "${summary.name ?? summary.id}"`;
  if (flags.yes !== true) {
    if (!canAsk()) {
      throw new StorageError(
        'STORAGE_INVALID_OPTION',
        `Dropping ${label} needs --yes when not run on a terminal; nothing was dropped.`,
      );
    }
    const question = `Drop ${label} (${formatCounts(summary.counts)}, ${formatBytes(summary.bytes)})? This cannot be undone.`;
    if (!(await confirm(question))) {
      ctx.print(command, 'Nothing dropped.', { dropped: false, id: summary.id });
      return;
    }
  }
  await storage.drop();
  ctx.print(command, `Dropped ${label} (${formatBytes(summary.bytes)} freed).`, {
    dropped: true,
    type: storage.type,
    id: summary.id,
    name: summary.name ?? null,
    bytes: summary.bytes,
  });
}

/** `actor-storage drop <type> <id|name> [--yes]`: deletes a storage, asking first on a terminal. */
export function registerDrop(program: Command, ctx: CliContext): void {
  program
    .command('drop')
    .argument('<type>', 'dataset, kvs (key-value-store) or queue (request-queue)')
    .argument('<id|name>', 'the storage id or name')
    .description('Delete a storage and everything in it. Asks first on a terminal; elsewhere needs --yes.')
    .option('-y, --yes', 'do not ask')
    .addHelpText(
      'after',
      `
Examples:
  $ actor-storage drop dataset old-products
  $ actor-storage drop queue aB3dE5gH7jK9mN1pQ --yes`,
    )
    .action(async (type: string, idOrName: string, flags: DropFlags, cmd: Command) =>
      drop(cmd, type, idOrName, flags, ctx),
    );
}
