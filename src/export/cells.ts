import type { Cell } from './columns.js';

/**
 * First characters that make a spreadsheet read a cell as a formula: `=`, `+`, `-`, `@`, tab and
 * CR (OWASP "CSV Injection"), and the full-width `＝`, `＋`, `－`, `＠` some spreadsheets normalise.
 */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);

/**
 * Neutralises a text cell that a spreadsheet would run as a formula by putting a single quote in
 * front of it (`=HYPERLINK(…)` → `'=HYPERLINK(…)`), the OWASP advice. Other text is unchanged.
 * Applied to text only: a number such as -5 stays a number.
 */
export function neutraliseFormula(text: string): string {
  return text.length > 0 && FORMULA_START.has(text[0] as string) ? `'${text}` : text;
}

/** The text of a cell in csv and html: `''` for no value and null, `true`/`false`, numbers as JavaScript writes them. */
export function cellText(cell: Cell): string {
  if (cell === undefined || cell === null) return '';
  return typeof cell === 'string' ? cell : String(cell);
}
