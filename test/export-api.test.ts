import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dictionary, ExportFormat } from '../src/client/types.js';
import { isStorageError, StorageError } from '../src/errors.js';
import {
  EXPORT_CONTENT_TYPES,
  EXPORT_FILE_EXTENSIONS,
  EXPORT_FORMATS,
  exportStream,
  exportToFile,
  type ItemSource,
  isExportFormat,
} from '../src/export/index.js';
import { collect, sourceOf, streamError } from './helpers/export.js';
import { tempDir } from './helpers/tmp.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

/** Yields `count` items, then throws `error`. */
function failingSource(count: number, error: unknown): ItemSource {
  return async function* () {
    for (let i = 0; i < count; i++) yield { i, text: 'x'.repeat(100) };
    throw error;
  };
}

describe('export format tables', () => {
  it('has a content type and an extension for every format', () => {
    expect([...EXPORT_FORMATS].sort()).toEqual(['csv', 'html', 'json', 'jsonl', 'rss', 'xlsx', 'xml']);
    expect(Object.keys(EXPORT_CONTENT_TYPES).sort()).toEqual([...EXPORT_FORMATS].sort());
    expect(Object.keys(EXPORT_FILE_EXTENSIONS).sort()).toEqual([...EXPORT_FORMATS].sort());
    expect(EXPORT_CONTENT_TYPES.json).toBe('application/json; charset=utf-8');
    expect(EXPORT_CONTENT_TYPES.jsonl).toBe('application/jsonl; charset=utf-8');
    expect(EXPORT_CONTENT_TYPES.csv).toBe('text/csv; charset=utf-8');
    expect(EXPORT_CONTENT_TYPES.xlsx).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(EXPORT_CONTENT_TYPES.rss).toBe('application/rss+xml; charset=utf-8');
    expect(EXPORT_FILE_EXTENSIONS.xlsx).toBe('xlsx');
    expect(isExportFormat('csv')).toBe(true);
    expect(isExportFormat('CSV')).toBe(false);
    expect(isExportFormat(undefined)).toBe(false);
  });
});

describe('exportStream arguments', () => {
  it('refuses an unknown format with STORAGE_UNSUPPORTED_FORMAT before reading the source', () => {
    const source = sourceOf([{ a: 1 }]);
    for (const format of ['pdf', '', 'Csv', 42]) {
      const err = thrown(() => exportStream(format as ExportFormat, source));
      expect(isStorageError(err, 'STORAGE_UNSUPPORTED_FORMAT')).toBe(true);
    }
    expect(source.passes).toBe(0);
  });

  it('refuses options of the wrong type or value with STORAGE_INVALID_OPTION', () => {
    const bad: unknown[] = [
      { bom: 'yes' },
      { skipHeaderRow: 1 },
      { escapeFormulas: 'no' },
      { delimiter: '' },
      { delimiter: ';;' },
      { delimiter: '"' },
      { delimiter: '\n' },
      { delimiter: 9 },
      { onProgress: 'bar' },
      { feedLink: 1 },
      null,
      [],
      'csv',
    ];
    for (const options of bad) {
      const err = thrown(() => exportStream('csv', sourceOf([]), options as never));
      expect(isStorageError(err, 'STORAGE_INVALID_OPTION'), JSON.stringify(options)).toBe(true);
    }
    const err = thrown(() => exportStream('json', [] as never));
    expect(isStorageError(err, 'STORAGE_INVALID_OPTION')).toBe(true);
  });

  it('ignores keys it does not know, such as the item options of a download', async () => {
    const options = { fields: ['a'], offset: 3, clean: true, delimiter: '|' } as never;
    const text = (await collect(exportStream('csv', sourceOf([{ a: 1, b: 2 }]), options))).toString();
    expect(text).toBe('\uFEFFa|b\n1|2\n');
  });
});

