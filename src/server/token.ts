import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno, toStorageError } from '../errors.js';

/** File in the storage dir that keeps the generated server token (mode 0600). */
export const TOKEN_FILE = '.server-token';

const TOKEN_RE = /^[A-Za-z0-9_-]{20,200}$/;

/** A new random token (32 bytes, base64url). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The token in `path`; `null` when the file is there but holds no valid token. */
async function readToken(path: string): Promise<string | null | undefined> {
  try {
    const token = (await readFile(path, 'utf8')).trim();
    return TOKEN_RE.test(token) ? token : null;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/**
 * The server token kept in `<storageDir>/.server-token`: read it, or generate one and save it,
 * readable by the user only. Two servers starting at once agree on one token (the file is created
 * by a hard link, which fails when it already exists).
 * @throws StorageError `STORAGE_IO` when the file cannot be read or written.
 */
export async function loadOrCreateToken(
  storageDir: string,
): Promise<{ token: string; file: string; created: boolean }> {
  const file = join(storageDir, TOKEN_FILE);
  try {
    const existing = await readToken(file);
    if (existing) {
      await chmod(file, 0o600);
      return { token: existing, file, created: false };
    }
    await mkdir(storageDir, { recursive: true });
    const token = generateToken();
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(temp, `${token}\n`, { mode: 0o600 });
    try {
      if (existing === null) await rm(file, { force: true }); // a malformed file is replaced
      await link(temp, file);
      return { token, file, created: true };
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
      const winner = await readToken(file);
      if (!winner) throw err;
      return { token: winner, file, created: false };
    } finally {
      await rm(temp, { force: true });
    }
  } catch (err) {
    throw toStorageError(err, `Reading or creating the server token in ${file}`);
  }
}
