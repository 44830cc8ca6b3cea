/**
 * Turns a record value into bytes and a content type, the way the Apify API and Crawlee do:
 * objects, arrays, numbers, booleans and null → pretty JSON (`application/json; charset=utf-8`),
 * strings → text (`text/plain; charset=utf-8`), Buffers, typed arrays and streams → bytes
 * (`application/octet-stream`). An explicit content type is stored exactly as given.
 */
import { Readable } from 'node:stream';
import { StorageError } from '../../errors.js';
import { toJson } from '../atomic-write.js';
import {
  BINARY_CONTENT_TYPE,
  charsetOf,
  isJsonType,
  JSON_CONTENT_TYPE,
  TEXT_CONTENT_TYPE,
} from './content-type.js';
import { parseJsonText } from './decode.js';

/** What gets written: bytes in memory, or a stream that is never held in memory whole. */
export type Payload = { kind: 'bytes'; data: string | Uint8Array } | { kind: 'stream'; stream: Readable };

/** `type/subtype` with optional parameters; printable ASCII only (it becomes an HTTP header), ≤ 255 characters. */
const CONTENT_TYPE_RE = /^[a-zA-Z0-9!#$&^_.+-]+\/[a-zA-Z0-9!#$&^_.+-]+([ \t]*;[ -~\t]*)?$/;

/** True for a stream-like value (a Node Readable, or anything with `pipe` and `on`). */
export function isStreamValue(value: unknown): value is Readable {
  if (value instanceof Readable) return true;
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { pipe?: unknown; on?: unknown };
  return typeof v.pipe === 'function' && typeof v.on === 'function';
}

function asBytes(value: unknown): Uint8Array | undefined {
  if (Buffer.isBuffer(value)) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return undefined;
}

/**
 * Checks an explicit content type.
 * @throws StorageError `STORAGE_INVALID_VALUE`
 */
export function checkContentType(contentType: unknown): string {
  if (typeof contentType !== 'string' || contentType.length > 255 || !CONTENT_TYPE_RE.test(contentType)) {
    throw new StorageError(
      'STORAGE_INVALID_VALUE',
      `Invalid content type ${JSON.stringify(contentType)}: use a media type such as "image/png" or "text/html; charset=utf-8".`,
      { details: { contentType } },
    );
  }
  return contentType;
}

/**
 * A string or bytes stored as JSON must read back as JSON (json5 accepted, as when reading):
 * otherwise the first read would find it corrupt.
 */
function checkJsonText(data: string | Uint8Array, contentType: string): void {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString(charsetOf(contentType));
  if (parseJsonText(text).state === 'corrupt') {
    throw new StorageError(
      'STORAGE_INVALID_VALUE',
      `The record value is not valid JSON but its content type is "${contentType}"; fix the value or use another content type.`,
      { details: { contentType } },
    );
  }
}

/**
 * Serialises a record value. Nothing is written before this succeeds.
 * @throws StorageError `STORAGE_INVALID_VALUE` for a value that is not serialisable (BigInt, circular,
 * function, undefined), a non-string, non-binary value with a content type other than JSON, or a
 * string or bytes that are not JSON with a JSON content type (streams are not checked).
 */
export function encodeValue(
  value: unknown,
  explicitType: string | undefined,
): { payload: Payload; contentType: string } {
  const contentType = explicitType === undefined ? undefined : checkContentType(explicitType);
  if (isStreamValue(value)) {
    return { payload: { kind: 'stream', stream: value }, contentType: contentType ?? BINARY_CONTENT_TYPE };
  }
  const bytes = asBytes(value);
  if (bytes || typeof value === 'string') {
    const data = bytes ?? (value as string);
    if (contentType !== undefined && isJsonType(contentType)) checkJsonText(data, contentType);
    const fallback = bytes ? BINARY_CONTENT_TYPE : TEXT_CONTENT_TYPE;
    return { payload: { kind: 'bytes', data }, contentType: contentType ?? fallback };
  }
  if (contentType !== undefined && !isJsonType(contentType)) {
    throw new StorageError(
      'STORAGE_INVALID_VALUE',
      `A record with content type "${contentType}" must be a string, a Buffer or a stream; serialise the value first or use application/json.`,
      { details: { contentType, valueType: typeof value } },
    );
  }
  const json = toJson(value, 'The record value', 2);
  return { payload: { kind: 'bytes', data: json }, contentType: contentType ?? JSON_CONTENT_TYPE };
}
