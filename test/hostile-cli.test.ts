/**
 * Hostile input to the CLI, run as a user runs it (a child process): storage names and addresses
 * with `..`, `/`, `\`, unicode look-alikes, 257 characters and reserved names; record keys
 * likewise; a record that claims JSON and is not; an unknown export format. Each run exits with
 * the code of ERROR_TABLE and prints the error code (`--json`), and the whole storage tree hashes
 * the same before and after, as does a canary beside it. (NUL cannot be passed in an argument.)
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsClient, ERROR_TABLE, type ErrorCode } from '../src/index.js';
import { cli, jsonError } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';
import { treeHash } from './helpers/tree-hash.js';

let root: { dir: string; cleanup: () => Promise<void> };
let storageDir: string;
let goodFile: string;
let badJson: string;

beforeAll(async () => {
  root = await tempDir('actor-storage-hostile-cli-');
  storageDir = join(root.dir, 'storage');
  await writeFile(join(root.dir, 'canary.txt'), 'canary');
  goodFile = join(root.dir, 'value.txt');
  await writeFile(goodFile, 'hello');
  badJson = join(root.dir, 'bad.json');
  await writeFile(badJson, '{"a":');
  const client = createFsClient({ storageDir });
  await client.datasets().getOrCreate('target');
  await client.dataset('target').pushItems({ a: 1 });
  const { id } = await client.keyValueStores().getOrCreate('target');
  await client.keyValueStore(id).setRecord({ key: 'good', value: { a: 1 } });
  await client.requestQueues().getOrCreate('target');
  await client.teardown();
});
afterAll(async () => {
  await root.cleanup();
});

const NAMES = [
  '..',
  '../outside',
  'a/b',
  '..\\outside',
  'a\u2024b',
  'a\uFF0Fb',
  'a\u2215b',
  'n'.repeat(257),
  'CON',
  '.',
];
const KEYS = [
  '..',
  '../outside',
  'a/b',
  'a\\b',
  'a\u2024b',
  'a\uFF0Fb',
  'k'.repeat(257),
  '__metadata__',
  'CON',
];

/** Commands that take a storage name or address; each bad name goes through two of them (each run is a process). */
const NAME_COMMANDS: Array<(name: string) => string[]> = [
  (name) => ['get', name, 'good'],
  (name) => ['set', name, 'k', goodFile],
  (name) => ['items', name],
  (name) => ['rename', 'dataset', 'target', name],
  (name) => ['drop', 'dataset', name],
  (name) => ['info', 'queue', name],
  (name) => ['queue', name],
  (name) => ['keys', name],
  (name) => ['export', name, '--format', 'csv'],
];

const RUNS: Array<[args: () => string[], code: ErrorCode]> = [
  ...NAMES.flatMap(
    (name, i): Array<[() => string[], ErrorCode]> => [
      [
        () => (NAME_COMMANDS[i % NAME_COMMANDS.length] as (n: string) => string[])(name),
        'STORAGE_INVALID_NAME',
      ],
      [
        () => (NAME_COMMANDS[(i + 4) % NAME_COMMANDS.length] as (n: string) => string[])(name),
        'STORAGE_INVALID_NAME',
      ],
    ],
  ),
  ...KEYS.map((key, i): [() => string[], ErrorCode] => [
    () => (i % 2 === 0 ? ['get', 'target', key] : ['set', 'target', key, goodFile]),
    'STORAGE_INVALID_KEY',
  ]),
  [() => ['set', 'target', 'k', badJson], 'STORAGE_INVALID_VALUE'],
  [() => ['export', 'target', '--format', 'exe'], 'STORAGE_UNSUPPORTED_FORMAT'],
];

describe('hostile input to the CLI', () => {
  it(`${RUNS.length} runs exit with their code and leave the disk unchanged`, async () => {
    const before = await treeHash(root.dir, { ignore: ['storage/.locks'] });
    const canary = await stat(join(root.dir, 'canary.txt'));
    const wrong: string[] = [];
    for (const [args, code] of RUNS) {
      const run = await cli(['--dir', storageDir, '--json', ...args()]);
      let got: string;
      try {
        got = `${run.code} ${jsonError(run).code}`;
      } catch {
        got = `${run.code} (no JSON error: ${run.stderr.slice(0, 120)})`;
      }
      const shown = args().map((a) => (a.length > 20 ? `${a.slice(0, 8)}…` : a));
      if (got !== `${ERROR_TABLE[code].exitCode} ${code}`)
        wrong.push(`${shown.join(' ')}: expected ${code}, got ${got}`);
    }
    expect(wrong).toEqual([]);
    expect(await treeHash(root.dir, { ignore: ['storage/.locks'] })).toBe(before);
    expect(await readFile(join(root.dir, 'canary.txt'), 'utf8')).toBe('canary');
    expect((await stat(join(root.dir, 'canary.txt'))).mtimeMs).toBe(canary.mtimeMs);
  }, 300_000);
});
