import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import { describe, expect, it, vi } from 'vitest';
import type { Dictionary } from '../src/client/types.js';
import { exportStream, XLSX_MAX_CELL_CHARS } from '../src/export/index.js';
import { resolveExportOptions } from '../src/export/options.js';
import { createProgress } from '../src/export/text-stream.js';
import { sheetZipInput, xlsxReadable } from '../src/export/xlsx.js';
import { collect, exportBytes, SAMPLE_ITEMS, sourceOf, streamError } from './helpers/export.js';

type Sheet = { name: string; rows: unknown[][] };

async function readWorkbook(buffer: Buffer): Promise<Sheet[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  return workbook.worksheets.map((sheet) => {
    const rows: unknown[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row) => {
      const values = (row.values as unknown[]).slice(1); // exceljs rows are 1-based
      rows.push(Array.from({ length: values.length }, (_, i) => values[i] ?? null));
    });
    return { name: sheet.name, rows };
  });
}

describe('xlsx export', () => {
  it('writes a workbook with a header row and typed cells', async () => {
    const bytes = await exportBytes('xlsx', SAMPLE_ITEMS);
    expect(bytes.subarray(0, 2).toString()).toBe('PK'); // a zip container, no BOM
    const [sheet, ...others] = await readWorkbook(bytes);
    expect(others).toEqual([]);
    expect(sheet?.name).toBe('Items');
    const [header, first, second, third] = sheet?.rows ?? [];
    expect(header?.slice(0, 5)).toEqual(['name', 'address/city', 'address/street', 'tags/0', 'tags/1']);
    const col = (name: string) => (header as string[]).indexOf(name);
    expect(first?.[col('name')]).toBe('Paul Newman');
    expect(first?.[col('address/street')]).toBeNull();
    expect(first?.[col('visits/1/ms')]).toBe(80);
    expect(first?.[col('alive')]).toBe(false);
    expect(first?.[col('#debug/crawledAt')]).toBe('2019-01-21T16:06:03.683Z');
    expect(second?.[col('name')]).toBe('Zoë 😀 שלום');
    expect(second?.[col('price')]).toBe(-12.5);
    expect(second?.[col('note')]).toBe('line 1\nline 2, "quoted"; semi');
    expect(third?.[col('url')]).toBe('https://example.com/?a=1&b=<2>');
    expect(sheet?.rows).toHaveLength(4);
  });

  it('neutralises formulas in text cells (not numbers) unless escapeFormulas is false', async () => {
    const items = [{ f: '=1+1', p: '+CMD', m: '-x', a: '@A1', n: -5 }];
    const [sheet] = await readWorkbook(await exportBytes('xlsx', items));
    expect(sheet?.rows[1]).toEqual(["'=1+1", "'+CMD", "'-x", "'@A1", -5]);
    const [raw] = await readWorkbook(await exportBytes('xlsx', items, { escapeFormulas: false }));
    expect(raw?.rows[1]).toEqual(['=1+1', '+CMD', '-x', '@A1', -5]);
  });

  it(`cuts text at Excel's ${XLSX_MAX_CELL_CHARS} characters without splitting an emoji`, async () => {
    const huge = `${'a'.repeat(XLSX_MAX_CELL_CHARS - 1)}😀${'b'.repeat(1_000_000)}`;
    const [sheet] = await readWorkbook(await exportBytes('xlsx', [{ huge, short: 'ok' }]));
    const cell = sheet?.rows[1]?.[0] as string;
    expect(cell).toBe('a'.repeat(XLSX_MAX_CELL_CHARS - 1));
    expect(sheet?.rows[1]?.[1]).toBe('ok');
  });

  it('writes an empty sheet for an empty source', async () => {
    const sheets = await readWorkbook(await exportBytes('xlsx', []));
    expect(sheets).toEqual([{ name: 'Items', rows: [] }]);
  });

  it('continues on a new sheet, with its own header, past the row limit', async () => {
    const items = Array.from({ length: 7 }, (_, i) => ({ i, label: `row ${i}` }));
    const options = resolveExportOptions('xlsx', {});
    const stream = xlsxReadable(sourceOf(items), options, createProgress(undefined), 3);
    const sheets = await readWorkbook(await collect(stream));
    expect(sheets.map((s) => s.name)).toEqual(['Items', 'Items 2', 'Items 3', 'Items 4']);
    expect(sheets[0]?.rows).toEqual([
      ['i', 'label'],
      [0, 'row 0'],
      [1, 'row 1'],
    ]);
    expect(sheets[3]?.rows).toEqual([
      ['i', 'label'],
      [6, 'row 6'],
    ]);
    const back = sheets.flatMap((s) => s.rows.slice(1).map(([i, label]) => ({ i, label })));
    expect(back).toEqual(items);
  });

  it('streams a few thousand rows and reports progress', async () => {
    const items: Dictionary[] = Array.from({ length: 3000 }, (_, i) => ({
      i,
      nested: { even: i % 2 === 0 },
    }));
    const seen: number[] = [];
    const bytes = await collect(exportStream('xlsx', sourceOf(items), { onProgress: (n) => seen.push(n) }));
    const [sheet] = await readWorkbook(bytes);
    expect(sheet?.rows).toHaveLength(3001);
    expect(sheet?.rows[3000]).toEqual([2999, false]);
    expect(seen).toEqual([1000, 2000, 3000, 3000]);
  });

  it('finds the stream exceljs feeds the zip with, which paces the rows', () => {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: new PassThrough() });
    const sheet = workbook.addWorksheet('Items');
    sheet.addRow([1]).commit();
    expect(sheetZipInput(sheet)).toBeDefined();
  });

  it('adds rows only as fast as the workbook is read', async () => {
    const total = 300_000;
    let passes = 0;
    const source = async function* () {
      passes += 1;
      for (let i = 0; i < total; i++) {
        yield { i, text: `row ${i}, some text that does not compress to nothing: ${Math.random()}` };
      }
    };
    // Rows reach the sheet through the worksheet writer's addRow: count them there.
    const probe = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: new PassThrough() });
    const sheetWriter = Object.getPrototypeOf(probe.addWorksheet('probe')) as { addRow: () => unknown };
    const addRow = vi.spyOn(sheetWriter, 'addRow');
    const stream = exportStream('xlsx', source);
    try {
      const iterator = stream[Symbol.asyncIterator]();
      await iterator.next(); // the first chunk of the zip, then the reader stops
      // Wait until the writer has stopped adding rows (or has added them all).
      let before = -1;
      for (
        let i = 0;
        i < 50 && addRow.mock.calls.length !== before && addRow.mock.calls.length < total;
        i++
      ) {
        before = addRow.mock.calls.length;
        await sleep(200);
      }
      expect(passes).toBe(1);
      expect(addRow.mock.calls.length).toBeGreaterThan(0);
      expect(addRow.mock.calls.length).toBeLessThan(total / 2); // some megabytes of buffers, not the whole sheet
    } finally {
      stream.destroy();
      addRow.mockRestore();
    }
  });

  it('fails with STORAGE_INVALID_VALUE past 2000 columns', async () => {
    const wide = Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [`c${i}`, i]));
    const err = await streamError(exportStream('xlsx', sourceOf([wide])));
    expect(err).toMatchObject({ code: 'STORAGE_INVALID_VALUE' });
  });
});
