import type { FsContext } from '../context.js';
import { storeLock } from '../locks.js';
import type { StoreLocation } from '../stores.js';
import { QueueEngine } from './engine.js';
import { QueueFiles } from './queue-files.js';

/** One engine per queue and storage folder in this process: every client of the queue shares its index. */
const engines = new Map<string, QueueEngine>();

function keyOf(storageDir: string, id: string): string {
  return `${storageDir}\0${id}`;
}

/** The engine of the queue at `location`, created on first use; follows the folder when it moved. */
export function engineFor(ctx: FsContext, location: StoreLocation): QueueEngine {
  const { storageDir, fsync } = ctx.config;
  const key = keyOf(storageDir, location.id);
  let engine = engines.get(key);
  if (!engine) {
    const files = new QueueFiles(location.dir, location.metadata, fsync);
    engine = new QueueEngine(files, storeLock(storageDir, 'request_queues', location.id, location.dir));
    engines.set(key, engine);
  } else if (engine.files.dir !== location.dir) {
    engine.files.dir = location.dir;
    engine.files.fallbackMetadata = location.metadata;
    engine.invalidate();
  }
  return engine;
}

/** Drops the engine of a deleted queue. */
export function forgetEngine(storageDir: string, id: string): void {
  engines.get(keyOf(storageDir, id))?.invalidate();
  engines.delete(keyOf(storageDir, id));
}

/** The engine of a queue if this process has one (no engine is created). */
export function existingEngine(storageDir: string, id: string): QueueEngine | undefined {
  return engines.get(keyOf(storageDir, id));
}
