#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerDoctor } from './commands/doctor.js';
import { registerDrop } from './commands/drop.js';
import { registerExport } from './commands/export.js';
import { registerGc } from './commands/gc.js';
import { registerGet } from './commands/get.js';
import { registerInfo } from './commands/info.js';
import { registerItems } from './commands/items.js';
import { registerKeys } from './commands/keys.js';
import { registerLs } from './commands/ls.js';
import { registerPurge } from './commands/purge.js';
import { registerQueue } from './commands/queue.js';
import { registerRename } from './commands/rename.js';
import { registerServe } from './commands/serve.js';
import { registerSet } from './commands/set.js';
import {
  type CliContext,
  type CliIo,
  type CommandModule,
  createCliContext,
  exitCodeFor,
  reportError,
  USAGE_EXIT_CODE,
} from './runtime.js';

/** Every command, one module each (src/cli/commands/<name>.ts). */
export const COMMANDS: readonly CommandModule[] = [
  registerLs,
  registerInfo,
  registerItems,
  registerExport,
  registerGet,
  registerSet,
  registerKeys,
  registerQueue,
  registerRename,
  registerDrop,
  registerPurge,
  registerGc,
  registerDoctor,
  registerServe,
];

const defaultIo: CliIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

/** The `actor-storage` program with its global options and every command. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('actor-storage')
    .description('Datasets, key-value stores and request queues in a local folder.')
    .option(
      '--dir <path>',
      'storage folder (default: $APIFY_LOCAL_STORAGE_DIR, $CRAWLEE_STORAGE_DIR, ./apify_storage)',
    )
    .option('--json', 'machine-readable output: one JSON document per line')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout(text.replace(/\n$/, '')),
      writeErr: (text) => ctx.io.stderr(text.replace(/\n$/, '')),
    });
  for (const register of COMMANDS) register(program, ctx);
  return program;
}

/**
 * Runs the CLI on `argv` (without the node and script paths) and resolves with the exit code:
 * 0 on success, 2 for a usage error, the code of ERROR_TABLE for a StorageError, 1 otherwise.
 */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const ctx = createCliContext(io);
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    reportError(io, err, argv.includes('--json'));
    return exitCodeFor(err);
  }
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false; // an entry path that does not resolve is not this file
  }
}

if (isMain()) {
  process.exitCode = await runCli(process.argv.slice(2));
}
