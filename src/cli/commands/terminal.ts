/**
 * What the commands do with the terminal: progress bars (on a terminal only), raw output with
 * backpressure, and yes/no questions.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import cliProgress from 'cli-progress';

/** A progress bar, or nothing (when output is not a terminal, or with --json). */
export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

const NO_PROGRESS: Progress = { update: () => undefined, stop: () => undefined };

/** True when progress may be drawn: stdout and stderr are terminals and --json is off. */
export function showsProgress(json: boolean): boolean {
  return !json && process.stdout.isTTY === true && process.stderr.isTTY === true;
}

/** A bar on stderr labelled `label`, started on the first update; a no-op when `enabled` is false. */
export function progressBar(label: string, enabled: boolean): Progress {
  if (!enabled) return NO_PROGRESS;
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total ?? done, done);
        started = true;
        return;
      }
      if (total !== undefined) bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

let pipeGuarded = false;

/** Ends the process quietly when stdout is closed early (`actor-storage items … | head`). */
function guardBrokenPipe(): void {
  if (pipeGuarded) return;
  pipeGuarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

/** Writes to stdout, waiting when its buffer is full (so a large output never piles up in memory). */
export async function writeOut(chunk: string | Uint8Array): Promise<void> {
  guardBrokenPipe();
  if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
}

/** Pipes a stream to stdout, leaving stdout open. */
export async function pipeToStdout(stream: Readable): Promise<void> {
  guardBrokenPipe();
  await pipeline(stream, process.stdout, { end: false });
}

/** True when the user can be asked: stdin and stderr are terminals. */
export function canAsk(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

/** Asks a yes/no question on the terminal; true only for `y` or `yes`. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
