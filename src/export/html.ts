import { cellText } from './cells.js';
import { collectColumns, toRow } from './columns.js';
import { eachItem, type ItemSource } from './items.js';
import type { ResolvedExportOptions } from './options.js';
import { Chunker, type Progress } from './text-stream.js';

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

/**
 * `html`: a standalone page (UTF-8, a little inline CSS, no scripts) holding one table: a header
 * row of flattened column names and one row per item, every value escaped. The page title is
 * `feedTitle`.
 */
export async function* htmlPieces(
  source: ItemSource,
  options: ResolvedExportOptions,
  progress: Progress,
): AsyncGenerator<string> {
  const collected = await collectColumns(source, 'html', progress);
  if (!collected) return;
  const { columns, itemCount } = collected;
  const chunks = new Chunker();
  chunks.add(pageHead(options.feedTitle, columns.names));
  for await (const item of eachItem(source, itemCount)) {
    const row = toRow(columns, item);
    let html = '<tr>';
    for (const cell of row) html += `<td>${escapeHtml(cellText(cell))}</td>`;
    const chunk = chunks.add(`${html}</tr>\n`);
    if (chunk !== undefined) yield chunk;
    progress.tick();
  }
  yield `${chunks.rest()}${PAGE_TAIL}`;
  progress.done();
}
