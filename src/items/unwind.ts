import type { Dictionary } from '../client/types.js';
import { copyFields, isPlainObject, setField } from './object.js';

function mergeInto(parent: Dictionary, field: string, child: unknown): Dictionary {
  const out = copyFields(parent, (key) => key === field);
  if (isPlainObject(child)) {
    for (const key of Object.keys(child)) setField(out, key, child[key]);
  } else {
    setField(out, field, child);
  }
  return out;
}

/**
 * Unwinds one field:
 * - an array yields one record per element, the element merged into the parent in place of the
 *   field (an element that is not an object stays under the field's name); the elements keep
 *   their order; an empty array yields the parent without the field;
 * - an object is merged into the parent in place of the field;
 * - anything else (or a missing field) leaves the item unchanged.
 * Fields of the merged value win over fields of the parent with the same name.
 */
export function unwindField(item: Dictionary, field: string): Dictionary[] {
  if (!Object.hasOwn(item, field)) return [item];
  const value = item[field];
  if (Array.isArray(value)) {
    if (value.length === 0) return [copyFields(item, (key) => key === field)];
    return value.map((element) => mergeInto(item, field, element));
  }
  if (isPlainObject(value)) return [mergeInto(item, field, value)];
  return [item];
}

/** Unwinds `fields` one after the other, in the order given. */
export function unwindFields(item: Dictionary, fields: readonly string[]): Dictionary[] {
  let records = [item];
  for (const field of fields) records = records.flatMap((record) => unwindField(record, field));
  return records;
}
