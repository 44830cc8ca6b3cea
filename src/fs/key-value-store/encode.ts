/**
 * Turns a record value into bytes and a content type, the way the Apify API and Crawlee do:
 * objects, arrays, numbers, booleans and null → pretty JSON (`application/json; charset=utf-8`),
 * strings → text (`text/plain; charset=utf-8`), Buffers, typed arrays and streams → bytes
 * (`application/octet-stream`). An explicit content type is stored exactly as given.
 */
import { Readable } from 'node:stream';
import { StorageError } from '../../errors.js';
import { toJson } from '../atomic-write.js';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
export const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';
export const BINARY_CONTENT_TYPE = 'application/octet-stream';

/** What gets written: bytes in memory, or a stream that is never held in memory whole. */
export type Payload = { kind: 'bytes'; data: string | Uint8Array } | { kind: 'stream'; stream: Readable };

/** `type/subtype` with optional parameters; printable ASCII only (it becomes an HTTP header), ≤ 255 characters. */
const CONTENT_TYPE_RE = /^[a-zA-Z0-9!#$&^_.+-]+\/[a-zA-Z0-9!#$&^_.+-]+([ \t]*;[ -~\t]*)?$/;

/** The media type of a content type, lower-case, without parameters. */
export function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** True for a content type whose value is JSON (`application/json`, with any parameters). */
export function isJsonType(contentType: string): boolean {
  return mediaType(contentType) === 'application/json';
}

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
 * Serialises a record value. Nothing is written before this succeeds.
 * @throws StorageError `STORAGE_INVALID_VALUE` for a value that is not serialisable (BigInt, circular,
 * function, undefined), or a non-string, non-binary value with a content type other than JSON.
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
  if (bytes)
    return { payload: { kind: 'bytes', data: bytes }, contentType: contentType ?? BINARY_CONTENT_TYPE };
  if (typeof value === 'string') {
    return { payload: { kind: 'bytes', data: value }, contentType: contentType ?? TEXT_CONTENT_TYPE };
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
