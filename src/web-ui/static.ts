/**
 * Serving the storage browser's static files (src/web-ui/public): `GET /` is the page, `GET /ui/…`
 * its scripts, styles and icon. Only files found in the public folder at start are served: a
 * request path is looked up in that list, never joined onto a folder, so nothing else can be read.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pageNotFound, toHttpFailure } from '../server/http-errors.js';
import { sendError } from '../server/reply.js';

/** URL prefix of the static files. */
export const UI_PREFIX = '/ui/';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
};

/**
 * The page may load only its own files and talk only to this server; record previews are images
 * from this server (`img-src 'self'`), and nothing may frame it.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * The public folder: next to the compiled module (the build copies it to dist/src/web-ui/public),
 * else in the source tree (running from dist/ without the copy).
 */
export function resolvePublicDir(): string {
  const beside = fileURLToPath(new URL('./public/', import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL('../../../src/web-ui/public/', import.meta.url));
}

/** Lists the files under `dir` as `/`-separated relative paths. */
async function listFiles(dir: string): Promise<Set<string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = new Set<string>();
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const parent = entry.parentPath.slice(dir.length).replace(/\\/g, '/').replace(/^\/+/, '');
    files.add(parent === '' ? entry.name : `${parent}/${entry.name}`);
  }
  return files;
}

/** True when the client asked for a page (a browser navigating), not for data. */
function wantsHtml(req: IncomingMessage): boolean {
  return /\btext\/html\b/i.test(req.headers.accept ?? '');
}

/**
 * Whether a request is for the storage browser: `/ui/…` always; `/` (and `/index.html`) only
 * when the client asks for HTML, so API clients keep getting the API's JSON 404 there.
 */
function isUiRequest(path: string, req: IncomingMessage): boolean {
  if (path.startsWith(UI_PREFIX)) return true;
  return (path === '/' || path === '/index.html') && wantsHtml(req);
}

/** The public file a request path names, `undefined` when it is not one of ours. */
function fileFor(path: string, files: ReadonlySet<string>): string | undefined {
  let name = 'index.html';
  if (path.startsWith(UI_PREFIX)) {
    try {
      name = decodeURIComponent(path.slice(UI_PREFIX.length));
    } catch {
      return undefined; // malformed escapes name no file of ours
    }
  }
  return files.has(name) ? name : undefined;
}

/** A handler for the static files; answers `false` for requests that are not for them. */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Creates the handler of `GET`/`HEAD` `/` and `/ui/*`. The public folder is listed once, on the
 * first request; file contents are read per request (they are small), so edits show on reload.
 */
export function createStaticHandler(publicDir: string = resolvePublicDir()): StaticHandler {
  let files: Promise<Set<string>> | undefined;
  return (req, res) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return false;
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (!isUiRequest(path, req)) return false;
    // No public folder (a build without assets): every file is missing, the API still works.
    files ??= listFiles(publicDir).catch(() => new Set<string>());
    void files
      .then((set) => sendFile(res, publicDir, fileFor(path, set), { method, path }))
      .catch(() => res.destroy()); // the answer could not be written: the client sees a cut connection
    return true;
  };
}

async function sendFile(
  res: ServerResponse,
  dir: string,
  name: string | undefined,
  request: { method: string; path: string },
) {
  if (name === undefined) {
    const { status, body } = toHttpFailure(pageNotFound(request.method, request.path));
    sendError(res, status, body);
    return;
  }
  let body: Buffer;
  try {
    body = await readFile(join(dir, name));
  } catch {
    // Listed at start but unreadable now (a rebuild under a running server): a plain 500, no path.
    const failure = toHttpFailure(new Error(`The storage browser's file "${name}" could not be read.`));
    sendError(res, failure.status, failure.body);
    return;
  }
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
    'content-length': body.length,
  });
  res.end(request.method === 'HEAD' ? undefined : body);
}
