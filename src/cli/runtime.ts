import type { Command } from 'commander';
import { resolveConfig } from '../config.js';
import { ERROR_TABLE, StorageError } from '../errors.js';

/** Where the CLI writes: lines to stdout (results) and stderr (errors, diagnostics). */
export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

/** The global options every command sees, resolved. */
export interface GlobalOptions {
  /** Absolute storage folder: `--dir`, else the environment, else `./apify_storage`. */
  storageDir: string;
  /** `--json`: machine-readable output, one JSON document per line. */
  json: boolean;
}

/** What a command module gets besides the program: output and global options. */
export interface CliContext {
  readonly io: CliIo;
  /** The global options of the command being run. */
  globals(command: Command): GlobalOptions;
  /** Prints a result: `human` normally, `json` (as one line) with `--json`. */
  print(command: Command, human: string, json: unknown): void;
}

/** A command module registers its command(s) on the program; one file per command. */
export type CommandModule = (program: Command, ctx: CliContext) => void;

/** Exit code of usage errors (unknown option, bad argument). */
export const USAGE_EXIT_CODE = 2;
/** Exit code of an unexpected failure. */
export const FAILURE_EXIT_CODE = 1;

/** The exit code for an error: from {@link ERROR_TABLE} for StorageErrors, 1 otherwise. */
export function exitCodeFor(err: unknown): number {
  return err instanceof StorageError ? ERROR_TABLE[err.code].exitCode : FAILURE_EXIT_CODE;
}

/** Reports an error on stderr, as text or (with `--json`) as `{"error":{"code","message"}}`. */
export function reportError(io: CliIo, err: unknown, json: boolean): void {
  const code = err instanceof StorageError ? err.code : 'STORAGE_IO';
  const message = err instanceof Error ? err.message : String(err);
  io.stderr(json ? JSON.stringify({ error: { code, message } }) : `error: ${message}`);
}

/** Builds the context commands use. */
export function createCliContext(io: CliIo): CliContext {
  const globals = (command: Command): GlobalOptions => {
    const opts = command.optsWithGlobals<{ dir?: string; json?: boolean }>();
    return { storageDir: resolveConfig({ storageDir: opts.dir }).storageDir, json: opts.json === true };
  };
  return {
    io,
    globals,
    print(command, human, json) {
      io.stdout(globals(command).json ? JSON.stringify(json) : human);
    },
  };
}
