import { request } from 'node:http';

/** What {@link rawRequest} returns. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
}

/**
 * Sends one HTTP request exactly as given (the path is not normalised or re-encoded), so tests
 * can send what a browser or apify-client never would.
 */
export function rawRequest(
  baseUrl: string,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string | number>;
    body?: Buffer | string;
  },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const headers = { ...options.headers };
  const hasLength = Object.keys(headers).some((h) =>
    ['content-length', 'transfer-encoding'].includes(h.toLowerCase()),
  );
  if (options.body !== undefined && !hasLength) headers['content-length'] = Buffer.byteLength(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          let json: unknown;
          if (String(res.headers['content-type'] ?? '').startsWith('application/json') && body.length > 0) {
            try {
              json = JSON.parse(body.toString('utf8'));
            } catch {
              json = undefined; // not JSON after all: tests look at `body`
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The `error.type` of an error answer. */
export function errorType(res: RawResponse): string | undefined {
  return (res.json as { error?: { type?: string } } | undefined)?.error?.type;
}
