import type { Command } from 'commander';
import { Storage } from '../../storages/storage.js';
import { STORAGE_TYPE_LABEL } from '../../storages/storage-summary.js';
import type { CliContext } from '../runtime.js';
import { summaryJson } from './format.js';

async function rename(command: Command, type: string, idOrName: string, newName: string, ctx: CliContext) {
  const { storageDir } = ctx.globals(command);
  const storage = await Storage.open(type, idOrName, { storageDir });
  const before = storage.name;
  const summary = await storage.rename(newName);
  const what = STORAGE_TYPE_LABEL[storage.type];
  const human =
    before === undefined
      ? `Named ${what} ${summary.id} "${newName}"; named storages are kept until dropped.`
      : `Renamed ${what} "${before}" to "${newName}" (id ${summary.id}).`;
  ctx.print(command, human, { ...summaryJson(summary), previousName: before ?? null });
}

/** `actor-storage rename <type> <id|name> <new-name>`: the id stays; naming an unnamed storage keeps it. */
export function registerRename(program: Command, ctx: CliContext): void {
  program
    .command('rename')
    .argument('<type>', 'dataset, kvs (key-value-store) or queue (request-queue)')
    .argument('<id|name>', 'the storage id or current name')
    .argument('<new-name>', 'a-z, A-Z, 0-9 and "-" inside, at most 63 characters')
    .description('Rename a storage (its id stays). Naming an unnamed storage keeps it from expiring.')
    .addHelpText(
      'after',
      `
Examples:
  $ actor-storage rename dataset products products-2024
  $ actor-storage rename kvs aB3dE5gH7jK9mN1pQ keep-these-screenshots`,
    )
    .action(async (type: string, idOrName: string, newName: string, _flags: unknown, cmd: Command) =>
      rename(cmd, type, idOrName, newName, ctx),
    );
}
