/**
 * `doctor` for a key-value store folder: sidecars must parse and have their record, JSON records
 * must parse, every record should have its sidecar (peers leave some without), and every file must
 * stand for a record. The fix moves unreadable and stray files aside and writes missing sidecars.
 */
import type { Dirent } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { moveAside, readFileOrUndefined, writeAtomic } from './atomic-write.js';
import { type DoctorProblem, pathOf, reportStray, type StoreCheck, settleMetadata } from './doctor-store.js';
import { charsetOf, isJsonType, TEXT_CONTENT_TYPE } from './key-value-store/content-type.js';
import { parseJsonText, SNIFF_BYTES, sniffContentType } from './key-value-store/decode.js';
import { isSidecarName, sidecarFileName } from './key-value-store/naming.js';
import { type RecordEntry, resolveEntries, type SidecarState } from './key-value-store/resolve-entries.js';
import { parseSidecar, sidecarText } from './key-value-store/sidecar.js';

/** Moves files aside (with fix) and reports one problem for the first of them. */
async function moveAsideAndReport(
  check: StoreCheck,
  names: readonly string[],
  problem: Omit<DoctorProblem, 'storage' | 'fixed' | 'path' | 'action'>,
): Promise<void> {
  const moved: string[] = [];
  if (check.fix) {
    for (const name of names)
      moved.push((await moveAside(check.dir, pathOf(check, name), problem.message)).movedTo);
  }
  check.report({
    ...problem,
    message: `${problem.message}.`,
    path: pathOf(check, names[0] as string),
    fixed: check.fix,
    action: check.fix ? `moved to ${moved.join(', ')}` : undefined,
  });
}

/** Parses every sidecar; reports those that do not parse. Returns the valid ones by file name. */
async function readSidecars(check: StoreCheck, names: readonly string[]): Promise<Map<string, SidecarState>> {
  const states = new Map<string, SidecarState>();
  for (const name of names) {
    check.tick();
    const buf = await readFileOrUndefined(pathOf(check, name));
    if (buf === undefined) continue; // removed meanwhile
    const sidecar = parseSidecar(buf.toString('utf8'));
    if (sidecar) states.set(name, { sidecar, fresh: true });
    else {
      await moveAsideAndReport(check, [name], {
        kind: 'unparsable-file',
        message: 'A record sidecar that does not parse or lacks "key" and "contentType"',
      });
    }
  }
  return states;
}

/** The first bytes of a file, for sniffing; `undefined` when it is gone. */
async function prefixOf(path: string): Promise<Buffer | undefined> {
  const handle = await open(path, 'r').catch(() => undefined); // gone meanwhile: nothing to sniff
  if (!handle) return undefined;
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The content type a record is read with: its sidecar's, its extension's, or (no extension) sniffed
 * from its first bytes; `broken` when a declared JSON record does not parse.
 */
async function inspect(
  check: StoreCheck,
  entry: RecordEntry,
): Promise<{ contentType: string; broken?: string }> {
  const path = pathOf(check, entry.file);
  if (entry.contentType !== undefined && !isJsonType(entry.contentType))
    return { contentType: entry.contentType };
  if (entry.contentType !== undefined) {
    const buf = await readFileOrUndefined(path);
    const parsed = buf && parseJsonText(buf.toString(charsetOf(entry.contentType)));
    if (parsed?.state === 'corrupt') return { contentType: entry.contentType, broken: parsed.error.message };
    return { contentType: entry.contentType };
  }
  const sniffed = sniffContentType((await prefixOf(path)) ?? Buffer.alloc(0));
  if (!isJsonType(sniffed)) return { contentType: sniffed };
  const buf = await readFileOrUndefined(path);
  // Read as the engine reads it: sniffed JSON that does not parse is text.
  const ok = buf !== undefined && parseJsonText(buf.toString('utf8')).state === 'ok';
  return { contentType: ok ? sniffed : TEXT_CONTENT_TYPE };
}

async function writeSidecar(check: StoreCheck, entry: RecordEntry, contentType: string): Promise<void> {
  const { size } = await stat(pathOf(check, entry.file));
  const extension = extname(entry.file).slice(1) || undefined;
  const text = sidecarText({ key: entry.key, contentType, extension, size });
  await writeAtomic(pathOf(check, sidecarFileName(entry.key)), text, { fsync: check.fsync });
}

async function checkRecord(check: StoreCheck, entry: RecordEntry): Promise<void> {
  check.tick();
  const { contentType, broken } = await inspect(check, entry);
  if (broken !== undefined) {
    await moveAsideAndReport(
      check,
      entry.files.filter((f) => f === entry.file || isSidecarName(f)),
      {
        kind: 'unparsable-file',
        message: `Record "${entry.key}" does not parse as JSON (${broken})`,
      },
    );
    return;
  }
  for (const extra of entry.files.filter((f) => f !== entry.file && !isSidecarName(f))) {
    check.tick();
    await reportStray(
      check,
      extra,
      `another file for record "${entry.key}", which is read from ${entry.file}`,
    );
  }
  if (entry.hasSidecar) return;
  if (check.fix) await writeSidecar(check, entry, contentType);
  check.report({
    kind: 'record-without-sidecar',
    path: pathOf(check, entry.file),
    message: `Record "${entry.key}" has no sidecar (${sidecarFileName(entry.key)}).`,
    fixed: check.fix,
    action: check.fix ? `sidecar written (${contentType})` : undefined,
  });
}

/** Checks (and with fix repairs) one key-value store folder; `own` are the entries the shared checks left. */
export async function checkKeyValueStore(check: StoreCheck, own: readonly Dirent[]): Promise<void> {
  const files: string[] = [];
  for (const entry of own) {
    if (entry.isFile()) files.push(entry.name);
    else {
      check.tick();
      await reportStray(check, entry.name, 'a folder inside a key-value store (records are files)');
    }
  }
  const states = await readSidecars(check, files.filter(isSidecarName));
  const valueFiles = files.filter((f) => !isSidecarName(f));
  const { entries, leftovers } = resolveEntries(valueFiles, states.keys(), states);
  const claimed = new Set([...entries.values()].flatMap((e) => e.files));
  for (const name of valueFiles.filter((f) => !claimed.has(f))) {
    check.tick();
    await reportStray(check, name, 'not a record: its name is not a valid record key');
  }
  for (const [key, names] of leftovers) {
    await moveAsideAndReport(check, names, {
      kind: 'orphan-sidecar',
      message: `A sidecar of record "${key}", whose file is missing`,
    });
  }
  for (const entry of entries.values()) await checkRecord(check, entry);
  await settleMetadata(check, {}, []);
}
