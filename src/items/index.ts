/**
 * Item transforms of dataset reads and exports (Apify API v2 §3.1): pure functions over plain
 * objects, shared by `listItems`, the exporters, the HTTP server and the CLI.
 */

export { omitFields, pickFields } from './fields.js';
export { flattenFields } from './flatten.js';
export { dropHidden, isCleanItem, isEmptyItem, isFailedPage, isHiddenField } from './hidden.js';
export { isPlainObject } from './object.js';
export {
  DOWNLOAD_FORMAT_OPTION_KEYS,
  ITEM_LIST_OPTION_KEYS,
  type ItemListOptions,
  type ItemTransformOptions,
  NO_LIMIT,
  normalizeItemListOptions,
  splitDownloadOptions,
} from './options.js';
export { createItemTransform, type ItemTransform, isIdentityTransform } from './transform.js';
export { unwindField, unwindFields } from './unwind.js';
