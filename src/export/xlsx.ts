import { PassThrough, type Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import { toStorageError } from '../errors.js';
import { neutraliseFormula } from './cells.js';
import { type Cell, type Columns, collectColumns, toRow } from './columns.js';
import { eachItem, type ItemSource } from './items.js';
import type { ResolvedExportOptions } from './options.js';
import type { Progress } from './text-stream.js';

/** Rows of one worksheet in Excel, header included; further rows go to the next sheet. */
export const XLSX_MAX_ROWS = 1_048_576;
/** Characters one Excel cell can hold; longer text is cut there. */
export const XLSX_MAX_CELL_CHARS = 32_767;
/** Every this many rows, let the compressor run and wait for it (and the reader) to catch up. */
const YIELD_EVERY = 500;

type XlsxValue = string | number | boolean | null;

function cutText(text: string): string {
  if (text.length <= XLSX_MAX_CELL_CHARS) return text;
  const end = XLSX_MAX_CELL_CHARS;
  const code = text.charCodeAt(end - 1);
  // Never leave half of a surrogate pair at the end.
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
}

function xlsxValue(cell: Cell, escapeFormulas: boolean): XlsxValue {
  if (cell === undefined || cell === null) return null;
  if (typeof cell === 'string') return cutText(escapeFormulas ? neutraliseFormula(cell) : cell);
  return cell;
}

/** Internals of exceljs 4 / archiver reached for pacing; every step is checked before use. */
interface WritableLike {
  _writableState?: { length?: number };
  once(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

/**
 * The stream a sheet's XML is written into on its way to the zip (archiver's input for the sheet
 * entry). exceljs writes into it without waiting, so this is where unzipped XML piles up when the
 * compressor or the reader is slower than the rows come; `undefined` if exceljs changed shape.
 */
export function sheetZipInput(sheet: ExcelJS.Worksheet): WritableLike | undefined {
  const stream = (sheet as unknown as { stream?: { pipes?: unknown[] } }).stream;
  const input = Array.isArray(stream?.pipes) ? (stream.pipes[0] as WritableLike | undefined) : undefined;
  return typeof input?._writableState?.length === 'number' && typeof input.once === 'function'
    ? input
    : undefined;
}

/** Sheet XML allowed to wait for the compressor before rows stop being added. */
const ZIP_BACKLOG_BYTES = 1024 * 1024;

/**
 * Resolves once the compressor has caught up with the sheet XML written so far (it stops when the
 * reader of the workbook stops reading, so this is the reader's pace too), or the reader went away.
 */
function zipCaughtUp(sheet: ExcelJS.Worksheet, out: PassThrough): Promise<void> {
  const input = sheetZipInput(sheet);
  if (!input || (input._writableState?.length ?? 0) < ZIP_BACKLOG_BYTES || out.destroyed) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const done = () => {
      for (const event of ['drain', 'close', 'error']) input.off(event, done);
      out.off('close', done);
      resolve();
    };
    for (const event of ['drain', 'close', 'error']) input.once(event, done);
    out.once('close', done);
  });
}

class SheetWriter {
  private sheet: ExcelJS.Worksheet | undefined;
  private sheets = 0;
  private rows = 0;

  constructor(
    private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter,
    private readonly columns: Columns,
    private readonly options: ResolvedExportOptions,
    private readonly maxRows: number,
  ) {}

  addItemRow(values: XlsxValue[]): void {
    if (this.sheet === undefined || this.rows >= this.maxRows) this.nextSheet();
    this.add(values);
  }

  /** The sheet rows are going to. */
  get current(): ExcelJS.Worksheet | undefined {
    return this.sheet;
  }

  finish(): void {
    if (this.sheet === undefined) this.nextSheet();
    this.sheet?.commit();
  }

  private nextSheet(): void {
    this.sheet?.commit();
    this.sheets += 1;
    this.sheet = this.workbook.addWorksheet(this.sheets === 1 ? 'Items' : `Items ${this.sheets}`);
    this.rows = 0;
    if (this.columns.names.length > 0) {
      this.add(this.columns.names.map((name) => xlsxValue(name, this.options.escapeFormulas)));
    }
  }

  private add(values: XlsxValue[]): void {
    this.sheet?.addRow(values).commit();
    this.rows += 1;
  }
}

async function writeWorkbook(
  out: PassThrough,
  source: ItemSource,
  options: ResolvedExportOptions,
  progress: Progress,
  maxRows: number,
): Promise<void> {
  const collected = await collectColumns(source, 'xlsx', progress);
  if (!collected || out.destroyed) return;
  const { columns, itemCount } = collected;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
  });
  const sheets = new SheetWriter(workbook, columns, options, maxRows);
  for await (const item of eachItem(source, itemCount)) {
    const row = toRow(columns, item);
    const values = new Array<XlsxValue>(row.length);
    for (let i = 0; i < row.length; i++) values[i] = xlsxValue(row[i], options.escapeFormulas);
    sheets.addItemRow(values);
    progress.tick();
    if (progress.items % YIELD_EVERY === 0) {
      await nextTurn(); // let the compressor run
      if (sheets.current) await zipCaughtUp(sheets.current, out);
      if (out.destroyed) return; // the reader went away: stop reading the source
    }
  }
  sheets.finish();
  await workbook.commit();
  progress.done();
}

/**
 * `xlsx`: an Excel workbook written by exceljs' streaming WorkbookWriter. Sheet "Items" has a header
 * row of flattened column names and one row per item; numbers and booleans keep their type, null
 * and missing values are empty cells. Text is cut at {@link XLSX_MAX_CELL_CHARS} characters (Excel's
 * cell limit) and, with `escapeFormulas` (default), text starting like a formula gets a leading
 * `'`. Past {@link XLSX_MAX_ROWS} rows the items continue on sheet "Items 2" (with its own header).
 */
export function xlsxReadable(
  source: ItemSource,
  options: ResolvedExportOptions,
  progress: Progress,
  maxRows = XLSX_MAX_ROWS,
): Readable {
  const out = new PassThrough();
  writeWorkbook(out, source, options, progress, maxRows).catch((err: unknown) => {
    out.destroy(toStorageError(err, 'Export'));
  });
  return out;
}
