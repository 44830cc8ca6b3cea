import { eachItem, type ItemSource } from './items.js';
import type { ResolvedExportOptions } from './options.js';
import { Chunker, type Progress } from './text-stream.js';
import { writeObject } from './xml-elements.js';

/** The XML declaration every XML and RSS export starts with. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/**
 * `xml`: `<items>` holding one `<item>` per item (names from `xmlRoot` / `xmlRow`), properties as
 * nested elements (see xml-elements.ts), indented by two spaces.
 */
export async function* xmlPieces(
  source: ItemSource,
  options: ResolvedExportOptions,
  progress: Progress,
): AsyncGenerator<string> {
  yield `${XML_DECLARATION}<${options.xmlRoot}>\n`;
  const chunks = new Chunker();
  for await (const item of eachItem(source)) {
    const chunk = chunks.add(writeObject(options.xmlRow, item, '  '));
    if (chunk !== undefined) yield chunk;
    progress.tick();
  }
  yield `${chunks.rest()}</${options.xmlRoot}>\n`;
  progress.done();
}
