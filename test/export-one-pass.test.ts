import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dictionary, ExportFormat } from '../src/client/types.js';
import { isStorageError } from '../src/errors.js';
import { exportStream, type ItemSource } from '../src/export/index.js';
import { itemFileName } from '../src/fs/layout.js';
import { createFsClient, Dataset } from '../src/index.js';
import { collect, sourceOf, streamError } from './helpers/export.js';
import { referenceCsv, referenceHtmlRows, referenceTable } from './helpers/export-reference.js';
import { tempDir } from './helpers/tmp.js';

const TABULAR: readonly ExportFormat[] = ['csv', 'html', 'xlsx'];
const run = promisify(execFile);

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEXTS = ['plain', 'a,b', 'say "hi"', 'line 1\nline 2', '=SUM(A1)', '-1', 'Zoë 😀 שלום', '', '<b>&</b>'];

/** Items whose columns keep appearing late, at every depth, so that column order ≠ order found. */
function randomItems(count: number, seed: number): Dictionary[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const scalar = (): unknown =>
    pick([() => pick(TEXTS), () => Math.round(next() * 2000 - 1000) / 8, () => next() < 0.5, () => null])();
  const value = (depth: number, keys: number): unknown => {
    const roll = next();
    if (depth > 2 || roll < 0.6) return roll < 0.03 ? undefined : scalar();
    if (roll < 0.75) return Array.from({ length: Math.floor(next() * 3) }, () => value(depth + 1, keys));
    const object: Dictionary = {};
    for (let i = 0; i < 1 + Math.floor(next() * 3); i++)
      object[`k${Math.floor(next() * keys)}`] = value(depth + 1, keys);
    return object;
  };
  return Array.from({ length: count }, (_, i) => {
    const item: Dictionary = {};
    // Key pools grow with the item number: new columns keep coming, nested under old ones too.
    const keys = 2 + Math.floor(Math.sqrt(i));
    for (let k = 0; k < 1 + Math.floor(next() * 4); k++)
      item[`f${Math.floor(next() * keys)}`] = value(0, keys);
    return item;
  });
}

async function sheetRows(bytes: Buffer): Promise<unknown[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  workbook.worksheets[0]?.eachRow({ includeEmpty: true }, (row) => {
    const values = (row.values as unknown[]).slice(1); // 1-based and sparse
    rows.push(Array.from({ length: values.length }, (_, i) => values[i] ?? null));
  });
  return rows;
}

/**
 * A row as exceljs reads it back: empty text and missing values are both empty cells, and a row
 * ends at its last value.
 */
function trimmed(row: readonly unknown[]): unknown[] {
  const cells = row.map((v) => (v === undefined || v === '' ? null : v));
  while (cells.length > 0 && cells.at(-1) === null) cells.pop();
  return cells;
}

describe('tabular exports read the items once', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  it('call the source once, also when later items add columns', async () => {
    for (const format of TABULAR) {
      const source = sourceOf([{ a: 1 }, { a: 2, late: { x: 'y' } }, {}]);
      await collect(exportStream(format, source, { tempDir: dir }));
      expect(source.passes, format).toBe(1);
    }
    const source = sourceOf([{ a: 1 }, { a: 2, late: { x: 'y' } }, {}]);
    expect((await collect(exportStream('csv', source, { bom: false }))).toString()).toBe(
      'a,late/x\n1,\n2,y\n,\n',
    );
  });

  it('read each item file of a dataset once: files changed after the first pass do not show', async () => {
    const storageDir = join(dir, 'storage');
    const client = createFsClient({ storageDir });
    const { id } = await client.datasets().getOrCreate('one-pass');
    const items = Array.from({ length: 50 }, (_, i) => ({ n: i, title: `item ${i}` }));
    await client.dataset(id).pushItems(items);
    const folder = join(storageDir, 'datasets', 'one-pass');
    for (const format of TABULAR) {
      const stream = await client.dataset(id).iterateItems();
      let passes = 0;
      const source: ItemSource = async function* () {
        passes += 1;
        yield* stream.items();
        // Once every file has been read, each is replaced: a second read would see other values
        // and a column the first did not.
        for (let n = 1; n <= items.length; n++) {
          await writeFile(
            join(folder, itemFileName(n)),
            JSON.stringify({ n: -n, title: 'replaced', extra: 1 }),
          );
        }
      };
      const bytes = await collect(exportStream(format, source, { bom: false }));
      expect(passes, format).toBe(1);
      if (format === 'xlsx') {
        const rows = await sheetRows(bytes);
        expect(rows[0]).toEqual(['n', 'title']);
        expect(rows.slice(1)).toEqual(items.map((item) => [item.n, item.title]));
      } else {
        const text = bytes.toString();
        expect(text).not.toContain('replaced');
        if (format === 'csv') expect(text).toBe(referenceCsv(items));
        else expect(text).toContain(referenceHtmlRows(items));
      }
      for (let n = 1; n <= items.length; n++) {
        await writeFile(join(folder, itemFileName(n)), JSON.stringify(items[n - 1]));
      }
    }
    await client.teardown();
  });
});

