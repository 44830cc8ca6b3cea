/**
 * The conformance suite registers each behaviour once and runs it against every client that
 * implements the client interface. Add a backend by adding a factory here.
 */
import type { StorageClient } from '../../src/client/types.js';
import { createFsClient } from '../../src/index.js';
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
