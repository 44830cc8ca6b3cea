import { cellText } from './cells.js';
import type { Cell } from './columns.js';
import type { ItemSource } from './items.js';
import type { ResolvedExportOptions } from './options.js';
import type { RowLayout } from './spill.js';
import { tablePieces } from './tabular.js';
import type { Progress } from './text-stream.js';

const HTML_RE = /[&<>"']/g;
const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(HTML_RE, (char) => HTML_ENTITIES[char] as string);
}

const STYLE =
  'body{font-family:system-ui,sans-serif;margin:1rem}table{border-collapse:collapse}' +
  'th,td{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top;text-align:left;white-space:pre-wrap}' +
  'th{background:#f3f3f3;position:sticky;top:0}';

function pageHead(title: string, names: readonly string[]): string {
  const header = names.map((name) => `<th>${escapeHtml(name)}</th>`).join('');
  return (
    '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n' +
    `<title>${escapeHtml(title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n` +
    `<table>\n<thead>\n<tr>${header}</tr>\n</thead>\n<tbody>\n`
  );
}

const PAGE_TAIL = '</tbody>\n</table>\n</body>\n</html>\n';

/** An html row: `<tr>`, one `<td>` per cell, `</tr>` and a line break. */
const HTML_ROW: RowLayout = {
  start: '<tr>',
  separator: '',
  end: '</tr>\n',
  empty: '<td></td>',
  field: (cell: Cell) => `<td>${escapeHtml(cellText(cell))}</td>`,
};

/**
 * `html`: a standalone page (UTF-8, a little inline CSS, no scripts) holding one table: a header
 * row of flattened column names and one row per item, every value escaped. The page title is
 * `feedTitle`. The source is read once (rows wait in a temp file until the columns are known).
 */
export function htmlPieces(
  source: ItemSource,
  options: ResolvedExportOptions,
  progress: Progress,
): AsyncGenerator<string | Buffer> {
  const page = {
    head: (names: readonly string[]) => pageHead(options.feedTitle, names),
    tail: PAGE_TAIL,
    rowsWithoutColumns: true,
  };
  return tablePieces(source, 'html', HTML_ROW, page, options.tempDir, progress);
}
