import type { Readable } from 'node:stream';
import type { Dictionary, ExportFormat } from '../../src/client/types.js';
import { type ExportOptions, exportStream, type ItemSource } from '../../src/export/index.js';

/** A re-iterable in-memory source; `passes` counts how many times it was iterated. */
export function sourceOf(items: readonly Dictionary[]): ItemSource & { passes: number } {
  const source = Object.assign(
    async function* () {
      source.passes += 1;
      yield* items;
    },
    { passes: 0 },
  );
  return source;
}

/** Reads a stream to its end. */
export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Exports `items` and returns the bytes. */
export function exportBytes(
  format: ExportFormat,
  items: readonly Dictionary[],
  options?: ExportOptions,
): Promise<Buffer> {
  return collect(exportStream(format, sourceOf(items), options));
}

/** Exports `items` and returns the text (UTF-8, BOM kept). */
export async function exportText(
  format: ExportFormat,
  items: readonly Dictionary[],
  options?: ExportOptions,
): Promise<string> {
  return (await exportBytes(format, items, options)).toString('utf8');
}

/** The error a stream ends with (fails when it ends without one). */
export async function streamError(stream: Readable): Promise<unknown> {
  try {
    await collect(stream);
  } catch (err) {
    return err;
  }
  throw new Error('the stream ended without an error');
}

/** Items that exercise the writers: nesting, arrays of objects, scalars, unicode, hidden fields. */
export const SAMPLE_ITEMS: Dictionary[] = [
  {
    name: 'Paul Newman',
    address: { city: 'Chicago', street: null },
    tags: ['actor', 'racer'],
    visits: [
      { page: '/a', ms: 120 },
      { page: '/b', ms: 80 },
    ],
    age: 83,
    alive: false,
    '#debug': { crawledAt: '2019-01-21T16:06:03.683Z' },
  },
  {
    name: 'Zoë 😀 שלום',
    tags: ['a', 'b', 'c'],
    price: -12.5,
    note: 'line 1\nline 2, "quoted"; semi',
  },
  { url: 'https://example.com/?a=1&b=<2>' },
];
