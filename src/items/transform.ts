import type { Dictionary } from '../client/types.js';
import { omitFields, pickFields } from './fields.js';
import { flattenFields } from './flatten.js';
import { dropHidden, isEmptyItem, isFailedPage } from './hidden.js';
import { isPlainObject } from './object.js';
import type { ItemTransformOptions } from './options.js';
import { unwindFields } from './unwind.js';

/** Turns one stored item into the records it yields: none, one, or several (unwind). */
export type ItemTransform = (item: unknown) => Dictionary[];

/** True when the options change nothing, so items can be passed through as they are. */
export function isIdentityTransform(options: ItemTransformOptions): boolean {
  return (
    !options.skipFailedPages &&
    !options.skipHidden &&
    !options.skipEmpty &&
    !options.fields &&
    !options.omit &&
    !options.unwind &&
    !options.flatten
  );
}

/**
 * Builds the transform of the item options. The steps run in this order:
 * 1. skipFailedPages drops items with an `errorInfo` value;
 * 2. fields keeps only those fields, in that order (renamed by outputFields);
 * 3. omit drops fields;
 * 4. unwind expands each listed field, in order (one record per array element);
 * 5. flatten turns nested objects into dotted names;
 * 6. skipHidden drops top-level `#` fields;
 * 7. skipEmpty drops records left without fields.
 * A stored value that is not a JSON object (a peer may have written one) passes through untouched.
 */
export function createItemTransform(options: ItemTransformOptions): ItemTransform {
  if (isIdentityTransform(options)) return (item) => [item as Dictionary];
  const { fields, outputFields, omit, unwind, flatten } = options;
  return (item) => {
    if (!isPlainObject(item)) return [item as Dictionary];
    if (options.skipFailedPages && isFailedPage(item)) return [];
    let record = item;
    if (fields) record = pickFields(record, fields, outputFields);
    if (omit) record = omitFields(record, omit);
    let records = unwind ? unwindFields(record, unwind) : [record];
    if (flatten) records = records.map((r) => flattenFields(r, flatten));
    if (options.skipHidden) records = records.map(dropHidden);
    if (options.skipEmpty) records = records.filter((r) => !isEmptyItem(r));
    return records;
  };
}
