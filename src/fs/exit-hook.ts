/**
 * Work to run when the process ends: a normal exit, `process.exit()`, or SIGINT, SIGTERM, SIGHUP
 * (Ctrl-C, a container stop). It goes through the very `signal-exit` instance proper-lockfile uses
 * to remove its lock files on the way out (resolved from proper-lockfile's own folder), so that the
 * two agree on when the process really ends; and it is registered before proper-lockfile is loaded
 * (which is why proper-lockfile is loaded here), so that it runs while the store locks are held.
 */
import { createRequire } from 'node:module';
import type ProperLockfile from 'proper-lockfile';

type OnExit = (callback: () => void) => () => void;

const require = createRequire(import.meta.url);
const lockfilePath = require.resolve('proper-lockfile');
const onExit = createRequire(lockfilePath)('signal-exit') as OnExit;

const callbacks = new Set<() => void>();

onExit(() => {
  for (const callback of callbacks) {
    try {
      callback();
    } catch {
      // The process is ending: one failed callback must not keep the others (or the lock cleanup) from running.
    }
  }
});

/** proper-lockfile, loaded once the exit callbacks above are registered. */
export const lockfile = require(lockfilePath) as typeof ProperLockfile;

/** Runs `callback` synchronously when the process ends (see the module comment). */
export function atProcessExit(callback: () => void): void {
  callbacks.add(callback);
}
