/**
 * Planning the changes that add, update and delete requests. Each function runs inside
 * `QueueEngine.write` (under the store lock, with an up-to-date index) and records journal
 * lines and file effects on the transaction; the engine commits them.
 */
import type { ProcessedRequest, QueueOperationInfo } from '../../client/types.js';
import { moveAside } from '../atomic-write.js';
import { requestIdFromUniqueKey } from '../layout.js';
import type { Transaction } from './engine.js';
import type { QueueFiles } from './queue-files.js';
import {
  type PreparedRequest,
  type RequestFile,
  readRequestFile,
  requestFilePath,
  toRequestFile,
} from './request-file.js';

/** Adds requests that are not in the queue yet; a known uniqueKey changes nothing. */
export function planAdd(
  tx: Transaction,
  requests: PreparedRequest[],
  forefront: boolean,
): ProcessedRequest[] {
  return requests.map((request) => {
    const existing = tx.index.entries.get(request.id);
    if (existing !== undefined) {
      return {
        requestId: request.id,
        uniqueKey: request.uniqueKey,
        wasAlreadyPresent: true,
        wasAlreadyHandled: existing === null,
      };
    }
    const order = request.handled ? null : tx.index.nextOrder(forefront);
    tx.write(toRequestFile(request, order));
    tx.apply({ op: 'add', id: request.id, order });
    // As the API does, a request added as handled reports wasAlreadyHandled: false.
    return {
      requestId: request.id,
      uniqueKey: request.uniqueKey,
      wasAlreadyPresent: false,
      wasAlreadyHandled: false,
    };
  });
}

/**
 * Replaces a stored request. A `handledAt` marks it handled (it leaves the head and its lock
 * ends); a pending request moves to the end of the queue, or to the front with `forefront`, as
 * the API documents. An unknown request is added.
 */
export function planUpdate(
  tx: Transaction,
  request: PreparedRequest,
  forefront: boolean,
): QueueOperationInfo {
  const existing = tx.index.entries.get(request.id);
  if (existing === undefined) {
    const [added] = planAdd(tx, [request], forefront);
    const { uniqueKey: _key, ...info } = added as ProcessedRequest;
    return info;
  }
  if (request.handled) {
    if (existing !== null) tx.apply({ op: 'handle', id: request.id });
    tx.write(toRequestFile(request, null));
  } else {
    const order = tx.index.nextOrder(forefront);
    tx.apply({ op: 'pend', id: request.id, order });
    tx.write(toRequestFile(request, order));
  }
  return { requestId: request.id, wasAlreadyPresent: true, wasAlreadyHandled: existing === null };
}

/** Deletes a request (its file and its index entry); an unknown id changes nothing. */
export function planDelete(tx: Transaction, id: string): boolean {
  if (!tx.index.entries.has(id)) return false;
  tx.apply({ op: 'delete', id });
  tx.remove(id);
  return true;
}

/** A request to delete in a batch: by id, or by uniqueKey. */
export interface DeleteTarget {
  id?: string;
  uniqueKey?: string;
}

/** Deletes up to 25 requests; reports each as processed (wasAlreadyPresent tells whether it existed). */
export async function planBatchDelete(
  tx: Transaction,
  files: QueueFiles,
  targets: DeleteTarget[],
): Promise<ProcessedRequest[]> {
  const out: ProcessedRequest[] = [];
  for (const target of targets) {
    const id = target.id ?? requestIdFromUniqueKey(target.uniqueKey as string);
    const state = tx.index.entries.get(id);
    let uniqueKey = target.uniqueKey;
    if (uniqueKey === undefined && state !== undefined) {
      const read = await readRequestFile(requestFilePath(files.dir, id), id);
      if (read.state === 'ok') uniqueKey = read.file.uniqueKey;
    }
    planDelete(tx, id);
    out.push({
      requestId: id,
      uniqueKey: uniqueKey ?? '',
      wasAlreadyPresent: state !== undefined,
      wasAlreadyHandled: state === null,
    });
  }
  return out;
}

/**
 * Reads the file of an indexed request inside a change. A missing file drops the request from
 * the index; a file that does not parse is moved aside (and reported) and dropped too.
 */
export async function readIndexedFile(
  tx: Transaction,
  files: QueueFiles,
  id: string,
): Promise<RequestFile | undefined> {
  const path = requestFilePath(files.dir, id);
  const read = await readRequestFile(path, id);
  if (read.state === 'ok') return read.file;
  if (read.state === 'corrupt') await moveAside(files.dir, path, `request file ${read.reason}`);
  if (tx.index.entries.has(id)) tx.apply({ op: 'delete', id });
  return undefined;
}

/** Moves a pending request to a new place in the queue (front or back), file included. */
export async function planMove(
  tx: Transaction,
  files: QueueFiles,
  id: string,
  forefront: boolean,
): Promise<void> {
  const file = await readIndexedFile(tx, files, id);
  if (!file) return;
  const order = tx.index.nextOrder(forefront);
  tx.apply({ op: 'pend', id, order });
  tx.write({ ...file, orderNo: order });
}
