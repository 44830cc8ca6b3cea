import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseIdleLocks } from '../../src/fs/locks.js';

/**
 * A fresh temp folder; `cleanup()` removes it, once this process has let go of the store locks it
 * still holds after its last writes (and written what it put off until then, such as a dataset's
 * metadata), so that nothing is written into the folder while it is being removed.
 */
export async function tempDir(
  prefix = 'actor-storage-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const cleanup = async () => {
    await releaseIdleLocks().catch(() => undefined); // a store deleted by the test has nothing to write
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  return { dir, cleanup };
}
