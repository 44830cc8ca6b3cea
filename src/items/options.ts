import { StorageError } from '../errors.js';
import { isPlainObject } from './object.js';

/** What the item transforms do, after defaults and shortcuts (`clean`, `simplified`) are applied. */
export interface ItemTransformOptions {
  /** Keep only these fields, in this order. */
  fields?: string[];
  /** Positional renames of `fields` (same length). */
  outputFields?: string[];
  omit?: string[];
  unwind?: string[];
  flatten?: string[];
  skipHidden: boolean;
  skipEmpty: boolean;
  skipFailedPages: boolean;
}

/** Dataset list options, checked and normalised once at the door; the engine trusts them. */
export interface ItemListOptions extends ItemTransformOptions {
  offset: number;
  /** `undefined`: no limit (also what `limit: 0` means, as in the Apify API). */
  limit: number | undefined;
  desc: boolean;
  /** Items read per page while iterating. `undefined`: the engine's default. */
  chunkSize: number | undefined;
}

/** What `limit` reads back as when none was asked for (the Apify API sends the same). */
export const NO_LIMIT = 999_999_999_999;

/** Fields and unwind of `simplified`, the legacy crawler shortcut. */
const SIMPLIFIED_FIELDS = ['url', 'pageFunctionResult', 'errorInfo'];
const SIMPLIFIED_UNWIND = ['pageFunctionResult'];

const BOOLEAN_KEYS = ['desc', 'clean', 'skipEmpty', 'skipHidden', 'skipFailedPages', 'simplified'] as const;
const LIST_KEYS = ['fields', 'outputFields', 'omit', 'unwind', 'flatten'] as const;
const INTEGER_KEYS = ['offset', 'limit', 'chunkSize'] as const;
/** Accepted and ignored: apify-client's `signature`; Crawlee's iterators pass `format: 'json'`. */
const IGNORED_KEYS = ['signature', 'format'] as const;

/** Every option the dataset item list takes. */
export const ITEM_LIST_OPTION_KEYS: readonly string[] = [
  ...INTEGER_KEYS,
  ...BOOLEAN_KEYS,
  ...LIST_KEYS,
  ...IGNORED_KEYS,
];

/** Format options of downloads, passed through to the exporters (which check them). */
export const DOWNLOAD_FORMAT_OPTION_KEYS: readonly string[] = [
  'bom',
  'delimiter',
  'skipHeaderRow',
  'xmlRoot',
  'xmlRow',
  'feedTitle',
  'feedDescription',
  'feedLink',
  'escapeFormulas',
  'onProgress',
  'tempDir',
  'attachment',
];

function invalid(option: string, message: string): StorageError {
  return new StorageError('STORAGE_INVALID_OPTION', `Option "${option}" ${message}`, { details: { option } });
}

function readBoolean(raw: Record<string, unknown>, key: string): boolean | undefined {
  const value = raw[key];
  if (value === undefined || typeof value === 'boolean') return value;
  throw invalid(key, 'must be true or false.');
}

function readInteger(raw: Record<string, unknown>, key: string, min: number): number | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalid(key, `must be an integer of at least ${min}.`);
  }
  return value;
}

/** A list option: an array of field names or one comma-separated string; empty entries dropped. */
function readList(raw: Record<string, unknown>, key: string): string[] | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  const parts = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(parts) || parts.some((part) => typeof part !== 'string')) {
    throw invalid(key, 'must be an array of field names or a comma-separated string.');
  }
  const names = (parts as string[]).map((part) => part.trim()).filter((part) => part !== '');
  return names.length === 0 ? undefined : names;
}

function checkKeys(raw: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(raw)) {
    if (raw[key] === undefined) continue;
    if (key === 'view')
      throw invalid(key, 'is not supported: dataset views exist only on the Apify platform.');
    if (!allowed.includes(key)) throw invalid(key, 'is unknown.');
  }
  if (raw.format !== undefined && raw.format !== 'json') {
    throw invalid('format', 'must be "json" here; use downloadItems() or an exporter for other formats.');
  }
}

function applySimplified(fields: string[] | undefined, unwind: string[] | undefined) {
  if (fields || unwind) {
    throw invalid('simplified', 'sets "fields" and "unwind" itself; do not pass them with it.');
  }
  return { fields: [...SIMPLIFIED_FIELDS], unwind: [...SIMPLIFIED_UNWIND] };
}

function readTransforms(raw: Record<string, unknown>): ItemTransformOptions {
  let fields = readList(raw, 'fields');
  let unwind = readList(raw, 'unwind');
  const outputFields = readList(raw, 'outputFields');
  if (readBoolean(raw, 'simplified')) ({ fields, unwind } = applySimplified(fields, unwind));
  if (outputFields && (!fields || fields.length !== outputFields.length)) {
    throw invalid('outputFields', 'renames "fields" by position: give as many names as "fields" has.');
  }
  const clean = readBoolean(raw, 'clean') ?? false;
  const out: ItemTransformOptions = {
    skipHidden: clean || (readBoolean(raw, 'skipHidden') ?? false),
    skipEmpty: clean || (readBoolean(raw, 'skipEmpty') ?? false),
    skipFailedPages: readBoolean(raw, 'skipFailedPages') ?? false,
  };
  const omit = readList(raw, 'omit');
  const flatten = readList(raw, 'flatten');
  if (fields) out.fields = fields;
  if (outputFields) out.outputFields = outputFields;
  if (omit) out.omit = omit;
  if (unwind) out.unwind = unwind;
  if (flatten) out.flatten = flatten;
  return out;
}

/**
 * Checks and normalises the options of a dataset item list (Apify API v2 §3.1): offset, limit,
 * desc, fields, outputFields, omit, unwind, flatten, clean, skipEmpty, skipHidden,
 * skipFailedPages, simplified, and `chunkSize` (page size while iterating). Lists may be arrays
 * or comma-separated strings. Keys whose value is `undefined` are ignored.
 *
 * @param extraKeys further keys to accept without checking (the format options of a download).
 * @throws StorageError `STORAGE_INVALID_OPTION` for an unknown option or a value of the wrong type.
 */
export function normalizeItemListOptions(
  raw: unknown = {},
  extraKeys: readonly string[] = [],
): ItemListOptions {
  if (!isPlainObject(raw)) throw invalid('options', 'must be an object.');
  checkKeys(raw, extraKeys.length === 0 ? ITEM_LIST_OPTION_KEYS : [...ITEM_LIST_OPTION_KEYS, ...extraKeys]);
  const limit = readInteger(raw, 'limit', 0);
  return {
    offset: readInteger(raw, 'offset', 0) ?? 0,
    limit: limit === 0 ? undefined : limit,
    desc: readBoolean(raw, 'desc') ?? false,
    chunkSize: readInteger(raw, 'chunkSize', 1),
    ...readTransforms(raw),
  };
}

/**
 * Splits download options into the item list options (checked) and the format options (passed
 * on to the exporters, which check them).
 * @throws StorageError `STORAGE_INVALID_OPTION`
 */
export function splitDownloadOptions(raw: unknown = {}): {
  list: ItemListOptions;
  format: Record<string, unknown>;
} {
  const list = normalizeItemListOptions(raw, DOWNLOAD_FORMAT_OPTION_KEYS);
  const format: Record<string, unknown> = {};
  for (const key of DOWNLOAD_FORMAT_OPTION_KEYS) {
    const value = (raw as Record<string, unknown>)[key];
    if (value !== undefined) format[key] = value;
  }
  return { list, format };
}
