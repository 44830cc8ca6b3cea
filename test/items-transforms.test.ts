import { describe, expect, it } from 'vitest';
import {
  createItemTransform,
  dropHidden,
  flattenFields,
  isCleanItem,
  isFailedPage,
  normalizeItemListOptions,
  omitFields,
  pickFields,
  unwindFields,
} from '../src/items/index.js';

const transform = (options: Record<string, unknown>) =>
  createItemTransform(normalizeItemListOptions(options));

describe('item transforms', () => {
  it('pickFields keeps the given order, leaves out missing fields and renames by position', () => {
    const item = { c: 3, a: 1, b: 2 };
    expect(Object.keys(pickFields(item, ['b', 'a', 'zzz']))).toEqual(['b', 'a']);
    expect(pickFields(item, ['a', 'c'], ['x', 'y'])).toEqual({ x: 1, y: 3 });
  });

  it('omitFields drops fields and keeps the rest in order', () => {
    expect(Object.keys(omitFields({ a: 1, b: 2, c: 3 }, ['b']))).toEqual(['a', 'c']);
  });

  it('unwind merges array elements and objects, later fields of the child win', () => {
    expect(unwindFields({ a: 1, l: [{ a: 2, b: 1 }, { b: 2 }] }, ['l'])).toEqual([
      { a: 2, b: 1 },
      { a: 1, b: 2 },
    ]);
    expect(unwindFields({ a: 1, o: { b: 2 } }, ['o'])).toEqual([{ a: 1, b: 2 }]);
    expect(unwindFields({ a: 1, l: [] }, ['l'])).toEqual([{ a: 1 }]);
    expect(unwindFields({ a: 1, l: null }, ['l'])).toEqual([{ a: 1, l: null }]);
  });

  it('flatten goes all the way down, keeps arrays as leaves and key order', () => {
    const out = flattenFields({ first: 0, foo: { bar: 1, deep: { x: [1, 2] }, none: {} }, last: 9 }, ['foo']);
    expect(out).toEqual({ first: 0, 'foo.bar': 1, 'foo.deep.x': [1, 2], 'foo.none': {}, last: 9 });
    expect(Object.keys(out)).toEqual(['first', 'foo.bar', 'foo.deep.x', 'foo.none', 'last']);
    expect(flattenFields({ foo: 'text' }, ['foo'])).toEqual({ foo: 'text' });
  });

  it('hidden fields, clean items and failed pages', () => {
    expect(dropHidden({ '#a': 1, b: 2, 'c#': 3 })).toEqual({ b: 2, 'c#': 3 });
    expect(isCleanItem({ '#a': 1 })).toBe(false);
    expect(isCleanItem({})).toBe(false);
    expect(isCleanItem({ '#a': 1, b: undefined })).toBe(true);
    expect(isCleanItem([1])).toBe(false);
    expect(isFailedPage({ errorInfo: 'x' })).toBe(true);
    expect(isFailedPage({ errorInfo: null })).toBe(false);
    expect(isFailedPage({})).toBe(false);
  });

  it('never lets a "__proto__" key change the prototype', () => {
    const item = JSON.parse('{"__proto__": {"polluted": true}, "a": 1, "o": {"__proto__": {"p": 1}}}');
    const records = [
      ...transform({ fields: ['__proto__', 'a'] })(item),
      ...transform({ omit: ['a'] })(item),
      ...transform({ unwind: 'o' })(item),
      ...transform({ flatten: 'o' })(item),
      ...transform({ skipHidden: true })(item),
    ];
    for (const record of records) expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(transform({ fields: ['__proto__'] })(item)[0]!, '__proto__')).toBe(true);
  });

  it('runs the steps in the documented order', () => {
    // fields before unwind (simplified relies on it), flatten after unwind, hidden and empty last.
    const run = transform({ fields: ['r', '#h'], unwind: 'r', flatten: 'nested', clean: true });
    const item = { r: [{ nested: { a: 1 }, '#x': 1 }, { '#only': 1 }], '#h': 1, dropped: 1 };
    expect(run(item)).toEqual([{ 'nested.a': 1 }]);
  });

  it('does not touch what it does not have to, nor values that are not objects', () => {
    const item = { a: 1 };
    expect(transform({})(item)[0]).toBe(item);
    expect(transform({ fields: ['a'] })(7)).toEqual([7]);
    expect(transform({ skipFailedPages: true })({ errorInfo: { code: 1 } })).toEqual([]);
  });
});

describe('item list options', () => {
  it('applies defaults', () => {
    expect(normalizeItemListOptions()).toEqual({
      offset: 0,
      limit: undefined,
      desc: false,
      chunkSize: undefined,
      skipHidden: false,
      skipEmpty: false,
      skipFailedPages: false,
    });
  });

  it('takes lists as arrays or comma strings, trimming blanks', () => {
    const options = normalizeItemListOptions({ fields: 'a, b,,c', omit: [' x '], unwind: '', flatten: [] });
    expect(options.fields).toEqual(['a', 'b', 'c']);
    expect(options.omit).toEqual(['x']);
    expect(options.unwind).toBeUndefined();
    expect(options.flatten).toBeUndefined();
  });

  it('expands clean and simplified; limit 0 means no limit', () => {
    expect(normalizeItemListOptions({ clean: true })).toMatchObject({ skipHidden: true, skipEmpty: true });
    expect(normalizeItemListOptions({ simplified: true })).toMatchObject({
      fields: ['url', 'pageFunctionResult', 'errorInfo'],
      unwind: ['pageFunctionResult'],
    });
    expect(normalizeItemListOptions({ limit: 0 }).limit).toBeUndefined();
  });

  it('accepts what Crawlee and apify-client pass along, ignores undefined values', () => {
    expect(() =>
      normalizeItemListOptions({ format: 'json', signature: 's', chunkSize: 10, omit: undefined }),
    ).not.toThrow();
  });

  it('refuses what it cannot honour with STORAGE_INVALID_OPTION', () => {
    const bad = [
      null,
      'fields=a',
      { view: 'overview' },
      { format: 'csv' },
      { simplified: true, fields: ['a'] },
      { outputFields: 'a' },
      { fields: 'a,b', outputFields: 'x' },
      { chunkSize: 0 },
      { offset: Number.NaN },
      { limit: Number.POSITIVE_INFINITY },
      { unwind: [null] },
    ];
    for (const options of bad) {
      expect(() => normalizeItemListOptions(options), JSON.stringify(options)).toThrowError(
        expect.objectContaining({ code: 'STORAGE_INVALID_OPTION' }),
      );
    }
  });
});
