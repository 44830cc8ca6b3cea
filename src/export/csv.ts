import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { cellText, neutraliseFormula } from './cells.js';
import { collectColumns, toRow } from './columns.js';
import { eachItem, type ItemSource } from './items.js';
import type { ResolvedExportOptions } from './options.js';
import { type Progress, textReadable } from './text-stream.js';

async function* csvRecords(
  source: ItemSource,
  options: ResolvedExportOptions,
  progress: Progress,
): AsyncGenerator<string[]> {
  const { columns, itemCount } = await collectColumns(source, 'csv');
  const width = columns.names.length;
  const text = options.escapeFormulas ? (s: string) => neutraliseFormula(s) : (s: string) => s;
  if (width > 0) {
    if (!options.skipHeaderRow) yield columns.names.map(text);
    for await (const item of eachItem(source, itemCount)) {
      const row = toRow(columns, item);
      const record = new Array<string>(width);
      for (let i = 0; i < width; i++) {
        const cell = row[i];
        record[i] = typeof cell === 'string' ? text(cell) : cellText(cell);
      }
      yield record;
      progress.tick();
    }
  }
  progress.done();
}

/**
 * `csv`: RFC 4180 text written by csv-stringify. One header row of flattened column names
 * (`address/city`, `tags/0`) unless `skipHeaderRow`, then one row per item; `\n` line ends;
 * fields holding the delimiter, a quote or a line break are quoted, quotes doubled. Null and
 * missing values are empty cells, booleans `true`/`false`. With `escapeFormulas` (default), text
 * that a spreadsheet would run as a formula starts with `'`. BOM by default.
 * Items whose fields are all empty objects or arrays give no columns; no columns at all give no rows.
 */
export function csvReadable(
  source: ItemSource,
  options: ResolvedExportOptions,
  progress: Progress,
): Readable {
  const stringifier = stringify({
    delimiter: options.delimiter,
    bom: options.bom,
    header: false,
    record_delimiter: 'unix',
  });
  const records = Readable.from(csvRecords(source, options, progress), { objectMode: true });
  pipeline(records, stringifier, () => {
    // An error destroys the stringifier with it, and the reader of the text below receives it.
  });
  stringifier.setEncoding('utf8');
  return textReadable(stringifier, false);
}
