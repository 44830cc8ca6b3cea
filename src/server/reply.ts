import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ErrorBody } from './http-errors.js';

/** Headers of a reply, by lower-case name. */
export type Headers = Record<string, string | number>;

/** What a handler returns; {@link sendReply} writes it. Handlers never touch the response. */
export type Reply =
  /** `{"data": …}` as JSON. */
  | { kind: 'data'; status: number; data: unknown; headers?: Headers }
  /** No body (204, HEAD answers). */
  | { kind: 'empty'; status: number; headers?: Headers }
  /** A raw body (dataset items, a record): a buffer, or a stream piped with backpressure. */
  | { kind: 'raw'; status: number; headers: Headers; body?: Buffer | Readable };

/** 200 `{data}` */
export function ok(data: unknown, headers?: Headers): Reply {
  return { kind: 'data', status: 200, data, headers };
}

/** 201 `{data}`, with a Location header when given. */
export function created(data: unknown, location?: string): Reply {
  return { kind: 'data', status: 201, data, headers: location ? { location } : undefined };
}

/** 204 without a body. */
export function noContent(): Reply {
  return { kind: 'empty', status: 204 };
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Writes a JSON body; `Date`s become ISO strings on the way (JSON.stringify does that). */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Headers = {}): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { ...headers, 'content-type': JSON_TYPE, 'content-length': body.length });
  res.end(body);
}

/** Writes an error envelope `{"error":{"type","message"}}`. */
export function sendError(res: ServerResponse, status: number, body: ErrorBody, headers: Headers = {}): void {
  if (res.headersSent) {
    // Too late for a status: cut the connection so the client sees an incomplete body, not a short one.
    res.destroy();
    return;
  }
  sendJson(res, status, body, headers);
}

/**
 * Writes a reply. A streamed body is piped with backpressure; if it fails midway, the connection
 * is cut (the status line is already out), and the returned promise rejects with the cause.
 */
export async function sendReply(res: ServerResponse, reply: Reply, head = false): Promise<void> {
  if (reply.kind === 'data') {
    sendJson(res, reply.status, { data: reply.data }, reply.headers);
    return;
  }
  if (reply.kind === 'empty') {
    res.writeHead(reply.status, reply.headers ?? {});
    res.end();
    return;
  }
  const { body } = reply;
  if (head && body !== undefined && !Buffer.isBuffer(body)) {
    body.destroy(); // HEAD: the headers are the answer; nothing is read
    res.writeHead(reply.status, reply.headers);
    res.end();
    return;
  }
  if (body === undefined || Buffer.isBuffer(body)) {
    const headers = body === undefined ? reply.headers : { ...reply.headers, 'content-length': body.length };
    res.writeHead(reply.status, headers);
    res.end(body);
    return;
  }
  // Wait for the first bytes before the status line: an exporter that fails at once (a dataset too
  // wide for csv …) still gets a proper error answer instead of a cut connection.
  const first = await firstChunk(body);
  res.writeHead(reply.status, reply.headers);
  if (first === null) {
    res.end();
    return;
  }
  res.write(first);
  try {
    await pipeline(body, res);
  } catch (err) {
    res.destroy();
    // A client that went away is not a server failure.
    if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    throw err;
  }
}

/** Resolves with the first chunk of `stream` (`null` when it is empty), or rejects with its error. */
function firstChunk(stream: Readable): Promise<Buffer | string | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off('readable', onReadable);
      stream.off('error', onError);
      stream.off('end', onEnd);
    };
    const onReadable = () => {
      const chunk = stream.read() as Buffer | string | null;
      if (chunk === null) return; // nothing yet, or the end: 'end' follows then
      cleanup();
      resolve(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    stream.on('readable', onReadable);
    stream.once('error', onError);
    stream.once('end', onEnd);
  });
}
