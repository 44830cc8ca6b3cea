/**
 * The data every engine gets: deterministic items, records and requests, built from their number,
 * so that a checker can tell from a value alone where it belongs.
 */
import type { BenchRequest } from './engines.js';

/** A dataset item of about 350 bytes, shaped like a scraped product. */
export function makeItem(i: number): Record<string, unknown> {
  return {
    n: i,
    url: `https://shop.example.com/products/${i}`,
    title: `Product number ${i}, "quoted"`,
    price: Math.round(i * 1.5 * 100) / 100,
    inStock: i % 2 === 0,
    address: { city: 'Chicago', zip: `${60600 + (i % 100)}` },
    tags: ['lamp', i % 3 ? 'sale' : 'new'],
    description: 'A fine product, described at a little more length than the others.\nSecond line.',
  };
}

/** Items `from` … `from + count - 1`. */
export function makeItems(from: number, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => makeItem(from + i));
}

/** Key of small record `i`: zero-padded, so key order is number order. */
export function recordKey(i: number): string {
  return `record-${String(i).padStart(6, '0')}`;
}

/** A small JSON record value (about 150 bytes). */
export function makeRecord(i: number): Record<string, unknown> {
  return { n: i, state: 'crawled', cursor: `page-${i}`, seen: [i, i + 1, i + 2], note: 'x'.repeat(64) };
}

/** A 1 MB binary value, different for each `i`. */
export function makeBlob(i: number): Buffer {
  const buf = Buffer.alloc(1024 * 1024);
  for (let at = 0; at < buf.length; at += 4) buf.writeUInt32LE((at * 2654435761 + i) >>> 0, at);
  return buf;
}

/** URL of request `i`. */
export function requestUrl(i: number): string {
  return `https://shop.example.com/catalog/item-${i}`;
}

/** Request `i`, with its URL as unique key (as Crawlee computes it for such a URL). */
export function makeRequest(i: number): BenchRequest {
  const url = requestUrl(i);
  return { url, uniqueKey: url, method: 'GET', userData: { label: 'DETAIL', n: i } };
}

/** The number a request or item URL carries, or NaN. */
export function numberOf(url: string): number {
  const match = /(\d+)$/.exec(url);
  return match ? Number(match[1]) : Number.NaN;
}
