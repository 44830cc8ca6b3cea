import type { Dictionary, ExportFormat } from '../client/types.js';
import { StorageError } from '../errors.js';
import { checkItem, type ItemSource } from './items.js';
import type { Progress } from './text-stream.js';

/** Tabular exports (csv, xlsx, html) have at most this many columns, as on the Apify platform. */
export const MAX_COLUMNS = 2000;
/** A column name (the flattened path, such as `address/city`) has at most this many characters. */
export const MAX_COLUMN_NAME = 200;
/** Joins the segments of a nested path into a column name: `{"address":{"city":…}}` → `address/city`. */
export const PATH_SEPARATOR = '/';

/** A cell of a flattened row: a JSON scalar, or `undefined` when the item has no value there. */
export type Cell = string | number | boolean | null | undefined;

/** One segment of a flattened path; a node is a column when some item has a scalar there. */
interface ColumnNode {
  readonly name: string;
  readonly children: Map<string, ColumnNode>;
  /** Column position, or -1 when no item has a scalar at this path. */
  index: number;
}

/** The columns of a tabular export, in order, and the tree used to place an item's values in them. */
export interface Columns {
  readonly names: readonly string[];
  readonly root: ColumnNode;
}

function newNode(name: string): ColumnNode {
  return { name, children: new Map(), index: -1 };
}

function isContainer(value: unknown): value is Dictionary | unknown[] {
  return value !== null && typeof value === 'object';
}

class ColumnTreeBuilder {
  readonly root = newNode('');
  private count = 0;

  constructor(private readonly format: ExportFormat) {}

  add(value: Dictionary | unknown[], node: ColumnNode = this.root): void {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) this.addChild(node, String(i), value[i]);
    } else {
      for (const key of Object.keys(value)) this.addChild(node, key, value[key]);
    }
  }

  private addChild(node: ColumnNode, segment: string, child: unknown): void {
    if (child === undefined) return;
    let next = node.children.get(segment);
    if (!next) {
      next = newNode(node === this.root ? segment : `${node.name}${PATH_SEPARATOR}${segment}`);
      node.children.set(segment, next);
    }
    if (isContainer(child)) this.add(child, next);
    else if (next.index === -1) this.markColumn(next);
  }

  private markColumn(node: ColumnNode): void {
    node.index = 0; // real positions are given in tree order by build()
    this.count += 1;
    if (this.count > MAX_COLUMNS) {
      throw new StorageError(
        'STORAGE_INVALID_VALUE',
        `The items have more than ${MAX_COLUMNS} columns once nested values are flattened, the limit of a ${this.format} export. Pick columns with "fields" or "omit", or export json, jsonl or xml.`,
        { details: { limit: MAX_COLUMNS, format: this.format } },
      );
    }
    if (node.name.length > MAX_COLUMN_NAME) {
      throw new StorageError(
        'STORAGE_INVALID_VALUE',
        `Column name "${node.name.slice(0, 60)}…" has ${node.name.length} characters; a ${this.format} export allows ${MAX_COLUMN_NAME}. Rename or omit the field, or export json, jsonl or xml.`,
        { details: { limit: MAX_COLUMN_NAME, column: node.name, format: this.format } },
      );
    }
  }

  build(): Columns {
    const names: string[] = [];
    const visit = (node: ColumnNode): void => {
      if (node.index !== -1) {
        node.index = names.length;
        names.push(node.name);
      }
      for (const child of node.children.values()) visit(child);
    };
    visit(this.root);
    return { names, root: this.root };
  }
}

/**
 * First pass of a tabular export: reads every item and collects the flattened columns. Nested
 * objects and arrays become paths (`address/city`, `tags/0`); empty objects and arrays give no
 * column. Order: first appearance, children kept next to their parent (`tags/0`, `tags/1`, then
 * the next top-level field), so the order is stable for a given dataset.
 * @returns the columns and how many items were read (the second pass reads no more than that),
 *   or `undefined` when the reader went away meanwhile.
 * @throws StorageError `STORAGE_INVALID_VALUE` past {@link MAX_COLUMNS} columns or a column name
 *   longer than {@link MAX_COLUMN_NAME}, before anything is written.
 */
export async function collectColumns(
  source: ItemSource,
  format: ExportFormat,
  progress: Progress,
): Promise<{ columns: Columns; itemCount: number } | undefined> {
  const builder = new ColumnTreeBuilder(format);
  let itemCount = 0;
  for await (const item of source()) {
    if (progress.stopped) return undefined;
    builder.add(checkItem(item, itemCount));
    itemCount += 1;
  }
  return { columns: builder.build(), itemCount };
}

function fillChild(node: ColumnNode, segment: string, child: unknown, row: Cell[]): void {
  if (child === undefined) return;
  const next = node.children.get(segment);
  if (next === undefined) return;
  if (isContainer(child)) fill(next, child, row);
  else if (next.index !== -1) row[next.index] = child as Cell;
}

function fill(node: ColumnNode, value: Dictionary | unknown[], row: Cell[]): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) fillChild(node, String(i), value[i], row);
  } else {
    for (const key of Object.keys(value)) fillChild(node, key, value[key], row);
  }
}

/**
 * Second pass: the item's scalars placed in their columns (`undefined` where it has none). Values
 * at paths the first pass did not see are left out.
 */
export function toRow(columns: Columns, item: Dictionary): Cell[] {
  const row = new Array<Cell>(columns.names.length);
  fill(columns.root, item, row);
  return row;
}
