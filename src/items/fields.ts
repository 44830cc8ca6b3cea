import type { Dictionary } from '../client/types.js';
import { copyFields, hasOwn, setField } from './object.js';

/**
 * Keeps only `fields`, in that order; a field the item lacks is left out. With `outputFields`,
 * the field at position i is renamed to `outputFields[i]`.
 *
 * @example pickFields({ b: 2, a: 1, c: 3 }, ['a', 'b']) // { a: 1, b: 2 }
 * @example pickFields({ a: 1 }, ['a'], ['x'])           // { x: 1 }
 */
export function pickFields(
  item: Dictionary,
  fields: readonly string[],
  outputFields?: readonly string[],
): Dictionary {
  const out: Dictionary = {};
  fields.forEach((field, i) => {
    if (hasOwn(item, field)) setField(out, outputFields?.[i] ?? field, item[field]);
  });
  return out;
}

/** Drops `fields` from a copy of the item. */
export function omitFields(item: Dictionary, fields: readonly string[]): Dictionary {
  const drop = new Set(fields);
  return copyFields(item, (key) => drop.has(key));
}
