/**
 * The physical ceiling, measured in the same run: plain `fs.writeFileSync` / `readFileSync` of
 * small files (one item each, as the dataset layout stores them), with no engine around them.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeItem } from '../data.js';
import { check, type Fixture, type Timed, timed, type Workload, type WorkloadContext } from '../workload.js';

const folderOf = (dir: string) => join(dir, 'raw');
const fileOf = (dir: string, n: number) => join(folderOf(dir), `${String(n).padStart(9, '0')}.json`);

/** Item texts as the dataset engines write them (tab-indented JSON). */
function texts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => JSON.stringify(makeItem(i), null, '\t'));
}

function writeAll(dir: string, bodies: readonly string[], atomic: boolean): void {
  mkdirSync(folderOf(dir), { recursive: true });
  for (const [i, body] of bodies.entries()) {
    const file = fileOf(dir, i + 1);
    if (!atomic) {
      writeFileSync(file, body);
      continue;
    }
    writeFileSync(`${file}.tmp`, body);
    renameSync(`${file}.tmp`, file);
  }
}

function checkFiles(dir: string, count: number): void {
  const names = readdirSync(folderOf(dir)).filter((name) => name.endsWith('.json'));
  check(names.length === count, `${names.length} raw files, expected ${count}`);
}

async function runWrite(ctx: WorkloadContext, atomic: boolean): Promise<Timed> {
  const bodies = texts(ctx.scale.rawFiles);
  const { seconds } = await timed(async () => writeAll(ctx.dir, bodies, atomic));
  checkFiles(ctx.dir, bodies.length);
  return { ops: bodies.length, seconds };
}

const rawFixture: Fixture = {
  id: 'raw-files',
  prepare: async (ctx) => writeAll(ctx.dir, texts(ctx.scale.rawFiles), false),
};

async function runRead(ctx: WorkloadContext): Promise<Timed> {
  const count = ctx.scale.rawFiles;
  let bytes = 0;
  const { seconds } = await timed(async () => {
    for (let n = 1; n <= count; n++) bytes += readFileSync(fileOf(ctx.dir, n)).length;
  });
  check(bytes > count * 100, `read only ${bytes} bytes`);
  return { ops: count, seconds };
}

export const rawWorkloads: Workload[] = [
  {
    id: 'raw-write',
    title: 'Raw filesystem: writeFileSync of small files',
    unit: 'files',
    runners: ['raw'],
    size: (s) => s.rawFiles,
    run: (ctx) => runWrite(ctx, false),
  },
  {
    id: 'raw-write-atomic',
    title: 'Raw filesystem: writeFileSync + renameSync (atomic)',
    unit: 'files',
    runners: ['raw'],
    size: (s) => s.rawFiles,
    run: (ctx) => runWrite(ctx, true),
  },
  {
    id: 'raw-read',
    title: 'Raw filesystem: readFileSync of small files',
    unit: 'files',
    runners: ['raw'],
    size: (s) => s.rawFiles,
    fixture: rawFixture,
    run: runRead,
  },
];
