import type { Dictionary } from '../client/types.js';

/** True for a JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Dictionary {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Sets `key` on `target` as an own data property, also for `__proto__` (plain assignment would
 * change the prototype instead, and JSON.parse can produce such keys).
 */
export function setField(target: Dictionary, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** A shallow copy made with {@link setField}, keeping key order. */
export function copyFields(source: Dictionary, skip?: (key: string) => boolean): Dictionary {
  const out: Dictionary = {};
  for (const key of Object.keys(source)) {
    if (!skip?.(key)) setField(out, key, source[key]);
  }
  return out;
}

/** True when `key` is an own property of `item` (not inherited). */
export function hasOwn(item: Dictionary, key: string): boolean {
  return Object.hasOwn(item, key);
}
