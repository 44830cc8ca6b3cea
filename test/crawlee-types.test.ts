import type { StorageClient as CrawleeStorageClient } from '@crawlee/types';
import { describe, expect, it } from 'vitest';
import { createFsClient } from '../src/index.js';

describe('client interface', () => {
  it('satisfies the StorageClient type of @crawlee/types 3.x (checked by the compiler)', () => {
    const client: CrawleeStorageClient = createFsClient({ storageDir: '/tmp/actor-storage-type-test' });
    expect(typeof client.dataset).toBe('function');
    expect(typeof client.requestQueue).toBe('function');
  });
});
