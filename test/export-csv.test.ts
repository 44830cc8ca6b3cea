import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Dictionary } from '../src/client/types.js';
import { isStorageError } from '../src/errors.js';
import { exportStream, MAX_COLUMN_NAME, MAX_COLUMNS } from '../src/export/index.js';
import { collect, exportBytes, exportText, SAMPLE_ITEMS, sourceOf, streamError } from './helpers/export.js';

function readCsv(text: string, delimiter = ','): string[][] {
  return parse(text, { bom: true, delimiter, relax_column_count: false }) as string[][];
}

describe('csv export', () => {
  it('flattens nested values into columns in first-appearance order, children next to their parent', async () => {
    const rows = readCsv(await exportText('csv', SAMPLE_ITEMS));
    expect(rows[0]).toEqual([
      'name',
      'address/city',
      'address/street',
      'tags/0',
      'tags/1',
      'tags/2',
      'visits/0/page',
      'visits/0/ms',
      'visits/1/page',
      'visits/1/ms',
      'age',
      'alive',
      '#debug/crawledAt',
      'price',
      'note',
      'url',
    ]);
    expect(rows[1]).toEqual([
      'Paul Newman',
      'Chicago',
      '',
      'actor',
      'racer',
      '',
      '/a',
      '120',
      '/b',
      '80',
      '83',
      'false',
      '2019-01-21T16:06:03.683Z',
      '',
      '',
      '',
    ]);
    const [, , second, third] = rows;
    expect(second?.[0]).toBe('Zoë 😀 שלום');
    expect(second?.slice(3, 6)).toEqual(['a', 'b', 'c']);
    expect(second?.[13]).toBe('-12.5');
    expect(second?.[14]).toBe('line 1\nline 2, "quoted"; semi');
    expect(third?.[15]).toBe('https://example.com/?a=1&b=<2>');
    expect(rows).toHaveLength(4);
  });

  it('starts with a UTF-8 BOM by default and not with bom: false', async () => {
    const withBom = await exportBytes('csv', [{ a: 1 }]);
    expect([...withBom.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const without = await exportBytes('csv', [{ a: 1 }], { bom: false });
    expect(without.toString('utf8')).toBe('a\n1\n');
  });

  it('quotes delimiters, quotes, CR and LF, and reads back exactly', async () => {
    const nasty = ['a,b', 'say "hi"', 'cr\rhere', 'lf\nhere', 'crlf\r\nhere', ' padded ', '', 'tab\there'];
    const items = nasty.map((value) => ({ value }));
    const text = await exportText('csv', items, { bom: false });
    expect(
      readCsv(text)
        .slice(1)
        .map((row) => row[0]),
    ).toEqual(nasty);
    // Quoted in the raw text too, for readers that take a bare CR for a line end.
    expect(text).toContain('\n"cr\rhere"\n');
    expect(text).toContain('\n"crlf\r\nhere"\n');
    expect(text).toContain('\n"say ""hi"""\n');
    expect(text).toContain('\n padded \n');
  });

  it('writes null, missing, booleans and numbers as the platform does', async () => {
    const items = [
      { n: 0, b: true, z: null, f: 1.25, big: 1e21 },
      { b: false, extra: 'x' },
    ];
    const text = await exportText('csv', items, { bom: false });
    expect(text).toBe('n,b,z,f,big,extra\n0,true,,1.25,1e+21,\n,false,,,,x\n');
  });

  it('honours delimiter (semicolon, tab) and quotes fields holding it', async () => {
    const items = [{ a: 'x;y', b: 'p\tq', c: 'plain,comma' }];
    const semi = await exportText('csv', items, { delimiter: ';', bom: false });
    expect(semi).toBe('a;b;c\n"x;y";p\tq;plain,comma\n');
    expect(readCsv(semi, ';')[1]).toEqual(['x;y', 'p\tq', 'plain,comma']);
    const tab = await exportText('csv', items, { delimiter: '\t' });
    expect(readCsv(tab, '\t')[1]).toEqual(['x;y', 'p\tq', 'plain,comma']);
  });

  it('leaves out the header row with skipHeaderRow', async () => {
    const text = await exportText('csv', [{ a: 1, b: 2 }], { skipHeaderRow: true, bom: false });
    expect(text).toBe('1,2\n');
  });

  it('neutralises formulas in text cells and headers, not in numbers', async () => {
    const items = [
      { '=name': '=HYPERLINK("http://evil","x")', plus: '+1', minus: '-2', at: '@SUM(A1)', n: -5 },
      { '=name': '\tTAB', plus: '\rCR', minus: '＝full', at: 'safe', n: 3 },
    ];
    const rows = readCsv(await exportText('csv', items));
    expect(rows[0]?.[0]).toBe("'=name");
    expect(rows[1]).toEqual(['\'=HYPERLINK("http://evil","x")', "'+1", "'-2", "'@SUM(A1)", '-5']);
    expect(rows[2]).toEqual(["'\tTAB", "'\rCR", "'＝full", 'safe', '3']);
    const raw = readCsv(await exportText('csv', items, { escapeFormulas: false }));
    expect(raw[1]).toEqual(['=HYPERLINK("http://evil","x")', '+1', '-2', '@SUM(A1)', '-5']);
  });

  it('gives the BOM alone for an empty source, and for items without any field', async () => {
    expect(await exportText('csv', [], { bom: false })).toBe('');
    expect([...(await exportBytes('csv', []))]).toEqual([0xef, 0xbb, 0xbf]);
    expect(await exportText('csv', [{}, { a: [], b: {} }], { bom: false })).toBe('');
  });

  it('keeps a 1 MB cell and unicode intact', async () => {
    const huge = `${'é😀'.repeat(300_000)}"end"`;
    const rows = readCsv(await exportText('csv', [{ huge, rtl: 'مرحبا بالعالم' }]));
    expect(rows[1]?.[0]).toBe(huge);
    expect(rows[1]?.[1]).toBe('مرحبا بالعالم');
  });

  it('reads the source once, a column found late included', async () => {
    const items: Dictionary[] = [{ a: 1 }, { a: 2 }];
    let pass = 0;
    const growing = async function* () {
      pass += 1;
      yield* items;
      if (pass > 1) yield { a: 3, late: 'only a second pass would see this' };
    };
    const text = (await collect(exportStream('csv', growing, { bom: false }))).toString();
    expect(pass).toBe(1);
    expect(text).toBe('a\n1\n2\n');
    const source = sourceOf([...items, { a: 3, late: 'x' }]);
    expect((await collect(exportStream('csv', source, { bom: false }))).toString()).toBe(
      'a,late\n1,\n2,\n3,x\n',
    );
    expect(source.passes).toBe(1);
  });

  it(`refuses more than ${MAX_COLUMNS} columns with STORAGE_INVALID_VALUE and writes nothing`, async () => {
    const wide: Dictionary = {};
    for (let i = 0; i <= MAX_COLUMNS; i++) wide[`c${i}`] = i;
    const stream = exportStream('csv', sourceOf([wide]));
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    const err = await streamError(stream);
    expect(isStorageError(err, 'STORAGE_INVALID_VALUE')).toBe(true);
    expect((err as { details: { limit: number } }).details.limit).toBe(MAX_COLUMNS);
    expect(bytes).toBe(0);
    const atLimit: Dictionary = {};
    for (let i = 0; i < MAX_COLUMNS; i++) atLimit[`c${i}`] = i;
    expect(readCsv(await exportText('csv', [atLimit]))[0]).toHaveLength(MAX_COLUMNS);
  });

  it('counts flattened columns toward the limit, across items', async () => {
    const items = [
      { list: Array.from({ length: 1500 }, (_, i) => i) },
      { other: Array.from({ length: 600 }) },
    ];
    (items[1] as { other: number[] }).other.fill(1);
    const err = await streamError(exportStream('csv', sourceOf(items)));
    expect(isStorageError(err, 'STORAGE_INVALID_VALUE')).toBe(true);
  });

  it(`refuses a column name over ${MAX_COLUMN_NAME} characters`, async () => {
    const ok = 'k'.repeat(MAX_COLUMN_NAME);
    expect(readCsv(await exportText('csv', [{ [ok]: 1 }]))[0]).toEqual([ok]);
    const nested = { a: { [ok]: 1 } }; // "a/" + 200 characters
    const err = await streamError(exportStream('csv', sourceOf([nested])));
    expect(isStorageError(err, 'STORAGE_INVALID_VALUE')).toBe(true);
    expect((err as { details: { column: string } }).details.column).toBe(`a/${ok}`);
  });

  it('refuses an item that is not an object', async () => {
    const err = await streamError(exportStream('csv', sourceOf([{ a: 1 }, [1, 2] as unknown as Dictionary])));
    expect(isStorageError(err, 'STORAGE_INVALID_VALUE')).toBe(true);
  });
});