describe('one-pass tabular exports give the layout of the two-pass exporter', () => {
  it('csv: same bytes for items whose columns arrive late, nested under earlier ones', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const items = randomItems(400, seed);
      const text = (await collect(exportStream('csv', sourceOf(items), { bom: false }))).toString();
      expect(text, `seed ${seed}`).toBe(referenceCsv(items));
    }
  });

  it('csv: same bytes across the temp file buffers (thousands of rows, multibyte text, growing width)', async () => {
    const base = randomItems(300, 7);
    const items: Dictionary[] = Array.from({ length: 6000 }, (_, i) => ({
      ...base[i % base.length],
      text: `${'😀é,"'.repeat(20)} ${i}`,
    }));
    items.push({ f0: { late: 'nested late column' }, zzz: 'last' });
    for (const [delimiter, escapeFormulas] of [
      [';', true],
      ['\t', false],
    ] as const) {
      const stream = exportStream('csv', sourceOf(items), { bom: false, delimiter, escapeFormulas });
      expect((await collect(stream)).toString()).toBe(referenceCsv(items, delimiter, escapeFormulas));
    }
  });

  it('csv: rows made before a column was added at the end get empty cells (same order as found)', async () => {
    const items: Dictionary[] = [
      {},
      { a: 1 },
      { a: 2, b: 'x' },
      ...Array.from({ length: 3000 }, (_, i) => ({ a: i })),
    ];
    items.push({ a: 0, b: 'y', c: { d: true } });
    const text = (await collect(exportStream('csv', sourceOf(items), { bom: false }))).toString();
    expect(text).toBe(referenceCsv(items));
    expect(text.startsWith('a,b,c/d\n,,\n1,,\n2,x,\n0,,\n')).toBe(true);
  });

  it('csv and html: a multi-megabyte cell in a row laid out again stays whole', async () => {
    const huge = `${'é😀"'.repeat(400_000)}end`; // about 3.6 MB of UTF-8: several reads of the temp file
    const sameOrder: Dictionary[] = [
      { b: 'first' },
      { a: huge, b: 'x' },
      { a: { late: 1 }, b: 'y' },
      { c: 3 },
    ];
    // b/y is found after a, but goes before it: the rows are cut into fields and put together again.
    const reordered: Dictionary[] = [
      { b: { x: 1 } },
      { a: huge, b: { x: 2 } },
      { a: { late: 1 }, b: { y: 3 } },
    ];
    for (const items of [sameOrder, reordered]) {
      const csv = (await collect(exportStream('csv', sourceOf(items), { bom: false }))).toString();
      expect(csv).toBe(referenceCsv(items));
      const html = (await collect(exportStream('html', sourceOf(items)))).toString();
      expect(html).toContain(referenceHtmlRows(items));
    }
    expect(referenceTable([{ b: { x: 1 } }, { a: 1, b: { y: 2 } }]).names).toEqual(['b/x', 'b/y', 'a']);
  });

  it('html: same rows', async () => {
    const items = randomItems(500, 11);
    const html = (await collect(exportStream('html', sourceOf(items)))).toString();
    expect(html).toContain(`<tbody>\n${referenceHtmlRows(items)}</tbody>`);
    const { names } = referenceTable(items);
    expect(html).toContain(
      `<tr>${names.map((name) => `<th>${name.replace(/&/g, '&amp;')}</th>`).join('')}</tr>`,
    );
  });

  it('xlsx: same header and typed cells', async () => {
    const items = randomItems(600, 13);
    items.push({ big: 1e21, nan: Number.NaN, text: '=1+1' });
    const rows = await sheetRows(await collect(exportStream('xlsx', sourceOf(items))));
    const { names, rows: expected } = referenceTable(items);
    expect(rows[0]).toEqual(names.map((name) => (/^[=+\-@]/.test(name) ? `'${name}` : name)));
    const back = rows.slice(1).map(trimmed);
    const want = expected.map((row) =>
      trimmed(row.map((cell) => (typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell))),
    );
    expect(back.slice(0, -1)).toEqual(want.slice(0, -1));
    const last = rows.at(-1) as unknown[];
    expect(last.filter((v) => v !== null)).toHaveLength(3);
    expect(last).toContain(1e21);
    expect(last).toContain("'=1+1");
  });
});

