/** The example actor's INPUT, read from the default key-value store (json5: comments allowed). */
import { KeyValueStore } from '../../src/index.js';

export interface ActorInput {
  /** Path of the first page on the shop. */
  startPath: string;
  /** Continue the crawl left in the storage dir (true) or purge the default storages first (false). */
  resume: boolean;
  /** Stop after this many handled pages; 0 = no limit. */
  maxPages: number;
  /** Key of the page snapshot saved in the default key-value store. */
  snapshotKey: string;
  /** CSV export of the dataset, relative to the storage dir. */
  exportCsv: string;
  /** Pages fetched at once. */
  concurrency: number;
  /** Attempts per page before it is given up. */
  maxRetries: number;
}

const DEFAULTS: ActorInput = {
  startPath: '/',
  resume: false,
  maxPages: 0,
  snapshotKey: 'snapshot-home',
  exportCsv: 'exports/products.csv',
  concurrency: 4,
  maxRetries: 3,
};

/** Reads INPUT and fills in the defaults; refuses fields of the wrong type. */
export async function readInput(storageDir: string): Promise<ActorInput> {
  const raw = (await KeyValueStore.getInput({ storageDir })) ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error('INPUT must be a JSON object (see apify_storage/key_value_stores/default/INPUT.json).');
  }
  const input: Record<string, unknown> = { ...DEFAULTS, ...(raw as Record<string, unknown>) };
  for (const [key, fallback] of Object.entries(DEFAULTS)) {
    if (typeof input[key] !== typeof fallback) {
      throw new Error(`INPUT.${key} must be a ${typeof fallback}, got ${JSON.stringify(input[key])}.`);
    }
  }
  return input as unknown as ActorInput;
}
