import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Transform } from 'node:stream';
import type { Command } from 'commander';
import mime from 'mime-types';
import { isErrno, StorageError } from '../../errors.js';
import { createFsClient, type FsClient } from '../../fs/index.js';
import { checkContentType } from '../../fs/key-value-store/encode.js';
import { validateKey } from '../../fs/layout.js';
import type { CliContext } from '../runtime.js';
import { formatBytes } from './format.js';

interface SetFlags {
  contentType?: string;
}

/** The content type given, else the file's (then the key's) extension's, else binary. */
function contentTypeFor(file: string, key: string, given: string | undefined): string {
  if (given !== undefined) return given;
  const fromFile = file === '-' ? false : mime.contentType(basename(file));
  return fromFile || mime.contentType(key) || 'application/octet-stream';
}

async function checkFile(file: string): Promise<void> {
  if (file === '-') return;
  try {
    if ((await stat(file)).isFile()) return;
  } catch (err) {
    if (!isErrno(err, 'ENOENT') && !isErrno(err, 'ENOTDIR')) throw err;
  }
  throw new StorageError('STORAGE_INVALID_OPTION', `${file} is not a file; give a file, or - for stdin.`, {
    details: { file },
  });
}

/** The store, created (named) when no store has that id or name, as `KeyValueStore.open()` does. */
async function openStore(client: FsClient, store: string): Promise<{ id: string; created: boolean }> {
  const existing = await client.keyValueStore(store).get();
  if (existing) return { id: existing.id, created: false };
  return { id: (await client.keyValueStores().getOrCreate(store)).id, created: true };
}

/** Counts the bytes that pass. */
function counter(): Transform & { bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      t.bytes += chunk.length;
      done(null, chunk);
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}

async function set(
  command: Command,
  store: string,
  key: string,
  file: string,
  flags: SetFlags,
  ctx: CliContext,
) {
  const { storageDir } = ctx.globals(command);
  validateKey(key); // before anything is created
  await checkFile(file);
  const contentType = checkContentType(contentTypeFor(file, key, flags.contentType));
  const client = createFsClient({ storageDir });
  const { id, created } = await openStore(client, store);
  const count = counter();
  // JSON is read whole, so that the engine refuses text that does not parse; anything else streams.
  const value =
    mime.extension(contentType) === 'json'
      ? await readAll(file)
      : (file === '-' ? process.stdin : createReadStream(file)).pipe(count);
  await client.keyValueStore(id).setRecord({ key, value, contentType });
  const size = Buffer.isBuffer(value) ? value.length : count.bytes;
  ctx.print(
    command,
    `Stored "${key}" in ${created ? 'new ' : ''}key-value store "${store}" (${formatBytes(size)}, ${contentType}).`,
    { store, storeId: id, created, key, contentType, size },
  );
}

async function readAll(file: string): Promise<Buffer> {
  if (file !== '-') return readFile(file);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `actor-storage set <store> <key> <file|-> [--content-type]`: stores a file or stdin as a record. */
export function registerSet(program: Command, ctx: CliContext): void {
  program
    .command('set')
    .argument('<store>', 'key-value store id or name (a named store is created when missing)')
    .argument('<key>', 'record key')
    .argument('<file>', 'file to store, or - for stdin (streamed; JSON is read whole to be checked first)')
    .description('Store a file or stdin as a record of a key-value store.')
    .option('-t, --content-type <type>', 'content type (default: from the file extension, else the key)')
    .addHelpText(
      'after',
      `
Examples:
  $ actor-storage set default INPUT input.json
  $ actor-storage set screenshots home.png ./home.png
  $ curl -s https://example.com | actor-storage set pages example -  --content-type text/html`,
    )
    .action(async (store: string, key: string, file: string, flags: SetFlags, cmd: Command) =>
      set(cmd, store, key, file, flags, ctx),
    );
}
