import { cellText, neutraliseFormula } from './cells.js';
import type { Cell } from './columns.js';
import type { ItemSource } from './items.js';
import type { ResolvedExportOptions } from './options.js';
import type { RowLayout } from './spill.js';
import { tablePieces } from './tabular.js';
import type { Progress } from './text-stream.js';

/**
 * RFC 4180 quoting for a one-character delimiter: a field holding the delimiter, a double quote,
 * CR or LF is enclosed in double quotes with its quotes doubled; any other field is written as is.
 */
export function csvQuoter(delimiter: string): (field: string) => string {
  const escaped = delimiter.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
  const special = new RegExp(`["\\r\\n]|${escaped}`);
  return (field) => (special.test(field) ? `"${field.replaceAll('"', '""')}"` : field);
}

/** Quoting of a text cell or column name, formulas neutralised when asked. */
function textField(options: ResolvedExportOptions): (text: string) => string {
  const quote = csvQuoter(options.delimiter);
  return options.escapeFormulas ? (text) => quote(neutraliseFormula(text)) : quote;
}

/** A csv row: fields joined by the delimiter, ending in `\n`. */
function csvLayout(options: ResolvedExportOptions): RowLayout {
  const text = textField(options);
  return {
    start: '',
    separator: options.delimiter,
    end: '\n',
    empty: '',
    field: (cell: Cell) => (typeof cell === 'string' ? text(cell) : cellText(cell)),
  };
}

/**
 * `csv`: RFC 4180 text. One header row of flattened column names (`address/city`, `tags/0`)
 * unless `skipHeaderRow`, then one row per item, each line ending in `\n`. Null and missing values
 * are empty cells, booleans `true`/`false`, numbers as JavaScript writes them. With
 * `escapeFormulas` (default), text that a spreadsheet would run as a formula starts with `'`.
 * The BOM (on by default) is added by the caller. Items whose fields are all empty objects or
 * arrays give no columns; when no item has any column, nothing but the BOM is written.
 * The source is read once (rows wait in a temp file until the columns are known).
 */
export function csvPieces(
  source: ItemSource,
  options: ResolvedExportOptions,
  progress: Progress,
): AsyncGenerator<string | Buffer> {
  const text = textField(options);
  const page = {
    head: (names: readonly string[]) =>
      names.length > 0 && !options.skipHeaderRow ? `${names.map(text).join(options.delimiter)}\n` : '',
    tail: '',
    rowsWithoutColumns: false,
  };
  return tablePieces(source, 'csv', csvLayout(options), page, options.tempDir, progress);
}
