import { eachItem, type ItemSource } from './items.js';
import type { ResolvedExportOptions } from './options.js';
import { Chunker, type Progress } from './text-stream.js';
import { XML_DECLARATION } from './xml.js';
import { writeObject } from './xml-elements.js';
import { escapeXmlText } from './xml-text.js';

/**
 * `rss`: an RSS 2.0 document. The channel has `<title>`, `<link>` and `<description>` (from
 * `feedTitle`, `feedLink`, `feedDescription`), then one `<item>` per item whose properties are
 * written as child elements exactly as in `xml` — items with `title`, `link`, `description`,
 * `pubDate` or `guid` fields make a feed readers understand.
 */
export async function* rssPieces(
  source: ItemSource,
  options: ResolvedExportOptions,
  progress: Progress,
): AsyncGenerator<string> {
  yield `${XML_DECLARATION}<rss version="2.0">\n  <channel>\n` +
    `    <title>${escapeXmlText(options.feedTitle)}</title>\n` +
    `    <link>${escapeXmlText(options.feedLink)}</link>\n` +
    `    <description>${escapeXmlText(options.feedDescription)}</description>\n`;
  const chunks = new Chunker();
  for await (const item of eachItem(source)) {
    const chunk = chunks.add(writeObject('item', item, '    '));
    if (chunk !== undefined) yield chunk;
    progress.tick();
  }
  yield `${chunks.rest()}  </channel>\n</rss>\n`;
  progress.done();
}
