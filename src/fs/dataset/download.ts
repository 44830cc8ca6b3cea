import type { Readable } from 'node:stream';
import type { ExportFormat } from '../../client/types.js';
import { StorageError } from '../../errors.js';
import { type ExportOptions, exportStream } from '../../export/index.js';
import { splitDownloadOptions } from '../../items/index.js';
import type { FsContext } from '../context.js';
import { openItemStream } from './read.js';

/** Formats `downloadItems` and the exporters write. */
export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'jsonl', 'csv', 'xlsx', 'xml', 'rss', 'html'];

/**
 * Checks an export format name.
 * @throws StorageError `STORAGE_UNSUPPORTED_FORMAT`
 */
export function checkFormat(format: unknown): ExportFormat {
  if (typeof format === 'string' && (EXPORT_FORMATS as readonly string[]).includes(format)) {
    return format as ExportFormat;
  }
  throw new StorageError(
    'STORAGE_UNSUPPORTED_FORMAT',
    `Unsupported format ${JSON.stringify(format)}; use one of ${EXPORT_FORMATS.join(', ')}.`,
    { details: { format } },
  );
}

async function toBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * `downloadItems(format, options)`: the transformed items of the range, in one format, as a Buffer.
 * The items stream from the files through the exporter; only the output is collected.
 * @throws StorageError `STORAGE_UNSUPPORTED_FORMAT`, `STORAGE_INVALID_OPTION`, `STORAGE_NOT_FOUND`
 */
export async function downloadItems(
  ctx: FsContext,
  idOrName: string,
  format: unknown,
  options?: unknown,
): Promise<Buffer> {
  const checked = checkFormat(format);
  const { list, format: formatOptions } = splitDownloadOptions(options);
  const stream = await openItemStream(ctx, idOrName, list);
  return toBuffer(exportStream(checked, stream.items, formatOptions as ExportOptions));
}
