import type { Command } from 'commander';
import { StorageError } from '../../errors.js';
import { createServer, DEFAULT_USERNAME, loadOrCreateToken } from '../../server/index.js';
import type { CliContext } from '../runtime.js';

/** Default port of `actor-storage serve`. */
export const DEFAULT_PORT = 8200;

interface ServeOptions {
  port: string;
  host: string;
  token?: string;
  username: string;
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new StorageError(
      'STORAGE_INVALID_OPTION',
      `Invalid port "${raw}": use 0–65535 (0 picks a free one).`,
    );
  }
  return port;
}

/** Resolves once the process is asked to stop (SIGINT or SIGTERM). */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function serve(command: Command, options: ServeOptions, ctx: CliContext): Promise<void> {
  const { storageDir } = ctx.globals(command);
  const port = parsePort(options.port);
  const saved = options.token === undefined ? await loadOrCreateToken(storageDir) : undefined;
  const token = options.token ?? saved?.token;
  const server = createServer({
    storageDir,
    token,
    username: options.username,
    onError: (err, req) => {
      const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
      ctx.io.stderr(`${req.method} ${req.url} failed: ${detail}`);
    },
  });
  const url = await server.listen(port, options.host);
  if (saved) {
    const note = saved.created ? `new, saved in ${saved.file}` : `from ${saved.file}`;
    if (!ctx.globals(command).json) ctx.io.stdout(`token: ${saved.token} (${note})`);
  }
  ctx.print(command, `listening on ${url}`, {
    url,
    storageDir,
    ...(saved ? { token: saved.token, tokenFile: saved.file, tokenCreated: saved.created } : {}),
  });
  if (!ctx.globals(command).json && server.token) {
    ctx.io.stdout(`storage browser: ${url}/?token=${encodeURIComponent(server.token)}`);
  }
  await untilSignal();
  await server.close();
}

/**
 * `actor-storage serve [--port P] [--host H] [--token T] [--username U]`: the Apify API v2
 * storage endpoints over the storage folder, until SIGINT/SIGTERM.
 */
export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('Serve the storage folder over HTTP as the Apify API v2 (apify-client works against it).')
    .option('--port <port>', 'port to listen on (0: any free port)', String(DEFAULT_PORT))
    .option('--host <host>', 'interface to bind; anything but 127.0.0.1 exposes the data', '127.0.0.1')
    .option(
      '--token <token>',
      'token to require (default: the one kept in <dir>/.server-token, made on first use)',
    )
    .option('--username <name>', 'owner of the stores, for "username~store-name" addresses', DEFAULT_USERNAME)
    .action(async (options: ServeOptions, command: Command) => serve(command, options, ctx));
}
