import type { Readable } from 'node:stream';
import type {
  DatasetClient,
  DatasetDownloadOptions,
  DatasetInfo,
  DatasetListOptions,
  Dictionary,
  ExportFormat,
  PaginatedList,
  StorageClient,
} from '../client/types.js';
import { StorageError } from '../errors.js';
import { type ExportFileResult, type ExportOptions, exportStream, exportToFile } from '../export/index.js';
import { checkItem } from '../fs/dataset/index.js';
import { DOWNLOAD_FORMAT_OPTION_KEYS, normalizeItemListOptions } from '../items/index.js';
import { type OpenStorageOptions, openStorage } from './open.js';

/** Most bytes of JSON sent in one `pushItems` call: well under the API's 9 MiB request limit. */
export const PUSH_CHUNK_BYTES = 8 * 1024 * 1024;
/** Items fetched per `listItems` call while iterating. */
const PAGE_SIZE = 1000;

/**
 * What a dataset item may be typed as: any object type, interfaces included (as in Crawlee, whose
 * `Dictionary` has `any` values for the same reason).
 */
// biome-ignore lint/suspicious/noExplicitAny: an interface without an index signature only fits `any` values
export type DatasetItem = Record<string, any>;

/** Options of {@link Dataset.forEach}, {@link Dataset.map}, {@link Dataset.reduce} and iteration. */
export type DatasetIteratorOptions = DatasetListOptions;

const instances = new WeakMap<StorageClient, Map<string, Dataset>>();

