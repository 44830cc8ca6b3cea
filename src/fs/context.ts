import type { ResolvedConfig } from '../config.js';

/** What every engine module receives: the resolved configuration, checked once at the door. */
export interface FsContext {
  readonly config: ResolvedConfig;
  /**
   * Settles when start-up work (purge on start) is done; every operation awaits it first.
   * Always resolved when purging is off.
   */
  readonly ready: Promise<void>;
}
