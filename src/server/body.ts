import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
  type Inflate,
  type InflateRaw,
} from 'node:zlib';
import { HttpError, invalidRequest, requestTooLarge, unsupportedEncoding } from './http-errors.js';

/** The platform's payload limit: 9 MiB, for the body as sent and once decompressed. */
export const MAX_BODY_BYTES = 9 * 1024 * 1024;

/** Splits `Content-Encoding` into the codings to undo, last applied first. */
export function parseContentEncoding(header: string | undefined): string[] {
  if (!header) return [];
  const codings = header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  for (const coding of codings) {
    if (!['br', 'gzip', 'x-gzip', 'deflate'].includes(coding)) throw unsupportedEncoding(coding);
  }
  return codings.reverse();
}

/**
 * `deflate` is meant to be zlib-wrapped, but some clients send raw deflate: look at the first two
 * bytes (a zlib header is CM=8 and a multiple of 31) and pick the right inflater.
 */
function createDeflateDecoder(): Transform {
  let inner: Inflate | InflateRaw | undefined;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (!inner) {
        const zlibHeader =
          chunk.length >= 2 && (chunk[0]! & 0x0f) === 8 && ((chunk[0]! << 8) | chunk[1]!) % 31 === 0;
        inner = zlibHeader ? createInflate() : createInflateRaw();
        inner.on('data', (out: Buffer) => this.push(out));
        inner.on('error', (err) => this.destroy(err));
      }
      if (inner.write(chunk)) done();
      else inner.once('drain', () => done());
    },
    flush(done: TransformCallback) {
      if (!inner) return done();
      inner.once('end', () => done());
      inner.end();
    },
  });
}

function decoderFor(coding: string): Transform {
  if (coding === 'br') return createBrotliDecompress();
  if (coding === 'gzip' || coding === 'x-gzip') return createGunzip();
  return createDeflateDecoder();
}

/** Counts bytes and fails with 413 as soon as `limit` is passed (a zip bomb stops there). */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) done(requestTooLarge(limit));
      else done(null, chunk);
    },
  });
}

/**
 * Reads the whole request body, undoing br/gzip/deflate, and refuses more than `limit` bytes
 * both as sent and after decompression.
 * @throws HttpError 413 request-too-large, 415 unsupported-content-encoding, 400 invalid-request
 *   for a body that does not decompress.
 */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const codings = parseContentEncoding(req.headers['content-encoding']);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw requestTooLarge(limit);
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  const stages: Transform[] = [byteLimit(limit)];
  for (const coding of codings) stages.push(decoderFor(coding), byteLimit(limit));
  const head = stages[0]!;
  const done = pipeline([...stages, sink]);
  // The request is piped in rather than made part of the pipeline: a failure must not destroy the
  // socket, or the client would never read the 413/400 answer. The caller drains what is left.
  const aborted = new Promise<never>((_resolve, reject) => {
    req.once('error', reject);
  });
  aborted.catch(() => undefined); // only raced below; a late abort after success needs no handling
  req.pipe(head);
  try {
    await Promise.race([done, aborted]);
  } catch (err) {
    req.unpipe(head);
    for (const stage of stages) stage.destroy();
    if (err instanceof HttpError) throw err;
    throw invalidRequest('The request body could not be read or decompressed.', err);
  }
  return Buffer.concat(chunks);
}

/** Refuses bytes that are not UTF-8 instead of replacing them with U+FFFD (which would change the data). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a JSON body (UTF-8, as JSON must be); an empty body is `undefined`.
 * @throws HttpError 400 invalid-request for malformed JSON or bytes that are not UTF-8.
 */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(UTF8.decode(body));
  } catch (err) {
    throw invalidRequest(`The request body is not valid JSON: ${(err as Error).message}`, err);
  }
}
