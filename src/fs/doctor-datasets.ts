/**
 * `doctor` for a dataset folder: every item file must parse to a JSON object, numbers must run
 * from 1 without gaps, and the metadata counters must match the files. The fix moves unreadable
 * items aside, closes gaps by moving later items down (their order is kept) and rewrites the counters.
 */
import type { Dirent } from 'node:fs';
import { rename } from 'node:fs/promises';
import { isCleanItem, isPlainObject } from '../items/index.js';
import { moveAside, readFileOrUndefined } from './atomic-write.js';
import { IO_CONCURRENCY, itemNumberOf, itemPath, mapLimit } from './dataset/files.js';
import { mergeFields, readStats } from './dataset/metadata.js';
import { type Mismatch, reportStray, type StoreCheck, settleMetadata } from './doctor-store.js';
import { itemFileName } from './layout.js';
import type { StoreMetadata } from './stores.js';

/** Item files read at once. */
const CHUNK = 1000;

interface Tally {
  /** Numbers of the readable items, ascending. */
  numbers: number[];
  clean: number;
  bytes: number;
  fields: string[];
}

type ItemCheck =
  | { state: 'ok'; value: Record<string, unknown>; bytes: number }
  | { state: 'bad'; reason: string };

async function readItemQuietly(dir: string, n: number): Promise<ItemCheck | undefined> {
  const buf = await readFileOrUndefined(itemPath(dir, n));
  if (buf === undefined) return undefined; // removed meanwhile
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    return { state: 'bad', reason: `does not parse (${(err as Error).message})` };
  }
  if (!isPlainObject(value)) return { state: 'bad', reason: 'is not a JSON object' };
  return { state: 'ok', value, bytes: buf.length };
}

/** Reads every item file, reports (and with fix moves aside) the unreadable ones, and tallies the rest. */
async function tallyItems(check: StoreCheck, numbers: number[]): Promise<Tally> {
  const tally: Tally = { numbers: [], clean: 0, bytes: 0, fields: [] };
  for (let start = 0; start < numbers.length; start += CHUNK) {
    const chunk = numbers.slice(start, start + CHUNK);
    const reads = await mapLimit(chunk, IO_CONCURRENCY, (n) => readItemQuietly(check.dir, n));
    for (const [i, read] of reads.entries()) {
      const n = chunk[i] as number;
      if (read?.state === 'ok') {
        tally.numbers.push(n);
        tally.bytes += read.bytes;
        if (isCleanItem(read.value)) tally.clean += 1;
        tally.fields = mergeFields(tally.fields, Object.keys(read.value));
      } else if (read) await reportBadItem(check, n, read.reason);
    }
    check.tick(chunk.length);
  }
  return tally;
}

async function reportBadItem(check: StoreCheck, n: number, reason: string): Promise<void> {
  const path = itemPath(check.dir, n);
  const moved = check.fix ? await moveAside(check.dir, path, `dataset item ${reason}`) : undefined;
  check.report({
    kind: 'unparsable-file',
    path,
    message: `Item ${n} ${reason}.`,
    fixed: check.fix,
    action: moved && `moved to ${moved.movedTo}; later items renumbered to close the gap`,
  });
}

/** Runs of missing numbers below the highest readable item. */
function gapsOf(numbers: readonly number[]): Array<[number, number]> {
  const gaps: Array<[number, number]> = [];
  let expected = 1;
  for (const n of numbers) {
    if (n > expected) gaps.push([expected, n - 1]);
    expected = n + 1;
  }
  return gaps;
}

/** Renames items down so that they are numbered 1…n in their order; returns how many moved. */
async function closeGaps(check: StoreCheck, numbers: readonly number[]): Promise<number> {
  let moved = 0;
  for (const [i, n] of numbers.entries()) {
    const target = i + 1;
    if (n === target) continue;
    // Ascending, so `target` is free: it was missing or has already moved down.
    await rename(itemPath(check.dir, n), itemPath(check.dir, target));
    moved += 1;
  }
  return moved;
}

function sameFields(recorded: unknown, actual: readonly string[]): boolean {
  if (!Array.isArray(recorded)) return false;
  const set = new Set(recorded);
  return set.size === actual.length && actual.every((f) => set.has(f));
}

function mismatches(check: StoreCheck, tally: Tally, itemCount: number): Mismatch[] {
  const meta: Record<string, unknown> = check.meta ?? {};
  const out: Mismatch[] = [];
  if (meta.itemCount !== itemCount)
    out.push({ field: 'itemCount', recorded: meta.itemCount, actual: itemCount });
  if (meta.cleanItemCount !== undefined && meta.cleanItemCount !== tally.clean) {
    out.push({ field: 'cleanItemCount', recorded: meta.cleanItemCount, actual: tally.clean });
  }
  const stats = meta.stats as Record<string, unknown> | undefined;
  if (stats?.storageBytes !== undefined && stats.storageBytes !== tally.bytes) {
    out.push({ field: 'stats.storageBytes', recorded: stats.storageBytes, actual: tally.bytes });
  }
  if (meta.fields !== undefined && !sameFields(meta.fields, tally.fields)) {
    out.push({ field: 'fields', recorded: meta.fields, actual: tally.fields });
  }
  return out;
}

/** Splits the folder's own entries into item numbers and strays. */
async function itemNumbers(check: StoreCheck, own: readonly Dirent[]): Promise<number[]> {
  const numbers: number[] = [];
  for (const entry of own) {
    const n = entry.isFile() ? itemNumberOf(entry.name) : undefined;
    if (n !== undefined && entry.name === itemFileName(n)) numbers.push(n);
    else {
      check.tick();
      await reportStray(check, entry.name, 'not a dataset item file (those are named 000000001.json …)');
    }
  }
  return numbers.sort((a, b) => a - b);
}

/** Checks (and with fix repairs) one dataset folder; `own` are the entries the shared checks left. */
export async function checkDataset(check: StoreCheck, own: readonly Dirent[]): Promise<void> {
  const present = await itemNumbers(check, own);
  const tally = await tallyItems(check, present);
  // Gaps among the files on disk; unreadable items are reported as such (the fix closes both).
  const gaps = gapsOf(present);
  for (const [from, to] of gaps) {
    check.report({
      kind: 'dataset-gap',
      path: check.dir,
      message: from === to ? `Item ${from} is missing.` : `Items ${from}–${to} are missing.`,
      fixed: check.fix,
      action: check.fix ? 'later items moved down, order kept' : undefined,
    });
  }
  if (check.fix) await closeGaps(check, tally.numbers);
  const itemCount = check.fix ? tally.numbers.length : (tally.numbers.at(-1) ?? 0);
  const counts = {
    itemCount,
    cleanItemCount: tally.clean,
    fields: tally.fields,
    stats: { ...readStats((check.meta ?? {}) as StoreMetadata), storageBytes: tally.bytes },
  };
  await settleMetadata(check, counts, mismatches(check, tally, itemCount));
}
