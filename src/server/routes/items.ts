import type { DatasetClient, DatasetInfo, DatasetListOptions, Dictionary } from '../../client/types.js';
import {
  EXPORT_CONTENT_TYPES,
  EXPORT_FILE_EXTENSIONS,
  type ExportOptions,
  exportStream,
  resolveExportOptions,
  validateFormat,
} from '../../export/index.js';
import { NO_LIMIT, normalizeItemListOptions } from '../../items/index.js';
import type { RouteContext } from '../context.js';
import { defined, type Query } from '../query.js';
import type { Headers, Reply } from '../reply.js';

/** Items fetched from the engine per step while streaming. */
const CHUNK = 1000;

/** The item options of the query (everything but paging and format). */
export function itemOptions(query: Query): DatasetListOptions {
  return defined({
    desc: query.bool('desc'),
    fields: query.list('fields'),
    outputFields: query.list('outputFields'),
    omit: query.list('omit'),
    unwind: query.list('unwind'),
    flatten: query.list('flatten'),
    clean: query.bool('clean'),
    skipEmpty: query.bool('skipEmpty'),
    skipHidden: query.bool('skipHidden'),
    skipFailedPages: query.bool('skipFailedPages'),
    simplified: query.bool('simplified'),
  });
}

function exportOptions(query: Query): ExportOptions {
  return defined({
    bom: query.bool('bom'),
    delimiter: query.string('delimiter'),
    skipHeaderRow: query.bool('skipHeaderRow'),
    xmlRoot: query.string('xmlRoot'),
    xmlRow: query.string('xmlRow'),
    feedTitle: query.string('feedTitle'),
    feedDescription: query.string('feedDescription'),
  });
}

/** A range of items ready to stream, with its pagination facts (the fs engine's `ItemStream`). */
interface ItemRange {
  total: number;
  offset: number;
  limit: number;
  count: number;
  desc: boolean;
  items: () => AsyncIterable<Dictionary>;
}

/** A dataset client that can stream a range itself (the fs engine's does). */
interface StreamingDatasetClient extends DatasetClient {
  iterateItems(options?: DatasetListOptions & { offset?: number; limit?: number }): Promise<ItemRange>;
}

function canStream(client: DatasetClient): client is StreamingDatasetClient {
  return typeof (client as Partial<StreamingDatasetClient>).iterateItems === 'function';
}

/**
 * For a client without a streaming read: stored positions `offset … offset+count` (from the end
 * with `desc`) fetched `CHUNK` stored items at a time through `listItems`, so only one chunk is
 * ever in memory. Each call of `items` starts over (tabular exporters make two passes).
 */
async function pagedRange(
  ctx: RouteContext,
  dataset: DatasetClient,
  options: DatasetListOptions,
  offset: number,
  limit: number | undefined,
): Promise<ItemRange> {
  const total = ((await ctx.info()) as DatasetInfo).itemCount;
  const count = Math.max(0, Math.min(limit ?? Number.POSITIVE_INFINITY, total - offset));
  const items = async function* () {
    for (let done = 0; done < count; ) {
      const size = Math.min(CHUNK, count - done);
      const page = await dataset.listItems({ ...options, offset: offset + done, limit: size });
      yield* page.items;
      done += size;
    }
  };
  return { total, offset, limit: limit ?? NO_LIMIT, count, desc: options.desc ?? false, items };
}

/**
 * GET and HEAD /v2/datasets/{id}/items: the five pagination headers, then the items in the asked
 * format, streamed. `-Count` is the number of stored items in the range (before skipEmpty).
 */
export async function getItems(ctx: RouteContext, head: boolean): Promise<Reply> {
  const { query } = ctx;
  const format = validateFormat(query.string('format') ?? 'json');
  const options = itemOptions(query);
  const offset = query.int('offset') ?? 0;
  const limit = query.int('limit') || undefined; // 0 means no limit, as on the platform
  normalizeItemListOptions({ ...options, offset, limit }); // bad combinations fail here, before any byte
  const formatOptions = exportOptions(query);
  resolveExportOptions(format, formatOptions);
  const dataset = ctx.client.dataset(ctx.store.idOrName);
  const range = canStream(dataset)
    ? await dataset.iterateItems(defined({ ...options, offset, limit }))
    : await pagedRange(ctx, dataset, options, offset, limit);
  const headers: Headers = {
    'content-type': EXPORT_CONTENT_TYPES[format],
    'x-apify-pagination-offset': range.offset,
    'x-apify-pagination-limit': range.limit,
    'x-apify-pagination-count': range.count,
    'x-apify-pagination-total': range.total,
    'x-apify-pagination-desc': range.desc ? 'true' : 'false',
  };
  if (query.bool('attachment')) {
    const info = await ctx.info();
    headers['content-disposition'] =
      `attachment; filename="${info.name ?? info.id}.${EXPORT_FILE_EXTENSIONS[format]}"`;
  }
  if (head) return { kind: 'raw', status: 200, headers };
  return { kind: 'raw', status: 200, headers, body: exportStream(format, range.items, formatOptions) };
}
