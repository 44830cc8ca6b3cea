import type { Readable } from 'node:stream';
import type { Dictionary, ExportFormat } from '../client/types.js';

/** Format options of the exporters (the item options are applied before items reach them). */
export interface ExportOptions {
  /** Byte order mark at the start. @default true for csv, false otherwise */
  bom?: boolean;
  /** CSV delimiter. @default ',' */
  delimiter?: string;
  /** CSV without its header row. @default false */
  skipHeaderRow?: boolean;
  /** @default 'items' */
  xmlRoot?: string;
  /** @default 'item' */
  xmlRow?: string;
  feedTitle?: string;
  feedDescription?: string;
}

/**
 * A re-iterable source of items: tabular formats iterate it twice (columns first, then rows),
 * so a dataset is never held in memory whole.
 */
export type ItemSource = () => AsyncIterable<Dictionary>;

/** Streams `items` in `format`. */
export function exportStream(
  _format: ExportFormat,
  _items: ItemSource,
  _options: ExportOptions = {},
): Readable {
  throw new Error('not implemented yet');
}
