import type { ExportFormat } from '../client/types.js';
import { StorageError } from '../errors.js';

/** Every export format, in the order the Apify API lists them. */
export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'jsonl', 'csv', 'html', 'xlsx', 'xml', 'rss'];

/**
 * The `Content-Type` of each format, as the Apify API sends it: text formats are UTF-8 and say so.
 *
 * @example
 * res.setHeader('content-type', EXPORT_CONTENT_TYPES[format]);
 */
export const EXPORT_CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  json: 'application/json; charset=utf-8',
  jsonl: 'application/jsonl; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xml: 'application/xml; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
};

/** The file extension of each format, without the dot (`items.${EXPORT_FILE_EXTENSIONS.csv}`). */
export const EXPORT_FILE_EXTENSIONS: Readonly<Record<ExportFormat, string>> = {
  json: 'json',
  jsonl: 'jsonl',
  csv: 'csv',
  html: 'html',
  xlsx: 'xlsx',
  xml: 'xml',
  rss: 'rss',
};

/** True when `value` names a supported export format. */
export function isExportFormat(value: unknown): value is ExportFormat {
  return typeof value === 'string' && (EXPORT_FORMATS as readonly string[]).includes(value);
}

/**
 * Checks a format name that came from outside (a query string, a CLI flag).
 * @throws StorageError `STORAGE_UNSUPPORTED_FORMAT`
 */
export function validateFormat(value: unknown): ExportFormat {
  if (isExportFormat(value)) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
  throw new StorageError(
    'STORAGE_UNSUPPORTED_FORMAT',
    `Unsupported export format ${shown}: use one of ${EXPORT_FORMATS.join(', ')}.`,
    { details: { format: value } },
  );
}
