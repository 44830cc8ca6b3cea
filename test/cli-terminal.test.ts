/**
 * The CLI on a terminal: progress bars and the question before a drop. A pseudo-terminal comes
 * from util-linux `script`; without it these tests are skipped (the pipe behaviour is covered in
 * cli-records and cli-storages).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFsClient } from '../src/index.js';
import { PROJECT_ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
const CLI = join(PROJECT_ROOT, 'src', 'cli', 'index.ts');
// Each test spawns the CLI several times; on a busy machine a spawn takes seconds.
vi.setConfig({ testTimeout: 180_000 });

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the CLI on a pseudo-terminal. `answer` is typed once the output shows `prompt`.
 * Resolves with everything the terminal showed.
 */
function onTerminal(args: string[], answer?: { prompt: string; text: string }): Promise<string> {
  const command = [process.execPath, '--import', 'tsx', CLI, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: PROJECT_ROOT, stdio: 'pipe' });
  let shown = '';
  let answered = false;
  child.stdout.on('data', (chunk: Buffer) => {
    shown += chunk.toString('utf8');
    if (answer && !answered && shown.includes(answer.prompt)) {
      answered = true;
      child.stdin.write(answer.text);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve(shown));
  });
}

async function seed(): Promise<string> {
  const { dir, cleanup } = await tempDir('actor-storage-tty-');
  cleanups.push(cleanup);
  const client = createFsClient({ storageDir: dir });
  const { id } = await client.datasets().getOrCreate('products');
  await client.dataset(id).pushItems(Array.from({ length: 50 }, (_, i) => ({ i, title: `item ${i}` })));
  await client.keyValueStores().getOrCreate('scratch');
  return dir;
}

describe.skipIf(!hasScript)('actor-storage on a terminal', () => {
  it('draws a progress bar for export and doctor, and none with --json', async () => {
    const root = await seed();
    const [bar, quiet, doctor] = await Promise.all([
      onTerminal(['--dir', root, 'export', 'products', '--out', join(root, 'p.csv')]),
      onTerminal(['--dir', root, '--json', 'export', 'products', '--out', join(root, 'q.csv')]),
      onTerminal(['--dir', root, 'doctor']),
    ]);
    expect(bar).toMatch(/export csv \[[^\]]*\] 100% \| 50\/50/);
    expect(bar).toContain('Exported 50 items');
    expect(quiet).not.toContain('100%');
    expect(JSON.parse(quiet.trim())).toMatchObject({ items: 50, format: 'csv' });
    expect(doctor).toMatch(/doctor \[[^\]]*\] 100%/);
    expect(doctor).toContain('no problems');
  });

  it('asks before dropping: "n" keeps the storage, "y" drops it', async () => {
    const root = await seed();
    const folder = join(root, 'key_value_stores', 'scratch');
    const prompt = '[y/N]';
    const kept = await onTerminal(['--dir', root, 'drop', 'kvs', 'scratch'], { prompt, text: 'n\r' });
    expect(kept).toContain('Drop key-value store "scratch" (0 records,');
    expect(kept).toContain('Nothing dropped.');
    expect(existsSync(folder)).toBe(true);
    const dropped = await onTerminal(['--dir', root, 'drop', 'kvs', 'scratch'], { prompt, text: 'y\r' });
    expect(dropped).toContain('Dropped key-value store "scratch"');
    expect(existsSync(folder)).toBe(false);
  });
});
