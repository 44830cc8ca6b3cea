import type { DatasetInfo } from '../../client/types.js';
import type { StoreMetadata } from '../stores.js';

/** Counters of a dataset kept in its `__metadata__.json`. */
export interface DatasetStats {
  readCount: number;
  writeCount: number;
  storageBytes: number;
}

/** `__metadata__.json` of a dataset: the fields @crawlee/memory-storage writes, plus counters. */
export interface DatasetMetadata extends StoreMetadata {
  itemCount: number;
  /** Items that are non-empty once their hidden (`#`) fields are dropped. */
  cleanItemCount: number;
  /** Top-level field names seen, in the order first seen (at most {@link MAX_TRACKED_FIELDS}). */
  fields: string[];
  stats: DatasetStats;
}

/** Field names tracked in `fields`; past this many, new names are not recorded (2000 = the export column limit). */
export const MAX_TRACKED_FIELDS = 2000;

/** What a new dataset's metadata starts with (besides id, name and timestamps). */
export function initialDatasetFields(): Pick<
  DatasetMetadata,
  'itemCount' | 'cleanItemCount' | 'fields' | 'stats'
> {
  return {
    itemCount: 0,
    cleanItemCount: 0,
    fields: [],
    stats: { readCount: 0, writeCount: 0, storageBytes: 0 },
  };
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * True when the metadata carries every counter this engine keeps. Metadata written by
 * @crawlee/memory-storage has `itemCount` only; the rest is then rebuilt from the files once.
 */
export function isCompleteMetadata(meta: StoreMetadata): meta is DatasetMetadata {
  return (
    isCount(meta.itemCount) &&
    isCount(meta.cleanItemCount) &&
    Array.isArray(meta.fields) &&
    meta.fields.every((f) => typeof f === 'string')
  );
}

/** The stats object of metadata, with zeros for what is missing or malformed. */
export function readStats(meta: StoreMetadata): DatasetStats {
  const raw = (meta.stats ?? {}) as Record<string, unknown>;
  return {
    readCount: isCount(raw.readCount) ? raw.readCount : 0,
    writeCount: isCount(raw.writeCount) ? raw.writeCount : 0,
    storageBytes: isCount(raw.storageBytes) ? raw.storageBytes : 0,
  };
}

/** Adds names to a field list (order of first appearance kept, capped). Returns the same array when nothing is new. */
export function mergeFields(current: string[], names: Iterable<string>): string[] {
  let out = current;
  let seen: Set<string> | undefined;
  for (const name of names) {
    if (out.length >= MAX_TRACKED_FIELDS) break;
    seen ??= new Set(current);
    if (seen.has(name)) continue;
    if (out === current) out = [...current];
    out.push(name);
    seen.add(name);
  }
  return out;
}

function toDate(value: unknown, fallback: Date): Date {
  const date = typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : fallback;
}

/** What this process knows beyond the metadata file: reads not yet written to it. */
export interface LiveCounters {
  accessedAt: Date | undefined;
  pendingReads: number;
}

/** The later of two dates (the second may be missing). */
export function laterDate(a: Date, b: Date | undefined): Date {
  return b && b.getTime() > a.getTime() ? b : a;
}

/** The dataset info of the client interface: dates as `Date`, `name` missing when unnamed. */
export function toDatasetInfo(meta: DatasetMetadata, live: LiveCounters): DatasetInfo {
  const createdAt = toDate(meta.createdAt, new Date(0));
  const modifiedAt = toDate(meta.modifiedAt, createdAt);
  const stats = readStats(meta);
  const info: DatasetInfo = {
    id: meta.id,
    createdAt,
    modifiedAt,
    accessedAt: laterDate(toDate(meta.accessedAt, modifiedAt), live.accessedAt),
    itemCount: meta.itemCount,
    cleanItemCount: meta.cleanItemCount,
    fields: meta.fields.length > 0 ? [...meta.fields] : null,
    stats: { ...stats, readCount: stats.readCount + live.pendingReads },
  };
  if (typeof meta.name === 'string' && meta.name !== '') info.name = meta.name;
  if (typeof meta.userId === 'string') info.userId = meta.userId;
  return info;
}
