import type { Command } from 'commander';
import type { GcEntry } from '../../fs/gc.js';
import type { StoreKind } from '../../fs/layout.js';
import { DEFAULT_RETENTION } from '../../storages/duration.js';
import { Storage } from '../../storages/storage.js';
import type { StorageType } from '../../storages/storage-summary.js';
import type { CliContext } from '../runtime.js';
import { formatBytes, formatDate, TYPE_SHORT } from './format.js';
import { progressBar, showsProgress } from './terminal.js';

interface GcFlags {
  olderThan: string;
  dryRun?: boolean;
}

const TYPE_OF: Readonly<Record<StoreKind, StorageType>> = {
  datasets: 'dataset',
  key_value_stores: 'keyValueStore',
  request_queues: 'requestQueue',
};

function entryJson(entry: GcEntry) {
  return {
    type: TYPE_OF[entry.kind],
    id: entry.id,
    dir: entry.dir,
    modifiedAt: entry.modifiedAt.toISOString(),
    bytes: entry.bytes,
  };
}

function line(verb: string, entry: GcEntry, extra = ''): string {
  const type = TYPE_SHORT[TYPE_OF[entry.kind]];
  return `${verb} ${type} ${entry.id} (modified ${formatDate(entry.modifiedAt)}${extra})`;
}

async function gc(command: Command, flags: GcFlags, ctx: CliContext) {
  const { storageDir, json } = ctx.globals(command);
  const dryRun = flags.dryRun === true;
  const bar = progressBar(dryRun ? 'gc (dry run)' : 'gc', showsProgress(json));
  let result: Awaited<ReturnType<typeof Storage.gc>>;
  try {
    result = await Storage.gc({
      storageDir,
      olderThan: flags.olderThan,
      dryRun,
      onProgress: (d, t) => bar.update(d, t),
    });
  } finally {
    bar.stop();
  }
  const verb = dryRun ? 'would remove' : 'removed';
  const lines = result.removed.map((e) => line(verb, e, `, ${formatBytes(e.bytes)}`));
  for (const kept of result.kept) {
    if (kept.reason === 'locked') lines.push(line('kept (locked by another process)', kept));
    if (kept.reason === 'unreadable') lines.push(`kept ${kept.dir} (metadata does not parse; run doctor)`);
  }
  const count = result.removed.length;
  lines.push(
    count === 0
      ? `Nothing ${dryRun ? 'would be removed' : 'removed'}: no unnamed storage unchanged for ${flags.olderThan}.`
      : `${dryRun ? 'Would free' : 'Freed'} ${formatBytes(result.bytesFreed)} from ${count} unnamed storage${count === 1 ? '' : 's'}.`,
  );
  ctx.print(command, lines.join('\n'), {
    dryRun,
    olderThan: flags.olderThan,
    cutoff: result.cutoff.toISOString(),
    removed: result.removed.map(entryJson),
    kept: result.kept.map((k) => ({ ...entryJson(k), reason: k.reason })),
    bytesFreed: result.bytesFreed,
  });
}

/** `actor-storage gc [--older-than 7d] [--dry-run]`: deletes expired unnamed storages. */
export function registerGc(program: Command, ctx: CliContext): void {
  program
    .command('gc')
    .description(
      'Delete unnamed storages not changed for a while (7 days, as on the platform). Named storages, the default storages and storages another process holds locked are never touched.',
    )
    .option('--older-than <duration>', 'how long unchanged: 7d, 12h, 30m, 45s …', DEFAULT_RETENTION)
    .option('-n, --dry-run', 'only show what would be removed')
    .addHelpText(
      'after',
      `
Examples:
  $ actor-storage gc --dry-run
  $ actor-storage gc --older-than 12h
  $ actor-storage --json gc | jq .bytesFreed`,
    )
    .action(async (flags: GcFlags, cmd: Command) => gc(cmd, flags, ctx));
}
