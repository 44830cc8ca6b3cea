import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { StorageError } from '../../errors.js';
import { writeStreamAtomic } from '../../fs/atomic-write.js';
import { createFsClient } from '../../fs/index.js';
import type { CliContext } from '../runtime.js';
import { formatBytes } from './format.js';
import { pipeToStdout } from './terminal.js';

interface GetFlags {
  out?: string;
}

async function get(command: Command, store: string, key: string, flags: GetFlags, ctx: CliContext) {
  const { storageDir } = ctx.globals(command);
  const record = await createFsClient({ storageDir }).keyValueStore(store).getRecord(key, { stream: true });
  if (!record) {
    throw new StorageError('STORAGE_RECORD_NOT_FOUND', `Key-value store "${store}" has no record "${key}".`, {
      details: { store, key },
    });
  }
  const value = record.value instanceof Readable ? record.value : Readable.from([record.value as Buffer]);
  if (flags.out === undefined) {
    await pipeToStdout(value);
    return;
  }
  const file = resolve(flags.out);
  await mkdir(dirname(file), { recursive: true });
  const size = await writeStreamAtomic(file, value);
  ctx.print(command, `Wrote "${key}" to ${flags.out} (${formatBytes(size)}, ${record.contentType}).`, {
    store,
    key,
    contentType: record.contentType ?? null,
    size,
    file,
  });
}

/** `actor-storage get <store> <key> [--out file]`: a record's raw bytes. */
export function registerGet(program: Command, ctx: CliContext): void {
  program
    .command('get')
    .argument('<store>', 'key-value store id or name')
    .argument('<key>', 'record key')
    .description('Write a record of a key-value store, as stored (raw bytes), to stdout or a file.')
    .option('-o, --out <file>', 'write to this file (atomically) instead of stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ actor-storage get default INPUT
  $ actor-storage get screenshots home.png --out home.png
  $ actor-storage get default OUTPUT | jq .`,
    )
    .action(async (store: string, key: string, flags: GetFlags, cmd: Command) =>
      get(cmd, store, key, flags, ctx),
    );
}
