import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno } from '../../errors.js';
import { METADATA_FILE } from '../layout.js';
import type { StoreLocation } from '../stores.js';
import { forgetRecordIndex } from './record-index.js';
import { storeHandle } from './store-handle.js';

/**
 * Removes every record of a store, under its lock, except the files `keep` accepts (by file name:
 * value files, sidecars, and anything else in the folder such as `__corrupt__/`). The store itself
 * (its folder and `__metadata__.json`) stays. Returns how many entries were removed.
 */
export async function emptyKeyValueStore(
  storageDir: string,
  location: StoreLocation,
  keep: (fileName: string) => boolean,
): Promise<number> {
  const h = storeHandle(storageDir, location, false);
  try {
    return await h.lock.run(async () => {
      let names: string[];
      try {
        names = await readdir(location.dir);
      } catch (err) {
        if (isErrno(err, 'ENOENT')) return 0; // deleted meanwhile: nothing to empty
        throw err;
      }
      const doomed = names.filter((name) => name !== METADATA_FILE && !keep(name));
      await Promise.all(doomed.map((name) => rm(join(location.dir, name), { recursive: true, force: true })));
      return doomed.length;
    });
  } finally {
    forgetRecordIndex(storageDir, location.id);
  }
}
