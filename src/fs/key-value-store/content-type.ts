/** Content types of records and how they are recognised. */

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
export const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';
export const BINARY_CONTENT_TYPE = 'application/octet-stream';

/** The media type of a content type, lower-case, without parameters. */
export function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** True for a content type whose value is JSON (`application/json`, with any parameters). */
export function isJsonType(contentType: string): boolean {
  return mediaType(contentType) === 'application/json';
}

/** True for content types read back as strings (as apify-client does): `text/*`, `application/*xml`. */
export function isStringType(contentType: string): boolean {
  const media = mediaType(contentType);
  return media.startsWith('text/') || /^application\/.*xml$/.test(media);
}

/** The charset parameter as a Node encoding; UTF-8 when missing or unknown. */
export function charsetOf(contentType: string): BufferEncoding {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  const charset = match?.[1]?.toLowerCase();
  if (charset === undefined) return 'utf8';
  if (charset === 'iso-8859-1' || charset === 'us-ascii') return 'latin1';
  return Buffer.isEncoding(charset) ? charset : 'utf8';
}
