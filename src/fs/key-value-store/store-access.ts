import { stat } from 'node:fs/promises';
import { isErrno, isStorageError, toStorageError } from '../../errors.js';
import type { FsContext } from '../context.js';
import { validateIdOrName } from '../layout.js';
import { findStore, getStore, type StoreLocation } from '../stores.js';
import { KVS_KIND, type StoreHandle, storeHandle } from './store-handle.js';

/** Thrown errors that mean "the folder this client located is gone or holds another store". */
async function isStoreGone(err: unknown, location: StoreLocation): Promise<boolean> {
  if (isStorageError(err, 'STORAGE_NOT_FOUND')) return err.details?.moved === true;
  if (!isErrno(err, 'ENOENT') && !isErrno(err, 'ENOTDIR')) return false;
  try {
    return !(await stat(location.dir)).isDirectory();
  } catch {
    return true; // the folder itself is missing
  }
}

/**
 * How one client reaches its store: located once by id or name and remembered, located again
 * when its folder moved or was replaced.
 */
export class StoreAccess {
  /** The store as last located; `undefined` before the first call or after it was deleted. */
  location: StoreLocation | undefined;

  constructor(
    readonly ctx: FsContext,
    readonly idOrName: string,
  ) {}

  get storageDir(): string {
    return this.ctx.config.storageDir;
  }

  /** Finds the store now; `undefined` when it does not exist. */
  async find(): Promise<StoreLocation | undefined> {
    validateIdOrName(this.idOrName);
    await this.ctx.ready;
    this.location = await findStore(this.storageDir, KVS_KIND, this.idOrName);
    return this.location;
  }

  /** The handle of a located store. */
  handle(location: StoreLocation): StoreHandle {
    return storeHandle(this.storageDir, location, this.ctx.config.fsync);
  }

  /**
   * Runs `op` on the store; locates it again once when its folder moved or was replaced.
   * @throws StorageError `STORAGE_NOT_FOUND` when the store does not exist; errors of `op`, wrapped.
   */
  async run<T>(what: string, op: (h: StoreHandle) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const location = await this.locate();
      try {
        return await op(this.handle(location));
      } catch (err) {
        if (attempt === 1 && (await isStoreGone(err, location))) {
          this.location = undefined;
          continue;
        }
        throw toStorageError(err, what);
      }
    }
  }

  private async locate(): Promise<StoreLocation> {
    validateIdOrName(this.idOrName);
    await this.ctx.ready;
    this.location ??= await getStore(this.storageDir, KVS_KIND, this.idOrName);
    return this.location;
  }
}
