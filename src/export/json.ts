import { type ItemSource, stringifyItem } from './items.js';
import type { Progress } from './text-stream.js';

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
  yield '[';
  let index = 0;
  for await (const item of source()) {
    const text = stringifyItem(item, index, 2);
    yield index === 0 ? text : `,\n${text}`;
    index += 1;
    progress.tick();
  }
  yield ']';
  progress.done();
}

/** `jsonl`: one compact JSON object per line, each line ending in `\n`; an empty source gives ``. */
export async function* jsonlPieces(source: ItemSource, progress: Progress): AsyncGenerator<string> {
  let index = 0;
  for await (const item of source()) {
    yield `${stringifyItem(item, index)}\n`;
    index += 1;
    progress.tick();
  }
  progress.done();
}
