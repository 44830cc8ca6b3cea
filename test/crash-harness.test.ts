/**
 * Crash harness: a writer process (test/processes/crash-writer.ts) mixes dataset pushes, record
 * writes and deletes, queue adds, head locks and handled marks, logging each operation before it
 * starts and once its promise resolved; it is killed with SIGKILL at a random moment; a fresh
 * process (test/processes/crash-check.ts) reopens the folder; and the test checks what it saw
 * against the log. Then again, on the same folder, CRASH_ROUNDS times (10 by default; `npm run
 * test:crash` runs 50; CRASH_PROGRESS=<file> logs each round there, CRASH_SEED replays a run).
 * Every fifth round the writer runs with `fsync: true`.
 *
 * What must hold after every kill:
 * - every acknowledged push is there, once; nothing is there that no push started;
 * - every record holds the value of its last acknowledged write (or of a write still in flight at
 *   the kill), deleted records are gone, and no key names a temp file;
 * - no file fails to parse and nothing was moved aside (atomic writes never tear);
 * - metadata counts equal the files (dataset itemCount = highest item number; queue counts = request files);
 * - the queue hands out every pending request again (also those the dead writer had locked), none
 *   that was acknowledged as handled, none twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestIdFromUniqueKey } from '../src/fs/layout.js';
import { tempDir } from './helpers/tmp.js';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 10);
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
const script = (name: string) => join(import.meta.dirname, 'processes', name);

let root: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  root = await tempDir('actor-storage-crash-');
});
afterAll(async () => {
  await root.cleanup();
});

function run(
  name: string,
  args: string[],
): { child: ChildProcess; out: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script(name), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const done = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`${name} exited with ${code}: ${err}\n`);
      resolve(code);
    });
  });
  return { child, out: () => out, done };
}

/** One logged operation of the writer. */
interface Op {
  id: string;
  kind: 'push' | 'set' | 'delete' | 'add' | 'lock' | 'handled' | 'prolong' | 'unlock';
  tags?: string[];
  key?: string;
  value?: string;
  uniqueKeys?: string[];
  requestId?: string;
  acked: boolean;
}

async function readLog(path: string): Promise<Op[]> {
  const ops = new Map<string, Op>();
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (line.startsWith('S ')) {
      const op = JSON.parse(line.slice(2)) as Op;
      ops.set(op.id, { ...op, acked: false });
    } else if (line.startsWith('A ')) {
      const op = ops.get(line.slice(2));
      if (op) op.acked = true;
    }
  }
  return [...ops.values()];
}

/** What crash-check.ts prints. */
interface View {
  disk: { unparsable: string[]; temp: string[]; corrupt: string[] };
  dataset: { tags: string[]; itemCount: number; metadataItemCount: number; numbers: number[] };
  store: { keys: string[]; records: Record<string, string | null> };
  queue: {
    handedOut: string[];
    handled: string[];
    files: Array<{ id: string; pending: boolean }>;
    info: { totalRequestCount: number; handledRequestCount: number; pendingRequestCount: number };
  };
}

function checkDataset(ops: Op[], view: View['dataset']): void {
  const pushes = ops.filter((op) => op.kind === 'push');
  const started = new Set(pushes.flatMap((op) => op.tags ?? []));
  const present = new Set(view.tags);
  expect(present.size, 'an item appears twice').toBe(view.tags.length);
  for (const tag of view.tags) expect(started.has(tag), `item ${tag} was never pushed`).toBe(true);
  for (const op of pushes.filter((p) => p.acked)) {
    for (const tag of op.tags ?? []) expect(present.has(tag), `acknowledged item ${tag} lost`).toBe(true);
  }
  const highest = Math.max(0, ...view.numbers);
  expect(view.itemCount).toBe(highest);
  expect(view.metadataItemCount).toBe(highest);
  expect(view.tags).toHaveLength(view.numbers.length);
}

function checkStore(ops: Op[], view: View['store']): void {
  const byKey = new Map<string, Op[]>();
  for (const op of ops) {
    if (op.kind !== 'set' && op.kind !== 'delete') continue;
    byKey.set(op.key as string, [...(byKey.get(op.key as string) ?? []), op]);
  }
  for (const key of view.keys) expect(byKey.has(key), `key ${key} was never written`).toBe(true);
  for (const [key, keyOps] of byKey) {
    const last = keyOps.findLastIndex((op) => op.acked);
    // The last acknowledged state, or that of a write still in flight when a writer was killed.
    const allowed = new Set(
      keyOps.slice(Math.max(last, 0)).map((op) => (op.kind === 'delete' ? null : (op.value as string))),
    );
    if (last === -1) allowed.add(null);
    const seen = view.records[key] ?? null;
    expect(allowed.has(seen), `record ${key} holds ${seen}, expected one of ${[...allowed]}`).toBe(true);
  }
}