describe('the temp file of a tabular export', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  const items = Array.from({ length: 5000 }, (_, i) => ({ i, text: `row ${i}` }));

  it('is made in tempDir and removed when the export ends', async () => {
    for (const format of TABULAR) {
      let seen: string[] = [];
      const source: ItemSource = async function* () {
        yield* items;
        seen = await readdir(dir); // the spill exists while the export runs
      };
      await collect(exportStream(format, source, { tempDir: dir }));
      expect(seen, format).toHaveLength(1);
      expect(await readdir(dir), format).toEqual([]);
    }
  });

  it('is removed when the export fails (column limit, bad item, source error)', async () => {
    const wide = Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [`c${i}`, i]));
    const failing: ItemSource = async function* () {
      yield* items;
      throw new Error('EIO: disk gone');
    };
    for (const format of TABULAR) {
      const limit = await streamError(exportStream(format, sourceOf([...items, wide]), { tempDir: dir }));
      expect(isStorageError(limit, 'STORAGE_INVALID_VALUE'), format).toBe(true);
      const notObject = sourceOf([...items, 'text' as unknown as Dictionary]);
      const bad = await streamError(exportStream(format, notObject, { tempDir: dir }));
      expect(isStorageError(bad, 'STORAGE_INVALID_VALUE'), format).toBe(true);
      const io = await streamError(exportStream(format, failing, { tempDir: dir }));
      expect(isStorageError(io, 'STORAGE_IO'), format).toBe(true);
      expect(await readdir(dir), format).toEqual([]);
    }
  });

  it('is removed when the reader goes away, while the items are read or while rows are written', async () => {
    for (const format of TABULAR) {
      const endless: ItemSource = async function* () {
        for (let i = 0; ; i++) {
          if (i % 100 === 0) await sleep(1);
          yield { i, text: 'x'.repeat(200) };
        }
      };
      const early = exportStream(format, endless, { tempDir: dir });
      early.on('error', () => {}); // a destroyed stream may report the stop; not the point here
      early.resume();
      await sleep(50);
      early.destroy();
      const many = Array.from({ length: 40_000 }, (_, i) => ({ i, text: 'y'.repeat(200) }));
      const late = exportStream(format, sourceOf(many), { tempDir: dir });
      const iterator = late[Symbol.asyncIterator]();
      await iterator.next(); // the first output: every item has been read, rows are being written
      late.destroy();
      for (let i = 0; i < 100 && (await readdir(dir)).length > 0; i++) await sleep(20);
      expect(await readdir(dir), format).toEqual([]);
    }
  });

  it('takes tempDir through Dataset.exportToFile, with the item options', async () => {
    const dataset = await Dataset.open('temp-dir', { storageDir: join(dir, 'storage') });
    await dataset.pushData([
      { a: 1, b: 'x' },
      { a: 2, c: true },
    ]);
    const out = join(dir, 'out.csv');
    const missing = dataset.exportToFile(out, 'csv', { tempDir: join(dir, 'missing'), fields: ['c', 'a'] });
    await expect(missing).rejects.toMatchObject({ code: 'STORAGE_IO' }); // the folder reached the exporter
    const spills = join(dir, 'spills');
    await mkdir(spills);
    await dataset.exportToFile(out, 'csv', { tempDir: spills, fields: ['c', 'a'], bom: false });
    // `fields` picks and orders each item's fields; the columns still come from the items.
    expect(await readFile(out, 'utf8')).toBe('a,c\n1,\n2,true\n');
    expect(await readdir(spills)).toEqual([]);
  });

  it('is removed when the process exits in the middle of an export', async () => {
    const script = join(import.meta.dirname, 'processes', 'export-exit.ts');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, dir]);
    expect(stdout.trim()).toBe('entries 1'); // the spill was there when the process exited
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses an empty tempDir, and reports a missing one as STORAGE_IO', async () => {
    expect(() => exportStream('csv', sourceOf(items), { tempDir: '' })).toThrow(
      expect.objectContaining({ code: 'STORAGE_INVALID_OPTION' }),
    );
    const err = await streamError(exportStream('csv', sourceOf(items), { tempDir: join(dir, 'missing') }));
    expect(isStorageError(err, 'STORAGE_IO')).toBe(true);
  });
});