describe('exportStream behaviour', () => {
  it('reports progress every 1000 items and once at the end', async () => {
    const items = Array.from({ length: 2500 }, (_, i) => ({ i }));
    for (const format of ['jsonl', 'csv'] as const) {
      const seen: number[] = [];
      await collect(exportStream(format, sourceOf(items), { onProgress: (n) => seen.push(n) }));
      expect(seen).toEqual([1000, 2000, 2500]);
    }
  });

  it('pulls items only as fast as the reader reads', async () => {
    let pulled = 0;
    const total = 20_000;
    const source: ItemSource = async function* () {
      for (let i = 0; i < total; i++) {
        pulled += 1;
        yield { i, text: 'y'.repeat(1000) };
      }
    };
    const stream = exportStream('jsonl', source);
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next(); // one chunk read, then the reader stops
    await sleep(100);
    expect(pulled).toBeGreaterThan(0);
    expect(pulled).toBeLessThan(1000); // a few 64 KiB chunks, not 20 MB of items
    stream.destroy();
  });

  it('stops the source when the reader goes away', async () => {
    let closed = false;
    const source: ItemSource = async function* () {
      try {
        for (let i = 0; ; i++) yield { i, text: 'z'.repeat(1000) };
      } finally {
        closed = true;
      }
    };
    const stream = exportStream('json', source);
    for await (const _chunk of stream) break; // leaving the loop destroys the stream
    await sleep(10);
    expect(closed).toBe(true);
  });

  it('stops reading the source, even in the column pass, when the stream is destroyed', async () => {
    for (const format of EXPORT_FORMATS) {
      let closed = false;
      const endless: ItemSource = async function* () {
        try {
          for (let i = 0; ; i++) {
            if (i % 100 === 0) await sleep(1); // a source that waits for its disk now and then
            yield { i };
          }
        } finally {
          closed = true;
        }
      };
      const stream = exportStream(format, endless);
      stream.on('error', () => {}); // destroying may surface the stop as an error; it is not the point here
      stream.resume();
      await sleep(30);
      stream.destroy();
      for (let i = 0; i < 50 && !closed; i++) await sleep(10);
      expect(closed, format).toBe(true);
    }
  });

  it('turns a raw error of the source into STORAGE_IO and passes StorageErrors through', async () => {
    for (const format of EXPORT_FORMATS) {
      const raw = new Error('EIO: disk gone');
      const err = await streamError(exportStream(format, failingSource(3, raw)));
      expect(isStorageError(err, 'STORAGE_IO'), format).toBe(true);
      expect((err as StorageError).cause).toBe(raw);
      const coded = new StorageError('STORAGE_CORRUPT', 'item 2 does not parse');
      expect(await streamError(exportStream(format, failingSource(3000, coded)))).toBe(coded);
    }
  });
});

describe('exportToFile', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  it('writes every format to a file, creating the folder, and returns its size', async () => {
    const items: Dictionary[] = [{ title: 'Lamp', price: 10, tags: ['a'] }];
    for (const format of EXPORT_FORMATS) {
      const path = join(dir, 'out', `items.${EXPORT_FILE_EXTENSIONS[format]}`);
      const { bytes } = await exportToFile(path, format, sourceOf(items));
      expect((await stat(path)).size).toBe(bytes);
      expect(bytes).toBeGreaterThan(0);
    }
    const json = JSON.parse(await readFile(join(dir, 'out', 'items.json'), 'utf8'));
    expect(json).toEqual(items);
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(
      EXPORT_FORMATS.map((f) => `items.${EXPORT_FILE_EXTENSIONS[f]}`).sort(),
    );
  });

  it('leaves an existing file as it was, and no temp file, when the export fails', async () => {
    const path = join(dir, 'items.csv');
    await writeFile(path, 'previous export');
    const failure = new StorageError('STORAGE_CORRUPT', 'item 5000 does not parse');
    await expect(exportToFile(path, 'jsonl', failingSource(5000, failure))).rejects.toBe(failure);
    const wide = Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [`c${i}`, i]));
    await expect(exportToFile(path, 'csv', sourceOf([wide]))).rejects.toMatchObject({
      code: 'STORAGE_INVALID_VALUE',
    });
    expect(await readFile(path, 'utf8')).toBe('previous export');
    expect(await readdir(dir)).toEqual(['items.csv']);
  });

  it('checks the format and options before touching the disk', async () => {
    const path = join(dir, 'new-folder', 'items.pdf');
    await expect(exportToFile(path, 'pdf' as ExportFormat, sourceOf([]))).rejects.toMatchObject({
      code: 'STORAGE_UNSUPPORTED_FORMAT',
    });
    await expect(exportToFile(path, 'csv', sourceOf([]), { delimiter: '' })).rejects.toMatchObject({
      code: 'STORAGE_INVALID_OPTION',
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports a filesystem failure as STORAGE_IO', async () => {
    await mkdir(join(dir, 'taken'));
    await writeFile(join(dir, 'taken', 'file'), 'x');
    // The target's parent is a file: neither the folder nor the temp file can be made.
    const err = await exportToFile(
      join(dir, 'taken', 'file', 'items.json'),
      'json',
      sourceOf([{ a: 1 }]),
    ).catch((e: unknown) => e);
    expect(isStorageError(err, 'STORAGE_IO')).toBe(true);
  });
});
