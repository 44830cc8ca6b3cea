/**
 * The journal: an append-only text file, one short line per change, appended under the store
 * lock. Every process of a queue replays it from its last offset before it answers, so all
 * processes share one index. Changes come in transactions: the lines of a change, then a commit
 * line `c <queue folder mtime> <modifiedAt>`. Lines after the last commit belong to a change
 * still in progress (or to a process that died in the middle of one) and are not applied.
 *
 * ```
 * #rq-journal v1 gen=3                header: generation of this journal (see snapshot.ts)
 * a <id> <orderNo>                    added, pending at orderNo (negative = forefront)
 * a <id> h                            added as handled
 * h <id>                              marked handled (its lock ends)
 * p <id> <orderNo>                    pending again, or moved, to orderNo
 * d <id>                              deleted
 * l <id> <expiresAtMs> <clientKey> <owner>   locked (or prolonged) until expiresAtMs
 * u <id>                              unlocked
 * k <clientKey>                       a client key used the queue (for hadMultipleClients)
 * c <mtimeNs> <modifiedAtMs>          commit; mtimeNs = the queue folder's mtime after the change
 * ```
 */
import { open } from 'node:fs/promises';
import { isErrno } from '../../errors.js';

/** One change recorded in the journal. */
export type JournalOp =
  | { op: 'add'; id: string; order: number | null }
  | { op: 'handle'; id: string }
  | { op: 'pend'; id: string; order: number }
  | { op: 'delete'; id: string }
  | { op: 'lock'; id: string; expiresAt: number; clientKey: string; owner: string }
  | { op: 'unlock'; id: string }
  | { op: 'client'; clientKey: string }
  | { op: 'commit'; mark: string; modifiedAt: number };

const HEADER_PREFIX = '#rq-journal v1 gen=';

/** The header line of a journal of generation `gen`. */
export function journalHeader(gen: number): string {
  return `${HEADER_PREFIX}${gen}\n`;
}

/** Ids and client keys are written raw when plain, percent-encoded otherwise. */
export function encodeField(value: string): string {
  return /^[A-Za-z0-9_.~-]+$/.test(value) ? value : encodeURIComponent(value);
}

function decodeField(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined; // a malformed escape: the caller reports the line
  }
}

/** One journal line (with its newline) for `op`. */
export function encodeOp(op: JournalOp): string {
  switch (op.op) {
    case 'add':
      return `a ${encodeField(op.id)} ${op.order === null ? 'h' : op.order}\n`;
    case 'handle':
      return `h ${encodeField(op.id)}\n`;
    case 'pend':
      return `p ${encodeField(op.id)} ${op.order}\n`;
    case 'delete':
      return `d ${encodeField(op.id)}\n`;
    case 'lock':
      return `l ${encodeField(op.id)} ${op.expiresAt} ${encodeField(op.clientKey)} ${encodeField(op.owner)}\n`;
    case 'unlock':
      return `u ${encodeField(op.id)}\n`;
    case 'client':
      return `k ${encodeField(op.clientKey)}\n`;
    case 'commit':
      return `c ${op.mark} ${op.modifiedAt}\n`;
  }
}

function finite(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses one line (without its newline); `undefined` when it is not a valid journal line. */
export function parseOp(line: string): JournalOp | undefined {
  const [tag, a, b, c, d, extra] = line.split(' ');
  if (extra !== undefined) return undefined;
  const id = decodeField(a);
  switch (tag) {
    case 'a': {
      const order = b === 'h' ? null : finite(b);
      return id && order !== undefined && c === undefined ? { op: 'add', id, order } : undefined;
    }
    case 'h':
    case 'd':
    case 'u':
      if (!id || b !== undefined) return undefined;
      return tag === 'h' ? { op: 'handle', id } : tag === 'd' ? { op: 'delete', id } : { op: 'unlock', id };
    case 'p': {
      const order = finite(b);
      return id && order !== undefined && c === undefined ? { op: 'pend', id, order } : undefined;
    }
    case 'l': {
      const expiresAt = finite(b);
      const clientKey = decodeField(c);
      const owner = decodeField(d);
      return id && expiresAt !== undefined && clientKey && owner
        ? { op: 'lock', id, expiresAt, clientKey, owner }
        : undefined;
    }
    case 'k':
      return id && b === undefined ? { op: 'client', clientKey: id } : undefined;
    case 'c': {
      const modifiedAt = finite(b);
      return a && /^[0-9]+$/.test(a) && modifiedAt !== undefined && c === undefined
        ? { op: 'commit', mark: a, modifiedAt }
        : undefined;
    }
    default:
      return undefined;
  }
}

/** What reading a journal from an offset found. */
export type JournalRead =
  | { state: 'missing' }
  /** The file at the path is of another generation (it was rotated). */
  | { state: 'other-generation'; gen: number | undefined }
  | {
      state: 'ok';
      /** Byte length of the header: where the first change starts. */
      headerEnd: number;
      /** Complete transactions, each ending with its commit. */
      transactions: JournalOp[][];
      /** Offset just after the last commit read (the offset to continue from). */
      committedEnd: number;
      /** Complete lines after the last commit: a change in progress, or one cut short by a crash. */
      uncommitted: JournalOp[];
      /** Offset just after the last complete line. */
      linesEnd: number;
      /** File size: more than `linesEnd` when the last line was cut short. */
      size: number;
      /** The file's inode: a new one means the journal was replaced. */
      ino: number;
      /** Lines that do not parse, with their offsets. */
      bad: Array<{ offset: number; line: string }>;
    };

async function readRange(path: string, gen: number, from: number): Promise<JournalRead> {
  let handle: import('node:fs/promises').FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { state: 'missing' };
    throw err;
  }
  try {
    const { size, ino } = await handle.stat();
    const head = Buffer.alloc(Math.min(size, 64));
    await handle.read(head, 0, head.length, 0);
    const headText = head.toString('latin1');
    const nl = headText.indexOf('\n');
    const header = nl === -1 ? '' : headText.slice(0, nl);
    const fileGen = header.startsWith(HEADER_PREFIX) ? finite(header.slice(HEADER_PREFIX.length)) : undefined;
    if (fileGen !== gen) return { state: 'other-generation', gen: fileGen };
    const headerEnd = nl + 1;
    const start = Math.max(from, headerEnd);
    const body = Buffer.alloc(Math.max(0, size - start));
    if (body.length > 0) await handle.read(body, 0, body.length, start);
    return { ...parseBody(body.toString('latin1'), start), headerEnd, size, ino };
  } finally {
    await handle.close();
  }
}

function parseBody(text: string, start: number) {
  const transactions: JournalOp[][] = [];
  const bad: Array<{ offset: number; line: string }> = [];
  let current: JournalOp[] = [];
  let committedEnd = start;
  let pos = 0;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    if (nl === -1) break;
    const line = text.slice(pos, nl);
    const op = parseOp(line);
    if (!op) bad.push({ offset: start + pos, line: line.slice(0, 200) });
    else if (op.op === 'commit') {
      current.push(op);
      transactions.push(current);
      current = [];
      committedEnd = start + nl + 1;
    } else current.push(op);
    pos = nl + 1;
  }
  return {
    state: 'ok' as const,
    transactions,
    committedEnd,
    uncommitted: current,
    linesEnd: start + pos,
    bad,
  };
}

/**
 * Reads the journal at `path` from byte `from` (or from just after the header). Never throws for
 * a missing file or one of another generation; reports them.
 */
export function readJournal(path: string, gen: number, from = 0): Promise<JournalRead> {
  return readRange(path, gen, from);
}
