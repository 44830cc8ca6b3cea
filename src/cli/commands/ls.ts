import type { Command } from 'commander';
import { Storage } from '../../storages/storage.js';
import type { StorageSummary } from '../../storages/storage-summary.js';
import type { CliContext } from '../runtime.js';
import { formatBytes, formatCounts, formatDate, renderTable, summaryJson, TYPE_SHORT } from './format.js';

interface LsFlags {
  all?: boolean;
}

function table(summaries: readonly StorageSummary[], all: boolean): string {
  if (summaries.length === 0)
    return all ? 'No storages.' : 'No named storages (--all lists unnamed ones too).';
  const header = ['TYPE', 'ID', 'NAME', 'COUNTS', 'SIZE', 'MODIFIED', ...(all ? ['EXPIRES'] : [])];
  const rows = summaries.map((s) => [
    TYPE_SHORT[s.type],
    s.id,
    s.name ?? '-',
    formatCounts(s.counts),
    formatBytes(s.bytes),
    formatDate(s.modifiedAt),
    ...(all ? [s.expiresAt ? formatDate(s.expiresAt) : 'never'] : []),
  ]);
  return renderTable([header, ...rows]);
}

async function ls(command: Command, type: string | undefined, flags: LsFlags, ctx: CliContext) {
  const { storageDir } = ctx.globals(command);
  const all = flags.all === true;
  const summaries = await Storage.list({ storageDir, type, unnamed: all });
  ctx.print(command, table(summaries, all), summaries.map(summaryJson));
}

/** `actor-storage ls [datasets|kvs|queues] [--all]`: the storages with counts, size and age. */
export function registerLs(program: Command, ctx: CliContext): void {
  program
    .command('ls')
    .argument('[type]', 'only this type: datasets, kvs (key-value-stores) or queues (request-queues)')
    .description('List the storages: id, name, counts, size on disk and last modification.')
    .option('-a, --all', 'unnamed storages too (they expire 7 days after their last change)')
    .addHelpText(
      'after',
      `
Examples:
  $ actor-storage ls                      named storages of ./apify_storage
  $ actor-storage ls datasets --all       every dataset, unnamed ones too
  $ actor-storage --json ls kvs           a JSON array, for scripts`,
    )
    .action(async (type: string | undefined, flags: LsFlags, command: Command) =>
      ls(command, type, flags, ctx),
    );
}
