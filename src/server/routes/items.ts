import type { DatasetClient, DatasetInfo, DatasetListOptions, Dictionary } from '../../client/types.js';
import {
  EXPORT_CONTENT_TYPES,
  EXPORT_FILE_EXTENSIONS,
  type ExportOptions,
  exportStream,
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

/**
 * The items of stored positions `offset … offset+count` (counted from the end with `desc`),
 * fetched `CHUNK` stored items at a time, so that only one chunk is ever in memory. Each call
 * starts over: tabular exporters iterate twice.
 */
function chunkedItems(
  dataset: DatasetClient,
  options: DatasetListOptions,
  offset: number,
  count: number,
): () => AsyncIterable<Dictionary> {
  return async function* items() {
    for (let done = 0; done < count; ) {
      const limit = Math.min(CHUNK, count - done);
      const page = await dataset.listItems({ ...options, offset: offset + done, limit });
      yield* page.items;
      done += limit;
    }
  };
}

/**
 * GET and HEAD /v2/datasets/{id}/items: the five pagination headers, then the items in the asked
 * format, streamed. `-Count` is the number of stored items in the page (before skipEmpty).
 */
export async function getItems(ctx: RouteContext, head: boolean): Promise<Reply> {
  const { query } = ctx;
  const format = validateFormat(query.string('format') ?? 'json');
  const options = itemOptions(query);
  const offset = query.int('offset') ?? 0;
  const limit = query.int('limit') || undefined; // 0 means no limit, as on the platform
  normalizeItemListOptions({ ...options, offset, limit }); // bad combinations fail here, before any byte
  const formatOptions = exportOptions(query);
  const info = (await ctx.info()) as DatasetInfo;
  const total = info.itemCount;
  const count = Math.max(0, Math.min(limit ?? Number.POSITIVE_INFINITY, total - offset));
  const headers: Headers = {
    'content-type': EXPORT_CONTENT_TYPES[format],
    'x-apify-pagination-offset': offset,
    'x-apify-pagination-limit': limit ?? NO_LIMIT,
    'x-apify-pagination-count': count,
    'x-apify-pagination-total': total,
    'x-apify-pagination-desc': options.desc ? 'true' : 'false',
  };
  if (query.bool('attachment')) {
    const file = `${info.name ?? info.id}.${EXPORT_FILE_EXTENSIONS[format]}`;
    headers['content-disposition'] = `attachment; filename="${file}"`;
  }
  if (head) return { kind: 'raw', status: 200, headers };
  const source = chunkedItems(ctx.client.dataset(ctx.store.idOrName), options, offset, count);
  return { kind: 'raw', status: 200, headers, body: exportStream(format, source, formatOptions) };
}
