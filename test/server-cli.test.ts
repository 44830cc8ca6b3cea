import { type ChildProcess, spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ApifyClient } from 'apify-client';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.js';
import { TOKEN_FILE } from '../src/server/index.js';
import { tempDir } from './helpers/tmp.js';

const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'index.ts');

interface Started {
  child: ChildProcess;
  lines: string[];
  exit: Promise<number | null>;
}

const running: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Spawns `actor-storage <args>` and waits for the line `listening on …`. */
async function serve(args: string[]): Promise<Started & { url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { ...process.env, HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const match = /^listening on (http:\/\/\S+)$/.exec(line) ?? /"url":"(http:[^"]+)"/.exec(line);
      if (match) resolve(match[1]!);
    });
    let stderr = '';
    child.stderr!.on('data', (c) => {
      stderr += c;
    });
    void exit.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return { child, lines, exit, url };
}

async function storageDir(): Promise<string> {
  const { dir, cleanup } = await tempDir('actor-storage-cli-');
  cleanups.push(cleanup);
  return dir;
}

describe('actor-storage serve', () => {
  it('binds 127.0.0.1, prints the URL and a generated token, keeps the token (0600) for next time', async () => {
    const dir = await storageDir();
    const first = await serve(['--dir', dir, 'serve', '--port', '0']);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const token = /^token: (\S+) \(new, saved in /.exec(first.lines[0] ?? '')?.[1];
    expect(token).toBeDefined();
    expect((await stat(join(dir, TOKEN_FILE))).mode & 0o777).toBe(0o600);
    const client = new ApifyClient({ baseUrl: first.url, token, maxRetries: 0 });
    const ds = await client.datasets().getOrCreate('from-cli');
    await client.dataset(ds.id).pushItems([{ ok: true }]);
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);

    const second = await serve(['--dir', dir, 'serve', '--port', '0']);
    expect(second.lines[0]).toBe(`token: ${token} (from ${join(dir, TOKEN_FILE)})`);
    const again = new ApifyClient({ baseUrl: second.url, token, maxRetries: 0 });
    expect((await again.dataset('~from-cli').listItems()).items).toEqual([{ ok: true }]);
    second.child.kill('SIGINT');
    expect(await second.exit).toBe(0);
  });

  it('uses a given --token and prints one JSON line with --json', async () => {
    const dir = await storageDir();
    const started = await serve(['--json', '--dir', dir, 'serve', '--port', '0', '--token', 'my-own-token']);
    expect(started.lines).toHaveLength(1);
    expect(JSON.parse(started.lines[0]!)).toEqual({ url: started.url, storageDir: dir });
    const wrong = new ApifyClient({ baseUrl: started.url, token: 'other', maxRetries: 0 });
    await expect(wrong.datasets().list()).rejects.toMatchObject({ statusCode: 401 });
    const right = new ApifyClient({ baseUrl: started.url, token: 'my-own-token', maxRetries: 0 });
    expect((await right.datasets().list()).total).toBe(0);
    started.child.kill('SIGTERM');
    expect(await started.exit).toBe(0);
  });
});

describe('CLI exit codes', () => {
  it('exits 2 for usage errors and bad options, 0 for help', async () => {
    const out: string[] = [];
    const io = { stdout: (l: string) => out.push(l), stderr: (l: string) => out.push(l) };
    expect(await runCli(['--nope'], io)).toBe(2);
    expect(await runCli(['serve', '--port', 'x'], io)).toBe(2);
    expect(out.some((l) => l.includes('Invalid port'))).toBe(true);
    expect(await runCli(['--help'], io)).toBe(0);
    expect(await runCli(['--json', 'serve', '--port', '70000'], io)).toBe(2);
    expect(JSON.parse(out.at(-1)!)).toMatchObject({ error: { code: 'STORAGE_INVALID_OPTION' } });
  });
});