/** Splits items into runs whose JSON array stays under `limit` bytes (an item alone may be larger). */
function chunkBySize<T>(items: T[], sizes: number[], limit: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 2; // the brackets of the array
  items.forEach((item, i) => {
    const size = (sizes[i] as number) + 1; // and a comma
    if (current.length > 0 && bytes + size > limit) {
      chunks.push(current);
      current = [];
      bytes = 2;
    }
    current.push(item);
    bytes += size;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Streams the records of a range page by page through `listItems`, over any client. Offsets
 * advance by the stored items of each page (computed from `total`, as apify-client recounts
 * `count` after skipEmpty), so unwind and skipEmpty neither repeat nor skip records.
 */
async function* pagesOf(client: DatasetClient, options: DatasetListOptions): AsyncGenerator<Dictionary> {
  const start = options.offset ?? 0;
  let end = options.limit ? start + options.limit : Number.POSITIVE_INFINITY;
  let offset = start;
  while (offset < end) {
    const limit = Math.min(options.chunkSize ?? PAGE_SIZE, end - offset);
    const page: PaginatedList<Dictionary> = await client.listItems({ ...options, offset, limit });
    end = Math.min(end, page.total); // fixed by the first page: items pushed meanwhile are not visited
    yield* page.items;
    const stored = Math.max(0, Math.min(limit, page.total - offset));
    if (stored === 0) return;
    offset += stored;
  }
}

/** Splits download options into list options (checked here, passed on as given) and format options. */
function splitExportOptions(options: DatasetDownloadOptions & ExportOptions = {}) {
  normalizeItemListOptions(options, DOWNLOAD_FORMAT_OPTION_KEYS); // refuse bad options before any output
  const list: Dictionary = {};
  const format: Dictionary = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (DOWNLOAD_FORMAT_OPTION_KEYS.includes(key)) format[key] = value;
    else list[key] = value;
  }
  return { list: list as DatasetListOptions, format: format as ExportOptions };
}

function checkIteratee(fn: unknown, method: string): void {
  if (typeof fn !== 'function') {
    throw new StorageError('STORAGE_INVALID_OPTION', `${method}() needs a function to call for each item.`);
  }
}

/**
 * A dataset as Crawlee and Apify SDK users know it: an append-only table of JSON objects (results
 * of a scraping run), read back by page or item by item and exported to JSON, CSV, Excel, XML, RSS
 * or HTML. Works over any client of the Apify client shape: the fs engine by default, or
 * `apify-client` against the platform or `actor-storage serve`.
 *
 * @example
 * const dataset = await Dataset.open('products');
 * await dataset.pushData([{ title: 'Lamp', price: 25 }, { title: 'Desk', price: 120 }]);
 * const { items, total } = await dataset.getData({ limit: 10, fields: ['title'] });
 * for await (const item of dataset) console.log(item.title);
 * await dataset.exportToFile('out/products.csv', 'csv');
 */
export class Dataset<Data extends DatasetItem = DatasetItem> {
  /** The dataset's id. */
  readonly id: string;
  /** The dataset's name; `undefined` when unnamed. The run's default dataset is named `default`. */
  readonly name: string | undefined;
  /** The client of this dataset (the Apify client shape). */
  readonly client: DatasetClient;
  private readonly storageClient: StorageClient;

  private constructor(storageClient: StorageClient, info: DatasetInfo) {
    this.storageClient = storageClient;
    this.id = info.id;
    this.name = info.name ?? undefined;
    this.client = storageClient.dataset(info.id);
  }

  /**
   * Opens a dataset by id or name, creating a named one when it does not exist; without
   * `nameOrId`, the run's default dataset. Opening the same dataset twice gives the same instance.
   *
   * @example
   * const results = await Dataset.open();                                  // ./apify_storage/datasets/default
   * const named = await Dataset.open('products', { storageDir: './data' });
   * const remote = await Dataset.open('products', { client: new ApifyClient({ token }) });
   * @throws StorageError `STORAGE_INVALID_NAME` for a name that breaks the platform rule,
   *   `STORAGE_INVALID_OPTION` for an unknown option.
   */
  static async open<Data extends DatasetItem = DatasetItem>(
    nameOrId?: string | null,
    options: OpenStorageOptions = {},
  ): Promise<Dataset<Data>> {
    const { client, info } = await openStorage<DatasetInfo>('dataset', nameOrId ?? undefined, options);
    let byId = instances.get(client);
    if (!byId) {
      byId = new Map();
      instances.set(client, byId);
    }
    let dataset = byId.get(info.id);
    if (!dataset) {
      dataset = new Dataset(client, info);
      byId.set(info.id, dataset);
    }
    return dataset as unknown as Dataset<Data>;
  }

  /**
   * Pushes to the default dataset: `(await Dataset.open()).pushData(data)`.
   * @throws StorageError see {@link Dataset.pushData}
   */
  static async pushData<Data extends DatasetItem = DatasetItem>(data: Data | Data[]): Promise<void> {
    return (await Dataset.open<Data>()).pushData(data);
  }

  /**
   * Reads the default dataset: `(await Dataset.open()).getData(options)`.
   * @throws StorageError see {@link Dataset.getData}
   */
  static async getData<Data extends DatasetItem = DatasetItem>(
    options: DatasetListOptions = {},
  ): Promise<PaginatedList<Data>> {
    return (await Dataset.open<Data>()).getData(options);
  }

  /**
   * Appends an item or an array of items. Every item is checked before anything is sent; a large
   * array is sent in several calls of under 8 MiB each (in order), so it also works over HTTP.
   * When a later call fails, the earlier ones stay written (as in Crawlee).
   *
   * @example
   * await dataset.pushData({ url, title });
   * await dataset.pushData(products); // any number of items
   * @throws StorageError `STORAGE_INVALID_VALUE` (not an object, BigInt, circular, function),
   *   `STORAGE_ITEM_TOO_LARGE` (an item of 9 MiB of JSON or more), `STORAGE_NOT_FOUND` after drop().
   */
  async pushData(data: Data | Data[]): Promise<void> {
    const items = Array.isArray(data) ? data : [data];
    const sizes = items.map((item, index) => Buffer.byteLength(checkItem(item, index)));
    for (const chunk of chunkBySize(items as Dictionary[], sizes, PUSH_CHUNK_BYTES)) {
      await this.client.pushItems(chunk);
    }
  }

  /**
   * One page of items with every option of the Apify API (offset, limit, desc, fields, omit,
   * unwind, flatten, clean, skipEmpty, skipHidden …).
   *
   * @example
   * const { items, total } = await dataset.getData({ offset: 20, limit: 10, clean: true });
   * @throws StorageError `STORAGE_INVALID_OPTION`, `STORAGE_NOT_FOUND`
   */
  async getData(options: DatasetListOptions = {}): Promise<PaginatedList<Data>> {
    return (await this.client.listItems(options)) as PaginatedList<Data>;
  }

  /**
   * The dataset's info (item counts, fields, timestamps), or `undefined` after drop().
   * @example
   * const { itemCount } = (await dataset.getInfo())!;
   */
  async getInfo(): Promise<DatasetInfo | undefined> {
    return this.client.get();
  }

  /**
   * Every record of the range, one page at a time (never the whole dataset in memory). `limit`
   * caps the number of stored items visited; `offset` and `desc` choose where to start.
   *
   * @example
   * for await (const item of dataset.values({ desc: true, limit: 100 })) console.log(item);
   * @throws StorageError `STORAGE_INVALID_OPTION`, `STORAGE_NOT_FOUND`
   */
  values(options: DatasetIteratorOptions = {}): AsyncIterable<Data> {
    const { client } = this;
    return {
      [Symbol.asyncIterator]: () => pagesOf(client, options)[Symbol.asyncIterator](),
    } as AsyncIterable<Data>;
  }

  /** `for await (const item of dataset)`: every item, oldest first. */
  [Symbol.asyncIterator](): AsyncIterator<Data> {
    return this.values()[Symbol.asyncIterator]();
  }

  /**
   * Calls `iteratee(item, index)` for every record of the range, awaiting each call; stops at the
   * first error and throws it.
   *
   * @example
   * await dataset.forEach(async (item, i) => console.log(i, item.title), { fields: ['title'] });
   * @throws StorageError `STORAGE_INVALID_OPTION`, `STORAGE_NOT_FOUND`; whatever `iteratee` throws.
   */
  async forEach(
    iteratee: (item: Data, index: number) => unknown,
    options: DatasetIteratorOptions = {},
    index = 0,
  ): Promise<void> {
    checkIteratee(iteratee, 'forEach');
    let i = index;
    for await (const item of this.values(options)) await iteratee(item, i++);
  }

  /**
   * The results of `iteratee(item, index)` for every record of the range, in order.
   * @example
   * const titles = await dataset.map((item) => item.title);
   * @throws StorageError as {@link Dataset.forEach}
   */
  async map<R>(
    iteratee: (item: Data, index: number) => R | Promise<R>,
    options: DatasetIteratorOptions = {},
  ): Promise<R[]> {
    checkIteratee(iteratee, 'map');
    const out: R[] = [];
    await this.forEach(async (item, index) => {
      out.push(await iteratee(item, index));
    }, options);
    return out;
  }

  /**
   * Folds the records into one value, as Crawlee does: `iteratee(memo, item, index)` for each
   * record; without `memo`, the first record is the start value and the fold begins at the second.
   *
   * @example
   * const total = await dataset.reduce((sum, item) => sum + item.price, 0);
   * @throws StorageError as {@link Dataset.forEach}
   */
  async reduce<T>(
    iteratee: (memo: T, item: Data, index: number) => T | Promise<T>,
    memo?: T,
    options: DatasetIteratorOptions = {},
  ): Promise<T | undefined> {
    checkIteratee(iteratee, 'reduce');
    let current = memo;
    await this.forEach(async (item, index) => {
      current =
        index === 0 && current === undefined
          ? (item as unknown as T)
          : await iteratee(current as T, item, index);
    }, options);
    return current;
  }

  /**
   * Deletes the dataset and all its items; the instance must not be used afterwards.
   * @example
   * await dataset.drop();
   */
  async drop(): Promise<void> {
    await this.client.delete();
    instances.get(this.storageClient)?.delete(this.id);
  }

  /**
   * The items in an export format, as a stream (item options and format options together).
   *
   * @example
   * dataset.exportTo('csv', { fields: ['title', 'price'] }).pipe(res);
   * @throws StorageError `STORAGE_UNSUPPORTED_FORMAT`, `STORAGE_INVALID_OPTION` (at once);
   *   `STORAGE_NOT_FOUND` and read errors arrive as stream errors.
   */
  exportTo(format: ExportFormat, options: DatasetDownloadOptions & ExportOptions = {}): Readable {
    const { list, format: formatOptions } = splitExportOptions(options);
    return exportStream(format, () => pagesOf(this.client, list), formatOptions);
  }

  /**
   * Writes the items to a file in an export format, atomically (the file appears whole or not at
   * all); creates the folder when needed.
   *
   * @example
   * await dataset.exportToFile('out/products.xlsx', 'xlsx', { clean: true });
   * @throws StorageError `STORAGE_UNSUPPORTED_FORMAT`, `STORAGE_INVALID_OPTION`, `STORAGE_NOT_FOUND`, `STORAGE_IO`
   */
  async exportToFile(
    path: string,
    format: ExportFormat,
    options: DatasetDownloadOptions & ExportOptions = {},
  ): Promise<ExportFileResult> {
    const { list, format: formatOptions } = splitExportOptions(options);
    return exportToFile(path, format, () => pagesOf(this.client, list), formatOptions);
  }
}
