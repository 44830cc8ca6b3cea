import type { Command } from 'commander';
import type { KeyValueStoreItemData } from '../../client/types.js';
import { createFsClient } from '../../fs/index.js';
import type { CliContext } from '../runtime.js';
import { formatBytes, renderTable } from './format.js';

interface KeysFlags {
  prefix?: string;
}

async function keys(command: Command, store: string, flags: KeysFlags, ctx: CliContext) {
  const { storageDir } = ctx.globals(command);
  const client = createFsClient({ storageDir }).keyValueStore(store);
  const items: KeyValueStoreItemData[] = [];
  let exclusiveStartKey: string | undefined;
  for (;;) {
    const page = await client.listKeys({ limit: 1000, exclusiveStartKey, prefix: flags.prefix });
    items.push(...page.items);
    if (!page.isTruncated || page.nextExclusiveStartKey === undefined) break;
    exclusiveStartKey = page.nextExclusiveStartKey;
  }
  const human =
    items.length === 0
      ? 'No records.'
      : renderTable([['KEY', 'SIZE'], ...items.map((i) => [i.key, formatBytes(i.size)])]);
  ctx.print(
    command,
    human,
    items.map(({ key, size }) => ({ key, size })),
  );
}

/** `actor-storage keys <store> [--prefix P]`: the record keys of a key-value store, with sizes. */
export function registerKeys(program: Command, ctx: CliContext): void {
  program
    .command('keys')
    .argument('<store>', 'key-value store id or name')
    .description('List the record keys of a key-value store (in key order) with their sizes.')
    .option('-p, --prefix <prefix>', 'only keys starting with this')
    .addHelpText(
      'after',
      `
Examples:
  $ actor-storage keys default
  $ actor-storage keys screenshots --prefix home-
  $ actor-storage --json keys default | jq -r '.[].key'`,
    )
    .action(async (store: string, flags: KeysFlags, cmd: Command) => keys(cmd, store, flags, ctx));
}
