import type { Command } from 'commander';
import { createFsClient } from '../../fs/index.js';
import type { CliContext } from '../runtime.js';
import { addItemOptions, type ItemFlags, itemListOptions } from './item-options.js';
import { writeOut } from './terminal.js';

interface ItemsFlags extends ItemFlags {
  array?: boolean;
}

/** Output is batched into chunks of about this many characters. */
const CHUNK_CHARS = 64 * 1024;

async function items(command: Command, dataset: string, flags: ItemsFlags, ctx: CliContext) {
  const { storageDir } = ctx.globals(command);
  const client = createFsClient({ storageDir });
  const stream = await client.dataset(dataset).iterateItems(itemListOptions(flags));
  const array = flags.array === true;
  let chunk = array ? '[' : '';
  let first = true;
  for await (const item of stream.items()) {
    const json = JSON.stringify(item);
    chunk += array ? `${first ? '' : ','}\n${json}` : `${json}\n`;
    first = false;
    if (chunk.length >= CHUNK_CHARS) {
      await writeOut(chunk);
      chunk = '';
    }
  }
  if (array) chunk += first ? ']\n' : '\n]\n';
  if (chunk !== '') await writeOut(chunk);
}

/** `actor-storage items <dataset> [item options] [--array]`: items as JSON lines or a JSON array. */
export function registerItems(program: Command, ctx: CliContext): void {
  const command = program
    .command('items')
    .argument('<dataset>', 'dataset id or name')
    .description('Print the items of a dataset as JSON lines (or one JSON array with --array).');
  addItemOptions(command)
    .option('--array', 'one JSON array instead of one item per line')
    .addHelpText(
      'after',
      `
Examples:
  $ actor-storage items default --limit 10
  $ actor-storage items products --fields title,price --desc
  $ actor-storage items products --clean --unwind offers --array > offers.json
  $ actor-storage items products | jq .title`,
    )
    .action(async (dataset: string, flags: ItemsFlags, cmd: Command) => items(cmd, dataset, flags, ctx));
}
