/**
 * Turns a record file back into a value, as apify-client does with a response body: JSON parsed
 * (with json5 as a fallback, for a hand-edited INPUT.json with comments or trailing commas),
 * `text/*` and `application/*xml` as strings, anything else as a Buffer.
 */
import JSON5 from 'json5';
import {
  BINARY_CONTENT_TYPE,
  charsetOf,
  isJsonType,
  isStringType,
  JSON_CONTENT_TYPE,
  TEXT_CONTENT_TYPE,
} from './content-type.js';

/** A decoded value, or the reason the file does not parse as its content type says. */
export type Decoded = { state: 'ok'; value: unknown } | { state: 'corrupt'; error: Error };

/** How many leading bytes decide the content type of a file without extension. */
export const SNIFF_BYTES = 4096;

/** Parses JSON text, falling back to json5; strips a byte-order mark first. */
export function parseJsonText(text: string): Decoded {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { state: 'ok', value: JSON.parse(clean) };
  } catch (err) {
    try {
      return { state: 'ok', value: JSON5.parse(clean) };
    } catch {
      return { state: 'corrupt', error: err as Error }; // report JSON's own message, the clearer one
    }
  }
}

/** Decodes a record file according to its content type. */
export function decodeValue(buf: Buffer, contentType: string): Decoded {
  if (isJsonType(contentType)) return parseJsonText(buf.toString(charsetOf(contentType)));
  if (isStringType(contentType)) return { state: 'ok', value: buf.toString(charsetOf(contentType)) };
  return { state: 'ok', value: buf };
}

function isUtf8Text(prefix: Buffer): boolean {
  if (prefix.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(prefix, { stream: true });
    return true;
  } catch {
    return false; // not valid UTF-8: binary
  }
}

/**
 * The content type of a file without extension (an `INPUT` placed by hand), from its first bytes:
 * JSON when it starts like an object or array, text when it is UTF-8, else binary.
 */
export function sniffContentType(prefix: Buffer): string {
  if (!isUtf8Text(prefix)) return BINARY_CONTENT_TYPE;
  const first = prefix
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()[0];
  return first === '{' || first === '[' ? JSON_CONTENT_TYPE : TEXT_CONTENT_TYPE;
}
