import { resolve } from 'node:path';
import { StorageError } from './errors.js';

/** Options accepted by {@link createFsClient} and the `open()` methods of the storage classes. */
export interface StorageOptions {
  /**
   * Folder that holds `datasets/`, `key_value_stores/` and `request_queues/`.
   * @default env APIFY_LOCAL_STORAGE_DIR, then CRAWLEE_STORAGE_DIR, then `./apify_storage`
   */
  storageDir?: string;
  /**
   * Empty the default dataset, the default request queue and the default key-value store
   * (except `INPUT*`) when the client is created. Named storages are never touched.
   * @default env CRAWLEE_PURGE_ON_START or APIFY_PURGE_ON_START, else `false`
   */
  purgeOnStart?: boolean;
  /**
   * `fsync` every file and its folder before a write is acknowledged, so that acknowledged writes
   * survive a power loss, not only a process crash. Costs several times the write throughput.
   * @default false
   */
  fsync?: boolean;
}

/** Options after defaults and environment are applied; resolved once per client. */
export interface ResolvedConfig {
  storageDir: string;
  purgeOnStart: boolean;
  fsync: boolean;
}

const KNOWN_OPTIONS = new Set(['storageDir', 'purgeOnStart', 'fsync']);

/** Reads a boolean environment variable the way Crawlee does (`1`, `true` on; `0`, `false`, empty off). */
export function envFlag(name: string, env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  return !['0', 'false', 'no', 'off'].includes(raw.trim().toLowerCase());
}

/**
 * Applies defaults and the environment to storage options.
 * @throws StorageError `STORAGE_INVALID_OPTION` for an unknown option or a value of the wrong type.
 */
export function resolveConfig(
  options: StorageOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConfig {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key) && (options as Record<string, unknown>)[key] !== undefined) {
      throw new StorageError('STORAGE_INVALID_OPTION', `Unknown storage option "${key}".`, {
        details: { option: key },
      });
    }
  }
  if (
    options.storageDir !== undefined &&
    (typeof options.storageDir !== 'string' || options.storageDir === '')
  ) {
    throw new StorageError('STORAGE_INVALID_OPTION', 'Option "storageDir" must be a non-empty string.');
  }
  const dir =
    options.storageDir ?? env.APIFY_LOCAL_STORAGE_DIR ?? env.CRAWLEE_STORAGE_DIR ?? './apify_storage';
  return {
    storageDir: resolve(dir),
    purgeOnStart:
      options.purgeOnStart ??
      envFlag('CRAWLEE_PURGE_ON_START', env) ??
      envFlag('APIFY_PURGE_ON_START', env) ??
      false,
    fsync: options.fsync ?? false,
  };
}
