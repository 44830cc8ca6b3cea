import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StorageClient } from '../client/types.js';
import { resolveConfig } from '../config.js';
import { StorageError, toStorageError } from '../errors.js';
import { createFsClient, type FsClient } from '../fs/index.js';
import { createRequestListener } from './app.js';
import { DEFAULT_USERNAME, validateUsername } from './auth.js';
import { generateToken, loadOrCreateToken } from './token.js';

/** Options of {@link createServer}. */
export interface ServerOptions {
  /**
   * The storage folder to serve.
   * @default env APIFY_LOCAL_STORAGE_DIR, then CRAWLEE_STORAGE_DIR, then `./apify_storage`
   */
  storageDir?: string;
  /**
   * The token every write, list and name address needs. Without one, the token kept in
   * `<storageDir>/.server-token` is used, or one is generated and kept there.
   */
  token?: string;
  /** The owner of every store, for `username~store-name` addresses. @default 'local' */
  username?: string;
  /**
   * The client to serve: share the engine with other code of the process by passing its client.
   * @default createFsClient({ storageDir })
   */
  client?: StorageClient;
  /** Receives every error that became a 5xx answer. @default none */
  onError?: (err: unknown, req: IncomingMessage) => void;
}

/** A local Apify API v2 server; see {@link createServer}. */
export interface ActorStorageServer {
  /** The storage folder served. */
  readonly storageDir: string;
  /** The token; known once {@link listen} resolved (at once when given as an option). */
  readonly token: string | undefined;
  /** `http://host:port` once listening. */
  readonly url: string | undefined;
  /** The underlying Node server. */
  readonly httpServer: Server;
  /**
   * Starts listening; resolves with the URL (`http://127.0.0.1:PORT`).
   * @param port @default 0 (any free port)
   * @param host @default '127.0.0.1'
   * @throws StorageError `STORAGE_IO` when the port cannot be bound.
   */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Stops accepting connections and closes idle ones; requests still running get `graceMs` to
   * finish before their connections are cut (a long download would otherwise hold the server open).
   * @param graceMs @default 5000
   */
  close(graceMs?: number): Promise<void>;
}

function formatUrl(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * Creates a server that speaks the storage endpoints of the Apify API v2 over a storage folder, so
 * `apify-client` (and Crawlee or the Apify SDK through it) works against it unchanged.
 *
 * @example
 * const server = createServer({ storageDir: './apify_storage', token: 'secret' });
 * const url = await server.listen(8200);
 * const client = new ApifyClient({ baseUrl: url, token: 'secret' });
 * @throws StorageError `STORAGE_INVALID_OPTION` for a bad username or token.
 */
export function createServer(options: ServerOptions = {}): ActorStorageServer {
  const storageDir = resolveConfig({ storageDir: options.storageDir }).storageDir;
  const username = validateUsername(options.username ?? DEFAULT_USERNAME);
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length < 1)) {
    throw new StorageError('STORAGE_INVALID_OPTION', 'Option "token" must be a non-empty string.');
  }
  const ownClient: FsClient | undefined = options.client ? undefined : createFsClient({ storageDir });
  const client = options.client ?? (ownClient as FsClient);
  let token = options.token;
  let url: string | undefined;
  const listener = createRequestListener({
    client,
    username,
    onError: options.onError,
    // Before listen() resolved the token, nothing is listening; a random value keeps every door shut.
    token: () => token ?? generateToken(),
  });
  const httpServer = createHttpServer({ keepAliveTimeout: 5000 }, listener);

  return {
    storageDir,
    httpServer,
    get token() {
      return token;
    },
    get url() {
      return url;
    },
    async listen(port = 0, host = '127.0.0.1') {
      if (token === undefined) token = (await loadOrCreateToken(storageDir)).token;
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(toStorageError(err, `Listening on ${host}:${port}`));
        httpServer.once('error', onError);
        httpServer.listen(port, host, () => {
          httpServer.off('error', onError);
          resolve();
        });
      });
      url = formatUrl(httpServer.address() as AddressInfo);
      return url;
    },
    async close(graceMs = 5000) {
      if (httpServer.listening) {
        const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        httpServer.closeIdleConnections();
        const cut = setTimeout(() => httpServer.closeAllConnections(), graceMs);
        await closed;
        clearTimeout(cut);
      }
      await ownClient?.teardown();
    },
  };
}

export { DEFAULT_USERNAME } from './auth.js';
export { loadOrCreateToken, TOKEN_FILE } from './token.js';
