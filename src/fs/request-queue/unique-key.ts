import { createHash } from 'node:crypto';

/**
 * Normalises a URL the way Crawlee does for default unique keys (`normalizeUrl` of
 * `@apify/utilities`): lower-case scheme and host, `utm_*` parameters dropped, query sorted,
 * fragment dropped (unless `keepFragment`), one trailing slash of the path removed.
 * Returns `null` for a string that is not an absolute URL.
 *
 * @example
 * normalizeUrl('HTTPS://Example.com/a/?b=2&a=1&utm_source=x#top') // 'https://example.com/a?a=1&b=2'
 */
export function normalizeUrl(url: string, keepFragment = false): string | null {
  if (typeof url !== 'string' || url.length === 0) return null;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null; // not an absolute URL: callers fall back to the raw string, as Crawlee does
  }
  const { searchParams } = parsed;
  for (const key of [...searchParams.keys()]) {
    if (key.startsWith('utm_')) searchParams.delete(key);
  }
  searchParams.sort();
  const protocol = parsed.protocol.toLowerCase();
  const host = parsed.host.toLowerCase();
  const path = parsed.pathname.replace(/\/$/, '');
  const search = searchParams.toString() ? `?${searchParams}` : '';
  const hash = keepFragment ? parsed.hash : '';
  return `${protocol}//${host}${path}${search}${hash}`;
}

/** First 8 characters of base64(sha256(payload)) without `+/=`, as Crawlee hashes payloads. */
export function hashPayload(payload: string): string {
  return createHash('sha256').update(payload).digest('base64').replace(/[+/=]/g, '').slice(0, 8);
}

/** What a unique key is computed from. */
export interface UniqueKeyInput {
  url: string;
  /** @default 'GET' */
  method?: string;
  payload?: string;
  /** Keep the `#fragment` of the URL. @default false */
  keepUrlFragment?: boolean;
  /** Include the method and a hash of the payload: `POST(3f2a9b1c):https://…`. @default false */
  useExtendedUniqueKey?: boolean;
}

/**
 * The unique key Crawlee gives a request that has none: the normalised URL, or with
 * `useExtendedUniqueKey` the method, payload hash and normalised URL.
 *
 * @example
 * computeUniqueKey({ url: 'https://a.com/x/', method: 'POST', payload: '{}', useExtendedUniqueKey: true })
 * // 'POST(RBNvo1Wz):https://a.com/x'
 */
export function computeUniqueKey(input: UniqueKeyInput): string {
  const method = (input.method ?? 'GET').toUpperCase();
  const normalised = normalizeUrl(input.url, input.keepUrlFragment ?? false) || input.url;
  if (!input.useExtendedUniqueKey) return normalised;
  const payloadHash = input.payload ? hashPayload(input.payload) : '';
  return `${method}(${payloadHash}):${normalised}`;
}
