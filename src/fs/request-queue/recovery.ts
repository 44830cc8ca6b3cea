/**
 * Finishing a change that a process left half done (it died, or a write failed): its journal
 * lines are there without a commit. Each line is kept only when the disk shows it happened
 * (request files are written atomically, so a file is either before or after the change); the
 * journal is cut back to its last commit and the kept lines are committed again.
 * Runs under the store lock only.
 */
import { truncate } from 'node:fs/promises';
import { encodeOp, type JournalOp } from './journal.js';
import { writeQueueMetadata } from './metadata.js';
import type { QueueFiles } from './queue-files.js';
import type { QueueIndex } from './queue-index.js';
import { readRequestFile, requestFilePath } from './request-file.js';

async function happened(dir: string, op: JournalOp): Promise<boolean> {
  switch (op.op) {
    case 'add':
    case 'handle':
    case 'pend': {
      const read = await readRequestFile(requestFilePath(dir, op.id), op.id);
      if (read.state !== 'ok') return false;
      const orderNo = read.file.orderNo ?? null;
      if (op.op === 'handle') return orderNo === null;
      return orderNo === op.order;
    }
    case 'delete':
      return (await readRequestFile(requestFilePath(dir, op.id))).state === 'missing';
    case 'unlock':
    case 'client':
      return true; // harmless either way: an unlock only makes a request available sooner
    default:
      return false; // a lock nobody was told about is dropped
  }
}

/**
 * Keeps what happened of `uncommitted`, cuts the journal back to `committedEnd`, and commits
 * the kept lines. Returns the journal's new size.
 */
export async function recoverUncommitted(
  files: QueueFiles,
  index: QueueIndex,
  uncommitted: JournalOp[],
  committedEnd: number,
): Promise<number> {
  const kept: JournalOp[] = [];
  for (const op of uncommitted) {
    if (await happened(files.dir, op)) kept.push(op);
  }
  await truncate(files.journal, committedEnd);
  for (const op of kept) index.apply(op);
  const modifiedAt = kept.length > 0 ? Date.now() : 0;
  if (modifiedAt > index.modifiedAt) index.modifiedAt = modifiedAt;
  await writeQueueMetadata(files.dir, index, files.fallbackMetadata, { fsync: files.fsync });
  const commit: JournalOp = { op: 'commit', mark: await files.mark(), modifiedAt };
  index.apply(commit);
  const text = [...kept, commit].map(encodeOp).join('');
  await files.append(text);
  return committedEnd + Buffer.byteLength(text, 'latin1');
}
