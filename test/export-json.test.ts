import { describe, expect, it } from 'vitest';
import type { Dictionary } from '../src/client/types.js';
import { isStorageError } from '../src/errors.js';
import { exportStream } from '../src/export/index.js';
import { exportBytes, exportText, SAMPLE_ITEMS, sourceOf, streamError } from './helpers/export.js';

describe('json export', () => {
  it('writes the API layout: pretty items separated by ",\\n" inside [ ]', async () => {
    const text = await exportText('json', [{ a: 1, b: { c: [1, 2] } }, { a: 2 }]);
    expect(text).toBe(
      '[{\n  "a": 1,\n  "b": {\n    "c": [\n      1,\n      2\n    ]\n  }\n},\n{\n  "a": 2\n}]',
    );
  });

  it('reads back to the same items, hidden fields and unicode included', async () => {
    expect(JSON.parse(await exportText('json', SAMPLE_ITEMS))).toEqual(SAMPLE_ITEMS);
  });

  it('writes [] for an empty source, without a BOM unless asked', async () => {
    expect(await exportText('json', [])).toBe('[]');
    const withBom = await exportBytes('json', [], { bom: true });
    expect([...withBom]).toEqual([0xef, 0xbb, 0xbf, 0x5b, 0x5d]);
  });

  it('keeps a 1 MB string intact across chunk boundaries', async () => {
    const huge = 'x😀'.repeat(350_000);
    const items = [{ before: 1 }, { huge }, { after: 2 }];
    expect(JSON.parse(await exportText('json', items))).toEqual(items);
  });

  it('streams many items in several chunks', async () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({ i, text: `item ${i}` }));
    let chunks = 0;
    const stream = exportStream('json', sourceOf(items));
    const parts: Buffer[] = [];
    for await (const chunk of stream) {
      chunks += 1;
      parts.push(chunk as Buffer);
    }
    expect(chunks).toBeGreaterThan(1);
    expect(JSON.parse(Buffer.concat(parts).toString())).toEqual(items);
  });

  it('turns a value JSON cannot hold into STORAGE_INVALID_VALUE', async () => {
    const circular: Dictionary = { a: 1 };
    circular.self = circular;
    const err = await streamError(exportStream('json', sourceOf([circular])));
    expect(isStorageError(err, 'STORAGE_INVALID_VALUE')).toBe(true);
    const big = await streamError(exportStream('jsonl', sourceOf([{ n: 1n }])));
    expect(isStorageError(big, 'STORAGE_INVALID_VALUE')).toBe(true);
  });
});

describe('jsonl export', () => {
  it('writes one compact object per line, each ending in \\n', async () => {
    const text = await exportText('jsonl', [{ a: 1 }, { b: 'x\ny' }]);
    expect(text).toBe('{"a":1}\n{"b":"x\\ny"}\n');
  });

  it('reads back line by line to the same items', async () => {
    const lines = (await exportText('jsonl', SAMPLE_ITEMS)).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line))).toEqual(SAMPLE_ITEMS);
  });

  it('writes nothing for an empty source', async () => {
    expect((await exportBytes('jsonl', [])).length).toBe(0);
  });
});
