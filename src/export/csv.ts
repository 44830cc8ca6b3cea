import { cellText, neutraliseFormula } from './cells.js';
import { collectColumns, toRow } from './columns.js';
import { checkItem, type ItemSource } from './items.js';
import type { ResolvedExportOptions } from './options.js';
import { Chunker, type Progress } from './text-stream.js';

/**
 * RFC 4180 quoting for a one-character delimiter: a field holding the delimiter, a double quote,
 * CR or LF is enclosed in double quotes with its quotes doubled; any other field is written as is.
 */
export function csvQuoter(delimiter: string): (field: string) => string {
  const escaped = delimiter.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
  const special = new RegExp(`["\\r\\n]|${escaped}`);
  return (field) => (special.test(field) ? `"${field.replaceAll('"', '""')}"` : field);
}

/**
 * `csv`: RFC 4180 text. One header row of flattened column names (`address/city`, `tags/0`)
 * unless `skipHeaderRow`, then one row per item, each line ending in `\n`. Null and missing values
 * are empty cells, booleans `true`/`false`, numbers as JavaScript writes them. With
 * `escapeFormulas` (default), text that a spreadsheet would run as a formula starts with `'`.
 * The BOM (on by default) is added by the caller. Items whose fields are all empty objects or
 * arrays give no columns; when no item has any column, nothing but the BOM is written.
 */
export async function* csvPieces(
  source: ItemSource,
  options: ResolvedExportOptions,
  progress: Progress,
): AsyncGenerator<string> {
  const collected = await collectColumns(source, 'csv', progress);
  if (!collected) return;
  const { columns, itemCount } = collected;
  const width = columns.names.length;
  const quote = csvQuoter(options.delimiter);
  const field = options.escapeFormulas ? (text: string) => quote(neutraliseFormula(text)) : quote;
  const separator = options.delimiter;
  if (width > 0 && !options.skipHeaderRow) yield `${columns.names.map(field).join(separator)}\n`;
  const chunks = new Chunker();
  let index = 0;
  if (width > 0 && itemCount > 0) {
    for await (const item of source()) {
      const row = toRow(columns, checkItem(item, index));
      let line = '';
      for (let i = 0; i < width; i++) {
        const cell = row[i];
        if (i > 0) line += separator;
        line += typeof cell === 'string' ? field(cell) : cellText(cell);
      }
      const chunk = chunks.add(`${line}\n`);
      if (chunk !== undefined) yield chunk;
      progress.tick();
      index += 1;
      if (index >= itemCount) break;
    }
  }
  yield chunks.rest();
  progress.done();
}
