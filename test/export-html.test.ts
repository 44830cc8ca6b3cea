import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { exportStream } from '../src/export/index.js';
import { exportBytes, exportText, SAMPLE_ITEMS, sourceOf, streamError } from './helpers/export.js';

function table(html: string): { title: string; header: string[]; body: string[][] } {
  const root = parse(html);
  return {
    title: root.querySelector('title')?.text ?? '',
    header: root.querySelectorAll('thead th').map((th) => th.text),
    body: root.querySelectorAll('tbody tr').map((tr) => tr.querySelectorAll('td').map((td) => td.text)),
  };
}

describe('html export', () => {
  it('writes a standalone page with one table: flattened header and one row per item', async () => {
    const html = await exportText('html', SAMPLE_ITEMS);
    expect(html.startsWith('<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).not.toContain('<script');
    const { title, header, body } = table(html);
    expect(title).toBe('Dataset items');
    expect(header.slice(0, 4)).toEqual(['name', 'address/city', 'address/street', 'tags/0']);
    expect(header).toContain('#debug/crawledAt');
    expect(body).toHaveLength(3);
    expect(body[0]?.slice(0, 5)).toEqual(['Paul Newman', 'Chicago', '', 'actor', 'racer']);
    expect(body[1]?.[0]).toBe('Zoë 😀 שלום');
    expect(body[1]?.[header.indexOf('note')]).toBe('line 1\nline 2, "quoted"; semi');
    expect(body[2]?.[header.indexOf('url')]).toBe('https://example.com/?a=1&b=<2>');
  });

  it('escapes markup in cells, column names and the title', async () => {
    const items = [{ '<b>col</b>': '<script>alert("x")</script>', q: 'it\'s & "that"' }];
    const html = await exportText('html', items, { feedTitle: '</title><script>' });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    const { title, header, body } = table(html);
    expect(title).toBe('</title><script>');
    expect(header).toEqual(['<b>col</b>', 'q']);
    expect(body).toEqual([['<script>alert("x")</script>', 'it\'s & "that"']]);
  });

  it('writes an empty table for an empty source and a BOM only when asked', async () => {
    const { header, body } = table(await exportText('html', []));
    expect(header).toEqual([]);
    expect(body).toEqual([]);
    expect((await exportBytes('html', []))[0]).toBe(0x3c);
    expect([...(await exportBytes('html', [], { bom: true })).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('has the same column limit as csv', async () => {
    const wide = Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [`c${i}`, i]));
    const err = await streamError(exportStream('html', sourceOf([wide])));
    expect(err).toMatchObject({ code: 'STORAGE_INVALID_VALUE' });
  });
});
