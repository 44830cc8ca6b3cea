import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { Dictionary } from '../src/client/types.js';
import { isStorageError } from '../src/errors.js';
import { exportStream } from '../src/export/index.js';
import { exportBytes, exportText, SAMPLE_ITEMS, sourceOf } from './helpers/export.js';

/** Parses with every element as an array, attributes as `@_name`, text as strings. */
function parseXml(xml: string, trimValues = true): Dictionary {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    htmlEntities: true,
    trimValues,
    isArray: () => true,
  });
  return parser.parse(xml) as Dictionary;
}

/** What the parser above should give for a value written by the spec'd rules (the test oracle). */
function expected(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  const out: Dictionary = {};
  for (const [key, child] of Object.entries(value as Dictionary)) {
    const values = Array.isArray(child) ? child : [child];
    if (values.length === 0) continue;
    out[key.replace(/^#/, '_')] = values.map((entry) =>
      Array.isArray(entry) ? { [key]: entry.map(expected) } : expected(entry),
    );
  }
  return Object.keys(out).length === 0 ? '' : out;
}

function rows(parsed: Dictionary, root = 'items', row = 'item'): unknown[] {
  const rootEl = (parsed[root] as Dictionary[])[0] as Dictionary | '';
  return rootEl === '' ? [] : ((rootEl[row] as unknown[]) ?? []);
}

describe('xml export', () => {
  it('writes items as <items><item>…, arrays as repeated elements, null as empty elements', async () => {
    const xml = await exportText('xml', SAMPLE_ITEMS);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<items>\n  <item>\n')).toBe(true);
    expect(xml).toContain('    <tags>actor</tags>\n    <tags>racer</tags>\n');
    expect(xml).toContain('      <street/>\n');
    expect(rows(parseXml(xml))).toEqual(SAMPLE_ITEMS.map(expected));
  });

  it('uses xmlRoot and xmlRow', async () => {
    const xml = await exportText('xml', [{ a: 1 }, { a: 2 }], { xmlRoot: 'products', xmlRow: 'product' });
    expect(rows(parseXml(xml), 'products', 'product')).toEqual([{ a: ['1'] }, { a: ['2'] }]);
  });

  it('writes an empty root for an empty source', async () => {
    const xml = await exportText('xml', []);
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<items>\n</items>\n');
    expect(rows(parseXml(xml))).toEqual([]);
  });

  it('makes every property name a valid XML name', async () => {
    const item = {
      '#debug': 1,
      '2024': 2,
      'first name': 3,
      xmlThing: 4,
      '': 5,
      'a:b': 6,
      'ok-name.x': 7,
      ünï_cødé: 8,
      '<script>': 9,
    };
    const parsed = rows(parseXml(await exportText('xml', [item])))[0];
    expect(parsed).toEqual({
      _debug: ['1'],
      _2024: ['2'],
      first_name: ['3'],
      _xmlThing: ['4'],
      _: ['5'],
      a_b: ['6'],
      'ok-name.x': ['7'],
      ünï_cødé: ['8'],
      _script_: ['9'],
    });
  });

  it('escapes markup, keeps CR and whitespace, and replaces characters XML cannot hold', async () => {
    const item = { s: '  <b>&amp;</b> "q" \'a\' ]]> \r\n end  ', ctl: 'a\u0001b\u0000c', lone: 'x\uD800y' };
    const xml = await exportText('xml', [item]);
    const parsed = rows(parseXml(xml, false))[0] as Dictionary;
    expect(parsed.s).toEqual([item.s]);
    expect(parsed.ctl).toEqual(['a\uFFFDb\uFFFDc']);
    expect(parsed.lone).toEqual(['x\uFFFDy']);
  });

  it('turns "@" into attributes and "#" into text, as the platform documents', async () => {
    const item = {
      address: [
        { '@': { type: 'home' }, street: '21st', city: 'Chicago' },
        { '@': { type: 'office', 'quote"d': 'a"b<c>&\n' }, '#': 'unknown' },
      ],
    };
    const xml = await exportText('xml', [item]);
    expect(xml).toContain('<address type="home">\n');
    expect(xml).toContain('<address type="office" quote_d="a&quot;b&lt;c&gt;&amp;&#10;">unknown</address>');
    const parsed = rows(parseXml(xml))[0] as { address: Dictionary[] };
    expect(parsed.address[0]).toEqual({ '@_type': ['home'], street: ['21st'], city: ['Chicago'] });
    expect(parsed.address[1]?.['#text']).toBe('unknown');
  });

  it('writes a BOM only when asked', async () => {
    expect((await exportBytes('xml', []))[0]).toBe(0x3c);
    expect([...(await exportBytes('xml', [], { bom: true })).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('refuses an xmlRoot or xmlRow that is not an XML name, before reading anything', () => {
    const source = sourceOf([{ a: 1 }]);
    for (const options of [{ xmlRoot: 'my items' }, { xmlRow: '1row' }, { xmlRoot: '' }, { xmlRow: 7 }]) {
      expect(() => exportStream('xml', source, options as never)).toThrowError(
        expect.objectContaining({ code: 'STORAGE_INVALID_OPTION' }),
      );
    }
    expect(source.passes).toBe(0);
  });
});

describe('rss export', () => {
  it('writes an RSS 2.0 channel with title, link, description and one <item> per item', async () => {
    const items = [
      { title: 'First <post>', link: 'https://example.com/1', description: 'A & B', tags: ['x', 'y'] },
      { title: 'Second', link: 'https://example.com/2', pubDate: 'Sat, 28 Nov 2026 10:00:00 GMT' },
    ];
    const xml = await exportText('rss', items, {
      feedTitle: 'Shop & news',
      feedDescription: 'New <products>',
      feedLink: 'https://shop.example.com/?a=1&b=2',
    });
    const parsed = parseXml(xml);
    const rss = (parsed.rss as Dictionary[])[0] as Dictionary;
    expect(rss['@_version']).toEqual(['2.0']);
    const channel = (rss.channel as Dictionary[])[0] as Dictionary;
    expect(channel.title).toEqual(['Shop & news']);
    expect(channel.description).toEqual(['New <products>']);
    expect(channel.link).toEqual(['https://shop.example.com/?a=1&b=2']);
    expect(channel.item).toEqual(items.map(expected));
  });

  it('has defaults for the channel and is valid for an empty source', async () => {
    const parsed = parseXml(await exportText('rss', []));
    const channel = ((parsed.rss as Dictionary[])[0] as { channel: Dictionary[] }).channel[0] as Dictionary;
    expect(channel.title).toEqual(['Dataset items']);
    expect(channel.link).toEqual(['about:blank']);
    expect(channel.description).toEqual(['Items exported by actor-storage']);
    expect(channel.item).toBeUndefined();
  });

  it('refuses feed options of the wrong type', () => {
    expect(() => exportStream('rss', sourceOf([]), { feedTitle: 5 as never })).toThrowError(
      expect.objectContaining({ code: 'STORAGE_INVALID_OPTION' }),
    );
    let error: unknown;
    try {
      exportStream('rss', sourceOf([]), { feedDescription: {} as never });
    } catch (err) {
      error = err;
    }
    expect(isStorageError(error, 'STORAGE_INVALID_OPTION')).toBe(true);
  });
});
