import type { Cell } from './columns.js';

/**
 * Neutralises a text cell that a spreadsheet would run as a formula by putting a single quote in
 * front of it (`=HYPERLINK(…)` → `'=HYPERLINK(…)`), the OWASP advice. A cell is neutralised when it
 * starts with `=`, `+`, `-`, `@`, tab or CR (OWASP "CSV Injection"), or with the full-width `＝`,
 * `＋`, `－`, `＠` that some spreadsheets normalise. Other text is unchanged. Applied to text only:
 * a number such as -5 stays a number.
 */
export function neutraliseFormula(text: string): string {
  switch (text.charCodeAt(0)) {
    case 0x3d: // =
    case 0x2b: // +
    case 0x2d: // -
    case 0x40: // @
    case 0x09: // tab
    case 0x0d: // CR
    case 0xff1d: // ＝
    case 0xff0b: // ＋
    case 0xff0d: // －
    case 0xff20: // ＠
      return `'${text}`;
    default:
      return text;
  }
}

/** The text of a cell in csv and html: `''` for no value and null, `true`/`false`, numbers as JavaScript writes them. */
export function cellText(cell: Cell): string {
  if (cell === undefined || cell === null) return '';
  return typeof cell === 'string' ? cell : String(cell);
}
