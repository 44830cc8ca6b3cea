/**
 * The conformance suite registers each behaviour once and runs it against every client that
 * implements the client interface. Add a backend by adding a factory here.
 */

import { ApifyClient } from 'apify-client';
import type { StorageClient } from '../../src/client/types.js';
import { type ActorStorageServer, createFsClient, createServer } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';

export interface ClientUnderTest {
  client: StorageClient;
  /** The storage folder behind the client, for assertions on disk. */
  storageDir: string;
  close(): Promise<void>;
}

export interface ClientFactory {
  name: string;
  create(): Promise<ClientUnderTest>;
}

export const fsFactory: ClientFactory = {
  name: 'fs engine',
  async create() {
    const { dir, cleanup } = await tempDir();
    const client = createFsClient({ storageDir: dir });
    return { client, storageDir: dir, close: cleanup };
  },
};

/** Every client the conformance suite runs against. */
export const factories: ClientFactory[] = [fsFactory];

// ---------------------------------------------------------------------------------------------
// HTTP round trip: apify-client → actor-storage server → fs engine.

/** A server started for a test, with a real apify-client pointed at it. */
export interface TestServer {
  url: string;
  token: string;
  storageDir: string;
  server: ActorStorageServer;
  /** A real `ApifyClient` with the token, no retries. */
  client: ApifyClient;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 (any free port) over a fresh temp folder. */
export async function startTestServer(
  options: { token?: string; username?: string } = {},
): Promise<TestServer> {
  const { dir, cleanup } = await tempDir('actor-storage-http-');
  const token = options.token ?? 'test-token-0123456789abcdef';
  const server = createServer({ storageDir: dir, token, username: options.username });
  const url = await server.listen(0, '127.0.0.1');
  const client = new ApifyClient({ baseUrl: url, token, maxRetries: 0 });
  return {
    url,
    token,
    storageDir: dir,
    server,
    client,
    close: async () => {
      await server.close();
      await cleanup();
    },
  };
}

export const httpFactory: ClientFactory = {
  name: 'apify-client → server → fs engine',
  async create() {
    const started = await startTestServer();
    return { client: started.client, storageDir: started.storageDir, close: started.close };
  },
};

factories.push(httpFactory);
