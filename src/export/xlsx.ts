import { PassThrough, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type ExcelJS from 'exceljs';
import { toStorageError } from '../errors.js';
import { neutraliseFormula } from './cells.js';
import type { Cell } from './columns.js';
import type { ItemSource } from './items.js';
import type { ResolvedExportOptions } from './options.js';
import { type RowLayout, RowSpill } from './spill.js';
import { spillItems } from './tabular.js';
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

/**
 * A cell as JSON in the export's temp file, already as the sheet will hold it. A number JSON
 * cannot write (NaN, ±Infinity) is kept as `{"n":"NaN"}`; anything else that is no JSON scalar
 * (which a dataset cannot hold) is kept as its text.
 */
function cellJson(cell: Cell, escapeFormulas: boolean): string {
  const value = xlsxValue(cell, escapeFormulas);
  if (typeof value === 'number' && !Number.isFinite(value)) return `{"n":"${value}"}`;
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return JSON.stringify(value);
  }
  return JSON.stringify(String(value));
}

/** A row in the temp file: a JSON array of the cells and a line break. */
function xlsxLayout(options: ResolvedExportOptions): RowLayout {
  return {
    start: '[',
    separator: ',',
    end: ']\n',
    empty: 'null',
    field: (cell) => cellJson(cell, options.escapeFormulas),
  };
}

/** The values of a row read back from the temp file. */
function rowValues(line: string): XlsxValue[] {
  const values = JSON.parse(line) as (XlsxValue | { n: string })[];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== null && typeof value === 'object') values[i] = Number(value.n);
  }
  return values as XlsxValue[];
}

/** The lines of the spilled rows (JSON holds no raw line break, so each line is a row). */
async function* lines(pieces: AsyncIterable<string | Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const piece of pieces) {
    const text = rest + (typeof piece === 'string' ? piece : decoder.write(piece));
    let at = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', at)) {
      yield text.slice(at, end);
      at = end + 1;
    }
    rest = text.slice(at);
  }
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
    private readonly names: readonly string[],
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
    if (this.names.length > 0) {
      this.add(this.names.map((name) => xlsxValue(name, this.options.escapeFormulas)));
    }
  }

  private add(values: XlsxValue[]): void {
    this.sheet?.addRow(values).commit();
    this.rows += 1;
  }
}

/** Writes the spilled rows into the workbook, at the pace the compressor and the reader allow. */
async function writeRows(
  out: PassThrough,
  sheets: SheetWriter,
  rows: AsyncIterable<string | Buffer>,
  progress: Progress,
): Promise<boolean> {
  for await (const line of lines(rows)) {
    sheets.addItemRow(rowValues(line));
    progress.tick();
    if (progress.items % YIELD_EVERY === 0) {
      await nextTurn(); // let the compressor run
      if (sheets.current) await zipCaughtUp(sheets.current, out);
      if (out.destroyed) return false; // the reader went away: stop
    }
  }
  return true;
}

async function writeWorkbook(
  out: PassThrough,
  source: ItemSource,
  options: ResolvedExportOptions,
  progress: Progress,
  maxRows: number,
): Promise<void> {
  const spill = await RowSpill.create(xlsxLayout(options), options.tempDir);
  try {
    const columns = await spillItems(source, 'xlsx', spill, progress, false);
    if (!columns || out.destroyed) return;
    // Loaded on first use: exceljs takes a while to load, and most exports are not xlsx.
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useStyles: false,
      useSharedStrings: false,
    });
    const sheets = new SheetWriter(workbook, columns.names, options, maxRows);
    if (!(await writeRows(out, sheets, spill.replay(columns.order), progress))) return;
    await spill.dispose(); // every row is in the workbook: gone before the output ends
    sheets.finish();
    await workbook.commit();
    progress.done();
  } finally {
    await spill.dispose();
  }
}

/**
 * `xlsx`: an Excel workbook written by exceljs' streaming WorkbookWriter. Sheet "Items" has a header
 * row of flattened column names and one row per item; numbers and booleans keep their type, null
 * and missing values are empty cells. Text is cut at {@link XLSX_MAX_CELL_CHARS} characters (Excel's
 * cell limit) and, with `escapeFormulas` (default), text starting like a formula gets a leading
 * `'`. Past {@link XLSX_MAX_ROWS} rows the items continue on sheet "Items 2" (with its own header).
 * The source is read once: rows wait in a temp file until the columns are known.
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
