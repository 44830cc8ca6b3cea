import type { Dictionary } from '../client/types.js';
import { copyFields, isPlainObject } from './object.js';

/** True for a hidden field: a top-level name starting with `#`. */
export function isHiddenField(key: string): boolean {
  return key.startsWith('#');
}

/** A copy without the top-level hidden (`#`) fields. */
export function dropHidden(item: Dictionary): Dictionary {
  return copyFields(item, isHiddenField);
}

/** True for an item with no fields. */
export function isEmptyItem(item: Dictionary): boolean {
  return Object.keys(item).length === 0;
}

/**
 * True for an item that counts in `cleanItemCount`: a JSON object that is not empty once its
 * hidden fields are dropped.
 */
export function isCleanItem(item: unknown): boolean {
  return isPlainObject(item) && Object.keys(item).some((key) => !isHiddenField(key));
}

/** True for an item of a failed page (legacy crawler results): it has an `errorInfo` value. */
export function isFailedPage(item: Dictionary): boolean {
  return item.errorInfo !== undefined && item.errorInfo !== null && Object.hasOwn(item, 'errorInfo');
}