function checkQueue(ops: Op[], view: View['queue']): void {
  const ids = (op: Op) => (op.uniqueKeys ?? []).map(requestIdFromUniqueKey);
  const adds = ops.filter((op) => op.kind === 'add');
  const startedAdded = new Set(adds.flatMap(ids));
  const ackedAdded = new Set(adds.filter((op) => op.acked).flatMap(ids));
  const handledOps = ops.filter((op) => op.kind === 'handled');
  const startedHandled = new Set(handledOps.map((op) => op.requestId as string));
  const ackedHandled = new Set(handledOps.filter((op) => op.acked).map((op) => op.requestId as string));

  const handedOut = new Set(view.handedOut);
  expect(handedOut.size, 'a request was handed out twice').toBe(view.handedOut.length);
  for (const id of handedOut) {
    expect(startedAdded.has(id), `request ${id} was never added`).toBe(true);
    expect(ackedHandled.has(id), `handled request ${id} handed out again`).toBe(false);
  }
  for (const id of ackedAdded) {
    if (!startedHandled.has(id)) expect(handedOut.has(id), `pending request ${id} not handed out`).toBe(true);
  }
  const handled = new Set(view.handled);
  for (const id of ackedHandled) expect(handled.has(id), `request ${id} lost its handled mark`).toBe(true);
  const fileIds = new Set(view.files.map((f) => f.id));
  for (const id of ackedAdded) expect(fileIds.has(id), `request file ${id} lost`).toBe(true);
  const pending = view.files.filter((f) => f.pending).length;
  expect(view.info).toMatchObject({
    totalRequestCount: view.files.length,
    handledRequestCount: view.files.length - pending,
    pendingRequestCount: pending,
  });
  expect(view.handedOut).toHaveLength(pending);
}

/** Ops in flight at the kill, by kind: where the kill landed. */
function killPoints(ops: Op[], round: number): string[] {
  return ops.filter((op) => op.id.startsWith(`${round}.`) && !op.acked).map((op) => op.kind);
}

describe('crash harness', () => {
  it(
    `${ROUNDS} rounds of SIGKILL at a random moment lose nothing acknowledged (seed ${SEED})`,
    async () => {
      const dir = join(root.dir, 'storage');
      const log = join(root.dir, 'ops.log');
      const points = new Map<string, number>();
      let acked = 0;
      let quiet = 0;
      let random = SEED;
      for (let round = 1; round <= ROUNDS; round += 1) {
        random = (random * 1_103_515_245 + 12_345) % 2_147_483_648;
        const delay = 100 + (random % 1400);
        const args = [dir, log, String(round), String(SEED + round), round % 5 === 0 ? 'fsync' : 'plain'];
        const writer = run('crash-writer.ts', args);
        while (!writer.out().includes('ready')) {
          if (writer.child.exitCode !== null) throw new Error(`writer of round ${round} exited early`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        writer.child.kill('SIGKILL');
        await writer.done;

        const ops = await readLog(log);
        const inFlight = killPoints(ops, round);
        if (inFlight.length === 0) quiet += 1;
        for (const kind of inFlight) points.set(kind, (points.get(kind) ?? 0) + 1);
        acked = ops.filter((op) => op.acked).length;

        const checker = run('crash-check.ts', [dir]);
        expect(await checker.done, `checker of round ${round}`).toBe(0);
        const view = JSON.parse(checker.out()) as View;
        expect(view.disk.unparsable, `round ${round}: files that do not parse`).toEqual([]);
        expect(view.disk.corrupt, `round ${round}: files moved aside`).toEqual([]);
        expect(view.store.keys.filter((k) => k.startsWith('.'))).toEqual([]);
        checkDataset(ops, view.dataset);
        checkStore(ops, view.store);
        checkQueue(ops, view.queue);
        const progress = process.env.CRASH_PROGRESS;
        if (progress) {
          const line = `round ${round}: killed after ${delay} ms with ${JSON.stringify(inFlight)} in flight; ${acked} acknowledged so far; all checks passed\n`;
          await appendFile(progress, line);
        }
        if (round === ROUNDS) {
          console.log(
            `crash harness: ${ROUNDS} rounds, seed ${SEED}, ${acked} acknowledged operations, ` +
              `${view.dataset.tags.length} items, ${view.queue.files.length} requests, ` +
              `${view.disk.temp.length} temp files left on disk (never listed); ` +
              `operations in flight at the kills: ${JSON.stringify(Object.fromEntries(points))}, ` +
              `kills between operations: ${quiet}`,
          );
        }
      }
    },
    ROUNDS * 60_000,
  );
});
