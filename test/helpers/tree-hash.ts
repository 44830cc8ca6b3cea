import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Options of {@link treeHash}. */
export interface TreeHashOptions {
  /**
   * Paths (relative, `/`-separated) left out with everything under them, e.g. `.locks`: lock files
   * come and go with every locked operation and hold no data.
   */
  ignore?: readonly string[];
  /** Leave modification times out (compare contents only). @default false */
  ignoreTimes?: boolean;
}

/**
 * A digest of every path under `dir`: its kind, mode, size, mtime and content (symlinks by target).
 * Two equal digests mean nothing under `dir` was created, removed, renamed, written or touched.
 */
export async function treeHash(dir: string, options: TreeHashOptions = {}): Promise<string> {
  const hash = createHash('sha256');
  const ignore = new Set(options.ignore ?? []);
  async function walk(rel: string): Promise<void> {
    const names = (await readdir(join(dir, rel))).sort();
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      if (ignore.has(path)) continue;
      const full = join(dir, path);
      const info = await lstat(full);
      const kind = info.isDirectory() ? 'd' : info.isSymbolicLink() ? 'l' : 'f';
      const time = options.ignoreTimes ? '' : String(info.mtimeMs);
      hash.update(`${path}\0${kind}\0${info.mode}\0${kind === 'd' ? '' : info.size}\0${time}\0`);
      if (kind === 'd') await walk(path);
      else if (kind === 'l') hash.update(await readlink(full));
      else hash.update(await readFile(full));
    }
  }
  await walk('');
  return hash.digest('hex');
}

/** Every path under `dir` (relative, `/`-separated, sorted), for readable failure messages. */
export async function treeList(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      out.push(entry.isDirectory() ? `${path}/` : path);
      if (entry.isDirectory()) await walk(path);
    }
  }
  await walk('');
  return out.sort();
}
