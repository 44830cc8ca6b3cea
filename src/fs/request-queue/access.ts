/**
 * How one client object reaches its queue: finds the folder by id or name, shares the process's
 * engine for it, follows the folder when another process renames it, notes its client key for
 * `hadMultipleClients`, and frees what the same client key locked in a process that is gone (and
 * what any process of this host that has died had locked).
 */
import { isStorageError, StorageError, toStorageError } from '../../errors.js';
import type { FsContext } from '../context.js';
import { getStore, type StoreLocation } from '../stores.js';
import type { QueueEngine, Transaction } from './engine.js';
import type { QueueIndex } from './queue-index.js';
import { engineFor } from './registry.js';
import { hasLocksFromOtherProcess, planReleaseOtherProcessLocks } from './request-locks.js';

export class QueueAccess {
  private location: StoreLocation | undefined;
  private started = false;
  private noted = false;

  constructor(
    readonly ctx: FsContext,
    readonly idOrName: string,
    readonly clientKey: string,
  ) {}

  /** The queue's folder and engine; finds them on first use. */
  async resolve(): Promise<{ location: StoreLocation; engine: QueueEngine }> {
    await this.ctx.ready;
    if (!this.location) {
      this.location = await getStore(this.ctx.config.storageDir, 'request_queues', this.idOrName);
    }
    return { location: this.location, engine: engineFor(this.ctx, this.location) };
  }

  /** Forgets where the queue was (after a delete, or a rename by another process). */
  forget(): void {
    this.location = undefined;
  }

  /** Records where the queue is now (after a rename by this client). */
  moved(location: StoreLocation): void {
    this.location = location;
  }

  /**
   * Runs `task` against the queue. When the folder vanished under it (renamed or deleted by
   * another process), finds the queue again by id and retries once. Errors come out coded.
   */
  async run<T>(task: (engine: QueueEngine, location: StoreLocation) => Promise<T>): Promise<T> {
    let engine: QueueEngine | undefined;
    try {
      const resolved = await this.resolve();
      engine = resolved.engine;
      return await this.attempt(task);
    } catch (err) {
      if (!engine || !this.location || isStorageError(err) || !engine.isGoneError(err)) {
        throw toStorageError(err, 'Request queue operation');
      }
      const { id } = this.location;
      engine.invalidate();
      this.forget();
      this.location = await getStore(this.ctx.config.storageDir, 'request_queues', id);
      try {
        return await this.attempt(task);
      } catch (again) {
        throw toStorageError(again, 'Request queue operation');
      }
    }
  }

  private async attempt<T>(task: (engine: QueueEngine, location: StoreLocation) => Promise<T>): Promise<T> {
    const { engine, location } = await this.resolve();
    if (!this.started) {
      const stale = await engine.read((index) => hasLocksFromOtherProcess({ index }, this.clientKey));
      if (stale) await engine.write((tx) => planReleaseOtherProcessLocks(tx, this.clientKey));
      this.started = true;
    }
    return task(engine, location);
  }

  /** Reads the up-to-date index. */
  read<T>(
    fn: (index: QueueIndex, engine: QueueEngine, location: StoreLocation) => T | Promise<T>,
  ): Promise<T> {
    return this.run((engine, location) => engine.read((index) => fn(index, engine, location)));
  }

  /** Runs a change; the client key is noted with the first change of this client. */
  change<T>(plan: (tx: Transaction, engine: QueueEngine) => T | Promise<T>): Promise<T> {
    return this.run(async (engine) => {
      const result = await engine.write(async (tx) => {
        const planned = await plan(tx, engine);
        // After the plan, so that a refused change (a foreign lock …) leaves the index untouched.
        this.noteClient(tx);
        return planned;
      });
      this.noted = true;
      return result;
    });
  }

  private noteClient(tx: Transaction): void {
    if (this.noted) return;
    const { index } = tx;
    if (
      index.firstClientKey === undefined ||
      (!index.hadMultipleClients && index.firstClientKey !== this.clientKey)
    ) {
      tx.apply({ op: 'client', clientKey: this.clientKey });
    }
  }
}

/** `STORAGE_NOT_FOUND` becomes `undefined`; other errors pass. */
export async function orUndefined<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof StorageError && err.code === 'STORAGE_NOT_FOUND') return undefined;
    throw err;
  }
}
