import type { FsContext } from './context.js';

/** Empties the default dataset and queue and the default key-value store except `INPUT*`. */
export async function purgeDefaultStorages(_ctx: Pick<FsContext, 'config'>): Promise<void> {
  throw new Error('not implemented yet');
}
