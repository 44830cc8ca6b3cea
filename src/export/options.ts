import type { ExportFormat } from '../client/types.js';
import { StorageError } from '../errors.js';
import { isXmlName } from './xml-text.js';

/**
 * Format options of the exporters, as the Apify API takes them (§3.1 of the API reference).
 * Item options (fields, omit, unwind, flatten, clean …) are applied before items reach the
 * exporters; keys the exporters do not know are ignored, so a whole download-options object may be
 * passed.
 */
export interface ExportOptions {
  /** UTF-8 byte order mark at the start (ignored for xlsx). @default true for csv, false otherwise */
  bom?: boolean;
  /** CSV delimiter: one character, neither `"` nor a line break (`;`, `\t`, `|` …). @default ',' */
  delimiter?: string;
  /** CSV without its header row. @default false */
  skipHeaderRow?: boolean;
  /** Root element of `xml`. Must be a valid XML name. @default 'items' */
  xmlRoot?: string;
  /** Element wrapping each item in `xml`. Must be a valid XML name. @default 'item' */
  xmlRow?: string;
  /** `<title>` of the RSS channel; also the `<title>` of the html page. @default 'Dataset items' */
  feedTitle?: string;
  /** `<description>` of the RSS channel. @default 'Items exported by actor-storage' */
  feedDescription?: string;
  /**
   * `<link>` of the RSS channel (RSS 2.0 requires one; the Apify API has no such parameter).
   * @default 'about:blank'
   */
  feedLink?: string;
  /**
   * Neutralise spreadsheet formulas in csv and xlsx: a text cell starting with `=`, `+`, `-`, `@`,
   * tab or CR (or their full-width forms) gets a leading `'`, as OWASP advises. Numbers are never
   * changed. Turn off only when no person will open the file in a spreadsheet.
   * @default true
   */
  escapeFormulas?: boolean;
  /**
   * Called with the number of items written so far, every 1000 items and once at the end with the
   * total. For progress bars. csv and html count an item once its row is laid out in the export's
   * temp file (the long part: reading the items), before the first byte of output.
   */
  onProgress?: (itemsWritten: number) => void;
  /**
   * Folder for the temp file of a tabular export (csv, html, xlsx): the items are read once and
   * their rows wait there, about the size of the output, until the columns are known. Removed when
   * the export ends, fails or is cancelled. Point it at a disk with room when the system's temp
   * folder is small or in memory (tmpfs). @default os.tmpdir()
   */
  tempDir?: string;
}

/** Options with defaults applied, as the format writers receive them. */
export interface ResolvedExportOptions {
  bom: boolean;
  delimiter: string;
  skipHeaderRow: boolean;
  xmlRoot: string;
  xmlRow: string;
  feedTitle: string;
  feedDescription: string;
  feedLink: string;
  escapeFormulas: boolean;
  onProgress: ((itemsWritten: number) => void) | undefined;
  tempDir: string | undefined;
}

function invalid(option: string, expected: string, value: unknown): StorageError {
  return new StorageError('STORAGE_INVALID_OPTION', `Export option "${option}" must be ${expected}.`, {
    details: { option, value },
  });
}

function optionalBoolean(options: Record<string, unknown>, key: string): boolean | undefined {
  const value = options[key];
  if (value === undefined || typeof value === 'boolean') return value;
  throw invalid(key, 'a boolean', value);
}

function optionalString(options: Record<string, unknown>, key: string): string | undefined {
  const value = options[key];
  if (value === undefined || typeof value === 'string') return value;
  throw invalid(key, 'a string', value);
}

function nonEmptyString(options: Record<string, unknown>, key: string): string | undefined {
  const value = optionalString(options, key);
  if (value === '') throw invalid(key, 'a non-empty string', value);
  return value;
}

function xmlNameOption(options: Record<string, unknown>, key: string, fallback: string): string {
  const value = optionalString(options, key) ?? fallback;
  if (!isXmlName(value)) throw invalid(key, 'a valid XML element name (such as "items")', value);
  return value;
}

function delimiterOption(options: Record<string, unknown>): string {
  const value = optionalString(options, 'delimiter') ?? ',';
  if ([...value].length !== 1 || /["\r\n]/.test(value)) {
    throw invalid('delimiter', 'one character other than `"` and line breaks (such as ";" or "\\t")', value);
  }
  return value;
}

/**
 * Checks the export options and applies the defaults of `format`.
 * @throws StorageError `STORAGE_INVALID_OPTION` when an option has the wrong type or value.
 */
export function resolveExportOptions(format: ExportFormat, options: unknown = {}): ResolvedExportOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid('options', 'an object', options);
  }
  const o = options as Record<string, unknown>;
  const onProgress = o.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw invalid('onProgress', 'a function', onProgress);
  }
  return {
    bom: optionalBoolean(o, 'bom') ?? format === 'csv',
    delimiter: delimiterOption(o),
    skipHeaderRow: optionalBoolean(o, 'skipHeaderRow') ?? false,
    xmlRoot: xmlNameOption(o, 'xmlRoot', 'items'),
    xmlRow: xmlNameOption(o, 'xmlRow', 'item'),
    feedTitle: optionalString(o, 'feedTitle') ?? 'Dataset items',
    feedDescription: optionalString(o, 'feedDescription') ?? 'Items exported by actor-storage',
    feedLink: optionalString(o, 'feedLink') ?? 'about:blank',
    escapeFormulas: optionalBoolean(o, 'escapeFormulas') ?? true,
    onProgress: onProgress as ((itemsWritten: number) => void) | undefined,
    tempDir: nonEmptyString(o, 'tempDir'),
  };
}
