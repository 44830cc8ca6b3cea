import type { Dictionary, ExportFormat } from '../client/types.js';
import { StorageError } from '../errors.js';

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
  /** The column's number in order of discovery, or -1 while no item has a scalar at this path. */
  id: number;
}

/**
 * The columns of a tabular export in their final order: `names[p]` heads position `p`, whose cells
 * are at index `order[p]` of the rows {@link ColumnTree.row} returned.
 */
export interface ColumnLayout {
  readonly names: readonly string[];
  readonly order: readonly number[];
}

function newNode(name: string): ColumnNode {
  return { name, children: new Map(), id: -1 };
}

function isContainer(value: unknown): value is Dictionary | unknown[] {
  return value !== null && typeof value === 'object';
}

/**
 * The flattened columns of a tabular export, found while its rows are made (one pass over the
 * items). Nested objects and arrays become paths (`address/city`, `tags/0`); empty objects and
 * arrays give no column. A column gets a number when first seen, and rows hold their cells at
 * those numbers, so a row made early is a prefix of a later one. The final order, given by
 * {@link layout}, is first appearance with children kept next to their parent (`tags/0`,
 * `tags/1`, then the next top-level field): the same order for the same items, whatever the pass.
 */
export class ColumnTree {
  private readonly root = newNode('');
  private count = 0;

  constructor(private readonly format: ExportFormat) {}

  /** Columns seen so far: every row made so far has at most this many cells. */
  get width(): number {
    return this.count;
  }

  /**
   * The item's scalars at the numbers of their columns (holes where it has none), adding the
   * columns it is the first to have.
   * @throws StorageError `STORAGE_INVALID_VALUE` past {@link MAX_COLUMNS} columns or a column name
   *   longer than {@link MAX_COLUMN_NAME}.
   */
  row(item: Dictionary): Cell[] {
    const row: Cell[] = [];
    this.visit(this.root, item, row);
    return row;
  }

  /** Column names in export order, and where each column's cells are in the rows. */
  layout(): ColumnLayout {
    const names: string[] = [];
    const order: number[] = [];
    const visit = (node: ColumnNode): void => {
      if (node.id !== -1) {
        names.push(node.name);
        order.push(node.id);
      }
      for (const child of node.children.values()) visit(child);
    };
    visit(this.root);
    return { names, order };
  }

  private visit(node: ColumnNode, value: Dictionary | unknown[], row: Cell[]): void {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) this.visitChild(node, String(i), value[i], row);
    } else {
      for (const key of Object.keys(value)) this.visitChild(node, key, value[key], row);
    }
  }

  private visitChild(node: ColumnNode, segment: string, child: unknown, row: Cell[]): void {
    if (child === undefined) return;
    let next = node.children.get(segment);
    if (!next) {
      next = newNode(node === this.root ? segment : `${node.name}${PATH_SEPARATOR}${segment}`);
      node.children.set(segment, next);
    }
    if (isContainer(child)) {
      this.visit(next, child, row);
      return;
    }
    if (next.id === -1) this.addColumn(next);
    row[next.id] = child as Cell;
  }

  private addColumn(node: ColumnNode): void {
    if (this.count >= MAX_COLUMNS) {
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
    node.id = this.count;
    this.count += 1;
  }
}
