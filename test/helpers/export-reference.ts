import type { Dictionary } from '../../src/client/types.js';
import { cellText, neutraliseFormula } from '../../src/export/cells.js';
import type { Cell } from '../../src/export/columns.js';
import { csvQuoter } from '../../src/export/csv.js';
import { escapeHtml } from '../../src/export/html.js';

/**
 * The tabular layout as the two-pass exporter made it, kept as the reference the one-pass
 * exporter must match: every item read for the columns first (tree order: first appearance,
 * children next to their parent), then every item read again for its row.
 */
interface RefNode {
  name: string;
  children: Map<string, RefNode>;
  column: boolean;
}

function isContainer(value: unknown): value is Dictionary | unknown[] {
  return value !== null && typeof value === 'object';
}

function entries(value: Dictionary | unknown[]): [string, unknown][] {
  return Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.keys(value).map((k) => [k, value[k]]);
}

function addColumns(node: RefNode, value: Dictionary | unknown[]): void {
  for (const [segment, child] of entries(value)) {
    if (child === undefined) continue;
    let next = node.children.get(segment);
    if (!next) {
      next = {
        name: node.name === '' ? segment : `${node.name}/${segment}`,
        children: new Map(),
        column: false,
      };
      node.children.set(segment, next);
    }
    if (isContainer(child)) addColumns(next, child);
    else next.column = true;
  }
}

function fillRow(node: RefNode, value: Dictionary | unknown[], at: Map<RefNode, number>, row: Cell[]): void {
  for (const [segment, child] of entries(value)) {
    const next = child === undefined ? undefined : node.children.get(segment);
    if (!next) continue;
    if (isContainer(child)) fillRow(next, child, at, row);
    else row[at.get(next) as number] = child as Cell;
  }
}

/** Column names and rows (cells in column order, `undefined` for none), as the two passes gave them. */
export function referenceTable(items: readonly Dictionary[]): { names: string[]; rows: Cell[][] } {
  const root: RefNode = { name: '', children: new Map(), column: false };
  for (const item of items) addColumns(root, item);
  const names: string[] = [];
  const at = new Map<RefNode, number>();
  const walk = (node: RefNode): void => {
    if (node.column) {
      at.set(node, names.length);
      names.push(node.name);
    }
    for (const child of node.children.values()) walk(child);
  };
  walk(root);
  const rows = items.map((item) => {
    const row = new Array<Cell>(names.length).fill(undefined);
    fillRow(root, item, at, row);
    return row;
  });
  return { names, rows };
}

/** The csv text (no BOM) the two-pass exporter wrote, with its defaults or the given delimiter. */
export function referenceCsv(items: readonly Dictionary[], delimiter = ',', escapeFormulas = true): string {
  const quote = csvQuoter(delimiter);
  const text = (s: string) => quote(escapeFormulas ? neutraliseFormula(s) : s);
  const { names, rows } = referenceTable(items);
  if (names.length === 0) return '';
  const lines = rows.map((row) =>
    row.map((cell) => (typeof cell === 'string' ? text(cell) : cellText(cell))).join(delimiter),
  );
  return [names.map(text).join(delimiter), ...lines].map((line) => `${line}\n`).join('');
}

/** The `<tbody>` rows the two-pass html exporter wrote. */
export function referenceHtmlRows(items: readonly Dictionary[]): string {
  return referenceTable(items)
    .rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cellText(cell))}</td>`).join('')}</tr>\n`)
    .join('');
}
