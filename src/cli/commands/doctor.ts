import type { Command } from 'commander';
import { StorageError } from '../../errors.js';
import type { DoctorReport } from '../../fs/doctor.js';
import { Storage } from '../../storages/storage.js';
import type { CliContext } from '../runtime.js';
import { progressBar, showsProgress } from './terminal.js';

interface DoctorFlags {
  fix?: boolean;
}

function describe(report: DoctorReport): string {
  const lines = report.problems.map((p) => {
    const status = p.fixed ? 'fixed' : 'found';
    const where = p.storage ?? '.';
    return `${status}  ${where}  ${p.kind}  ${p.message}${p.action ? ` → ${p.action}` : ''}\n       ${p.path}`;
  });
  for (const label of report.inUse) lines.push(`note   ${label} was in use by another process while checked`);
  const n = report.problems.length;
  const fixed = report.problems.filter((p) => p.fixed).length;
  const summary =
    n === 0
      ? 'no problems'
      : `${n} problem${n === 1 ? '' : 's'}${fixed === n ? ', all fixed' : fixed > 0 ? `, ${fixed} fixed` : ' (run with --fix to repair)'}`;
  lines.push(
    `Checked ${report.storagesChecked} storage${report.storagesChecked === 1 ? '' : 's'} (${report.filesChecked} files) in ${report.storageDir}: ${summary}.`,
  );
  return lines.join('\n');
}

/**
 * Runs `task` with the process warnings about files moved aside held back (the report lists each
 * of them); other warnings reach the usual listeners.
 */
async function withoutMoveWarnings<T>(task: () => Promise<T>): Promise<T> {
  const listeners = process.listeners('warning');
  const filter = (warning: Error & { code?: string }) => {
    if (warning.code === 'STORAGE_CORRUPT') return;
    for (const listener of listeners) listener(warning);
  };
  process.removeAllListeners('warning');
  process.on('warning', filter);
  try {
    return await task();
  } finally {
    process.off('warning', filter);
    for (const listener of listeners) process.on('warning', listener);
  }
}

async function doctor(command: Command, flags: DoctorFlags, ctx: CliContext) {
  const { storageDir, json } = ctx.globals(command);
  const bar = progressBar(flags.fix ? 'doctor --fix' : 'doctor', showsProgress(json));
  let report: DoctorReport;
  try {
    report = await withoutMoveWarnings(() =>
      Storage.doctor({ storageDir, fix: flags.fix === true, onProgress: (d, t) => bar.update(d, t) }),
    );
  } finally {
    bar.stop();
  }
  ctx.print(command, describe(report), report);
  const open = report.problems.filter((p) => !p.fixed).length;
  if (open > 0) {
    throw new StorageError(
      'STORAGE_CORRUPT',
      `${open} problem(s) found in ${storageDir}; run "actor-storage doctor --fix" to repair.`,
      {
        details: { problems: open },
      },
    );
  }
}

/** `actor-storage doctor [--fix]`: checks a storage folder; with --fix repairs it. */
export function registerDoctor(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description(
      'Check the storage folder: files that do not parse, missing or stale metadata, records without sidecars, gaps in dataset numbering, stray and temp files. Exits with 7 when problems remain.',
    )
    .option(
      '--fix',
      'repair: move unreadable and stray files aside (into __corrupt__/), close gaps, write sidecars and metadata',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ actor-storage doctor
  $ actor-storage doctor --fix
  $ actor-storage --json doctor | jq '.problems[] | .kind'`,
    )
    .action(async (flags: DoctorFlags, cmd: Command) => doctor(cmd, flags, ctx));
}
