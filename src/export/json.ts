import { type ItemSource, stringifyItem } from './items.js';
import { Chunker, type Progress } from './text-stream.js';

/**
 * `json`: an array with each item pretty-printed (two spaces) and items separated by `,\n`, the
 * layout the Apify API returns:
 * ```
 * [{
 *   "a": 1
 * },
 * {
 *   "a": 2
 * }]
 * ```
 * An empty source gives `[]`. `JSON.parse` reads it back to the same items.
 */
export async function* jsonPieces(source: ItemSource, progress: Progress): AsyncGenerator<string> {
  const chunks = new Chunker();
  chunks.add('[');
  let index = 0;
  for await (const item of source()) {
    const text = stringifyItem(item, index, 2);
    const chunk = chunks.add(index === 0 ? text : `,\n${text}`);
    if (chunk !== undefined) yield chunk;
    index += 1;
    progress.tick();
  }
  yield `${chunks.rest()}]`;
  progress.done();
}

/** `jsonl`: one compact JSON object per line, each line ending in `\n`; an empty source gives ``. */
export async function* jsonlPieces(source: ItemSource, progress: Progress): AsyncGenerator<string> {
  const chunks = new Chunker();
  let index = 0;
  for await (const item of source()) {
    const chunk = chunks.add(`${stringifyItem(item, index)}\n`);
    if (chunk !== undefined) yield chunk;
    index += 1;
    progress.tick();
  }
  yield chunks.rest();
  progress.done();
}
