import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const DIST_CLI = join(ROOT, 'dist', 'src', 'cli', 'index.js');
const SRC_CLI = join(ROOT, 'src', 'cli', 'index.ts');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

/** The built CLI when it is there and newer than every source file, else the sources through tsx. */
function cliCommand(): string[] {
  try {
    if (statSync(DIST_CLI).mtimeMs >= newestMtime(join(ROOT, 'src'))) return [DIST_CLI];
  } catch {
    // no build: run the sources
  }
  return ['--import', 'tsx', SRC_CLI];
}

const COMMAND = cliCommand();

/** What one run of the CLI printed and returned. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as bytes (for raw records). */
  bytes: Buffer;
}

/** Environment without the variables that would point the CLI elsewhere than `--dir`. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of Object.keys(env)) {
    if (
      /^(APIFY_LOCAL_STORAGE_DIR|CRAWLEE_STORAGE_DIR|CRAWLEE_PURGE_ON_START|APIFY_PURGE_ON_START)$/.test(name)
    )
      delete env[name];
    if (/^(ACTOR|APIFY)_DEFAULT_/.test(name) && !(name in extra)) delete env[name];
  }
  return env;
}

/**
 * Runs `actor-storage <args>` as a user does, in a child process whose stdin, stdout and stderr are
 * pipes (not a terminal); resolves when it exits.
 */
export function cli(
  args: readonly string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [...COMMAND, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.end(options.input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const bytes = Buffer.concat(out);
      resolve({ code, stdout: bytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), bytes });
    });
  });
}

/** Runs the CLI with `--dir dir --json` and parses the one JSON document it prints. */
export async function cliJson<T = unknown>(
  dir: string,
  args: readonly string[],
): Promise<{ run: CliRun; json: T }> {
  const run = await cli(['--dir', dir, '--json', ...args]);
  if (run.code !== 0)
    throw new Error(`actor-storage ${args.join(' ')} exited with ${run.code}: ${run.stderr}`);
  return { run, json: JSON.parse(run.stdout) as T };
}

/** The coded error a failed `--json` run printed on stderr. */
export function jsonError(run: CliRun): { code: string; message: string } {
  const line = run.stderr
    .trim()
    .split('\n')
    .find((l) => l.startsWith('{"error"'));
  if (!line) throw new Error(`no JSON error on stderr: ${run.stderr}`);
  return (JSON.parse(line) as { error: { code: string; message: string } }).error;
}

/** The project's root folder (where node_modules resolves). */
export const PROJECT_ROOT = ROOT;
