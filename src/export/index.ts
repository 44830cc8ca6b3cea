/**
 * Dataset export: items in, a byte stream out, in the formats of the Apify API
 * (`GET /v2/datasets/{id}/items?format=…`). One file per format; this file holds the contract.
 *
 * Decisions, for users and for the README:
 * - **json** is the API's layout: `[{` … `},\n{` … `}]`, each item `JSON.stringify(item, null, 2)`
 *   (the platform's documented output); `[]` when empty. **jsonl**: one compact object per line.
 * - **Tabular formats** (csv, xlsx, html) flatten nested values into columns named by their path
 *   joined with `/` (`address/city`, `tags/0`, `visits/1/ms`). Column order is first appearance
 *   across items, a nested column staying next to its siblings. Empty objects and arrays give no
 *   column. At most 2000 columns and 200 characters per column name, as on the platform; past
 *   either, the stream fails with `STORAGE_INVALID_VALUE` before its first byte (nothing is
 *   truncated silently). The source is read once: each item's row goes to a temp file (in
 *   `tempDir`, default the system's temp folder; about the size of the output) while the columns
 *   are found, then the header and the rows are written in the final column order, the rows that
 *   need no change copied as bytes. The temp file is removed when the export ends, fails or is
 *   cancelled.
 * - **Formula injection**: in csv and xlsx, a text cell (and a column name) starting with `=`, `+`,
 *   `-`, `@`, tab or CR, or a full-width `＝＋－＠`, gets a leading `'` (OWASP "CSV Injection").
 *   Numbers are never touched (-5 stays -5); `escapeFormulas: false` turns it off.
 * - **csv**: RFC 4180 quoting (delimiter, `"`, CR, LF), `\n` line ends, a one-character delimiter,
 *   BOM on by default. **xlsx**: exceljs' streaming writer; text over 32,767 characters (Excel's
 *   cell limit) is cut; past 1,048,576 rows the items go on to sheet "Items 2".
 * - **xml / rss** follow the platform's conventions: properties become elements, arrays repeat
 *   the element, null is `<name/>`, a `@` object gives attributes and a `#` scalar the text.
 *   Property names are made valid XML names (`#debug` → `_debug`, `2024` → `_2024`); characters
 *   XML cannot carry become U+FFFD; CR is kept as `&#13;`. RSS 2.0 with channel title, link
 *   (`feedLink`, our addition; default `about:blank`) and description. **html**: one standalone
 *   page with an escaped table.
 * - Streaming: items are pulled only as the output is read, output comes in ~64 KiB chunks, and
 *   destroying the stream stops reading the source, even while a tabular export reads it before
 *   its first byte.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import type { ExportFormat } from '../client/types.js';
import { StorageError, toStorageError } from '../errors.js';
import { writeStreamAtomic } from '../fs/atomic-write.js';
import { csvPieces } from './csv.js';
import { validateFormat } from './formats.js';
import { htmlPieces } from './html.js';
import type { ItemSource } from './items.js';
import { jsonlPieces, jsonPieces } from './json.js';
import { type ExportOptions, type ResolvedExportOptions, resolveExportOptions } from './options.js';
import { rssPieces } from './rss.js';
import { createProgress, onDestroy, type Progress, textReadable } from './text-stream.js';
import { xlsxReadable } from './xlsx.js';
import { xmlPieces } from './xml.js';

export { MAX_COLUMN_NAME, MAX_COLUMNS, PATH_SEPARATOR } from './columns.js';
export {
  EXPORT_CONTENT_TYPES,
  EXPORT_FILE_EXTENSIONS,
  EXPORT_FORMATS,
  isExportFormat,
  validateFormat,
} from './formats.js';
export type { ItemSource } from './items.js';
export { type ExportOptions, resolveExportOptions } from './options.js';
export { XLSX_MAX_CELL_CHARS, XLSX_MAX_ROWS } from './xlsx.js';

type TextPieces = (
  source: ItemSource,
  options: ResolvedExportOptions,
  progress: Progress,
) => AsyncIterable<string | Buffer>;

const TEXT_FORMATS: Readonly<Record<Exclude<ExportFormat, 'xlsx'>, TextPieces>> = {
  json: (source, _options, progress) => jsonPieces(source, progress),
  jsonl: (source, _options, progress) => jsonlPieces(source, progress),
  csv: csvPieces,
  html: htmlPieces,
  xml: xmlPieces,
  rss: rssPieces,
};

/**
 * Streams the items of `source` in `format`, pulling items only as fast as the stream is read.
 * Formats, content types and defaults follow the Apify API (`GET /v2/datasets/{id}/items`):
 * json, jsonl, csv, xlsx, xml, rss, html. Items arrive already transformed (fields, omit, unwind,
 * flatten, clean …); this only serialises them. Every format reads `source` once; tabular formats
 * (csv, xlsx, html) keep the rows in a temp file until the columns are known.
 *
 * Invalid arguments throw at once; problems found in the data (more than 2000 columns, a column
 * name over 200 characters, an item that is not an object) are emitted as the stream's `error`
 * before any byte for tabular formats. Every error is a `StorageError`.
 *
 * @example
 * const stream = exportStream('csv', () => dataset.values(), { delimiter: ';' });
 * stream.pipe(res);
 * @throws StorageError `STORAGE_UNSUPPORTED_FORMAT` for an unknown format,
 *   `STORAGE_INVALID_OPTION` for an option of the wrong type or value.
 */
export function exportStream(
  format: ExportFormat,
  source: ItemSource,
  options: ExportOptions = {},
): Readable {
  const checked = validateFormat(format);
  const resolved = resolveExportOptions(checked, options);
  if (typeof source !== 'function') {
    throw new StorageError(
      'STORAGE_INVALID_OPTION',
      'The item source must be a function that returns an async iterable of items.',
    );
  }
  const progress = createProgress(resolved.onProgress);
  const stream =
    checked === 'xlsx'
      ? xlsxReadable(source, resolved, progress)
      : textReadable(TEXT_FORMATS[checked](source, resolved, progress), resolved.bom);
  onDestroy(stream, () => progress.stop());
  return stream;
}

/** What {@link exportToFile} wrote. */
export interface ExportFileResult {
  /** Bytes in the file. */
  bytes: number;
}

/**
 * Exports to a file atomically: the file appears whole, or (on any error) not at all and an
 * existing file at `path` is left as it was. Creates the parent folder when needed.
 *
 * @example
 * await exportToFile('out/products.xlsx', 'xlsx', () => items(), { onProgress: (n) => bar.update(n) });
 * @throws StorageError `STORAGE_UNSUPPORTED_FORMAT`, `STORAGE_INVALID_OPTION` (nothing is written),
 *   `STORAGE_INVALID_VALUE` (see {@link exportStream}), `STORAGE_IO` for a filesystem failure.
 */
export async function exportToFile(
  path: string,
  format: ExportFormat,
  source: ItemSource,
  options: ExportOptions = {},
): Promise<ExportFileResult> {
  const stream = exportStream(format, source, options);
  try {
    await mkdir(dirname(path), { recursive: true });
    return { bytes: await writeStreamAtomic(path, stream) };
  } catch (err) {
    stream.destroy();
    throw toStorageError(err, `Export to ${path}`);
  }
}
