import type { Dictionary } from '../client/types.js';
import { isPlainObject, setField } from './object.js';

function flattenInto(out: Dictionary, prefix: string, value: Dictionary): void {
  const keys = Object.keys(value);
  if (keys.length === 0) {
    setField(out, prefix, {});
    return;
  }
  for (const key of keys) {
    const child = value[key];
    const path = `${prefix}.${key}`;
    if (isPlainObject(child)) flattenInto(out, path, child);
    else setField(out, path, child);
  }
}

/**
 * Replaces each of `fields` that holds an object by its leaves under dotted names, in place
 * (key order kept). Nested objects are flattened all the way down; arrays and other values are
 * leaves. A field that is not an object is left as it is.
 *
 * @example flattenFields({ foo: { bar: 1, baz: { q: 2 } } }, ['foo']) // { 'foo.bar': 1, 'foo.baz.q': 2 }
 */
export function flattenFields(item: Dictionary, fields: readonly string[]): Dictionary {
  const wanted = new Set(fields);
  if (!Object.keys(item).some((key) => wanted.has(key) && isPlainObject(item[key]))) return item;
  const out: Dictionary = {};
  for (const key of Object.keys(item)) {
    const value = item[key];
    if (wanted.has(key) && isPlainObject(value)) flattenInto(out, key, value);
    else setField(out, key, value);
  }
  return out;
}
