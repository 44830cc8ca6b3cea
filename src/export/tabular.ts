import type { ExportFormat } from '../client/types.js';
import { type ColumnLayout, ColumnTree } from './columns.js';
import { checkItem, type ItemSource } from './items.js';
import { type RowLayout, RowSpill } from './spill.js';
import type { Progress } from './text-stream.js';

/**
 * The one pass over the items of a tabular export: each item is flattened into its row, which
 * goes to `spill` laid out for the columns known so far, while the columns are collected.
 * With `tick`, each row counts as written for `onProgress`.
 * @returns the final columns, or `undefined` when the reader went away meanwhile.
 * @throws StorageError `STORAGE_INVALID_VALUE` past the column limits or for an item that is not
 *   an object, before anything is written to the output.
 */
export async function spillItems(
  source: ItemSource,
  format: ExportFormat,
  spill: RowSpill,
  progress: Progress,
  tick: boolean,
): Promise<ColumnLayout | undefined> {
  const tree = new ColumnTree(format);
  let index = 0;
  for await (const item of source()) {
    if (progress.stopped) return undefined;
    const row = tree.row(checkItem(item, index));
    if (tree.width !== spill.width) await spill.startSegment(tree.width);
    if (spill.add(row)) await spill.flush();
    index += 1;
    if (tick) progress.tick();
  }
  return tree.layout();
}

/** What a text format writes around its rows. */
export interface TablePage {
  /** Text before the rows (such as the header row), given the final column names. */
  head(names: readonly string[]): string;
  /** Text after the rows. */
  readonly tail: string;
  /** Whether items still get a row when no item has any column (html: yes; csv: no). */
  readonly rowsWithoutColumns: boolean;
}

/**
 * A text table (csv, html) read from the items in one pass: rows are spilled to a temp file under
 * `tempDir` while the columns are found, then written after the head in the final column order.
 * The temp file is removed when the output ends, fails or is destroyed.
 */
export async function* tablePieces(
  source: ItemSource,
  format: ExportFormat,
  layout: RowLayout,
  page: TablePage,
  tempDir: string | undefined,
  progress: Progress,
): AsyncGenerator<string | Buffer> {
  const spill = await RowSpill.create(layout, tempDir);
  try {
    const columns = await spillItems(source, format, spill, progress, true);
    if (!columns) return;
    yield page.head(columns.names);
    if (columns.names.length > 0 || page.rowsWithoutColumns) yield* spill.replay(columns.order);
    yield page.tail;
    progress.done();
  } finally {
    await spill.dispose();
  }
}
