/** Text formatting shared by the commands: sizes, dates, counts and tables. */
import type { StorageCounts, StorageSummary, StorageType } from '../../storages/storage-summary.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `1536` → `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** A date as `2025-01-31 14:05` (UTC), or `-`. */
export function formatDate(date: Date | undefined): string {
  if (!date || Number.isNaN(date.getTime())) return '-';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

/** Short names of the types, for tables. */
export const TYPE_SHORT: Readonly<Record<StorageType, string>> = {
  dataset: 'dataset',
  keyValueStore: 'kvs',
  requestQueue: 'queue',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `120 items`, `3 records`, `10 requests (4 handled)`. */
export function formatCounts(counts: StorageCounts): string {
  if ('items' in counts) return plural(counts.items, 'item');
  if ('records' in counts) return plural(counts.records, 'record');
  return `${plural(counts.total, 'request')} (${counts.handled} handled)`;
}

/** Lays rows out in columns: the first row is the header; columns are separated by two spaces. */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A storage summary as JSON output shows it (dates as ISO strings, `name` null when unnamed). */
export function summaryJson(summary: StorageSummary): Record<string, unknown> {
  return {
    type: summary.type,
    id: summary.id,
    name: summary.name ?? null,
    counts: summary.counts,
    bytes: summary.bytes,
    createdAt: summary.createdAt.toISOString(),
    modifiedAt: summary.modifiedAt.toISOString(),
    accessedAt: summary.accessedAt.toISOString(),
    expiresAt: summary.expiresAt?.toISOString() ?? null,
    dir: summary.dir,
  };
}
