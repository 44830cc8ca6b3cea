import type { Command } from 'commander';
import { Storage } from '../../storages/storage.js';
import { STORAGE_TYPE_LABEL, type StorageSummary } from '../../storages/storage-summary.js';
import type { CliContext } from '../runtime.js';
import { formatBytes, formatCounts, formatDate, renderTable, summaryJson } from './format.js';

function describe(s: StorageSummary): string {
  const rows: string[][] = [
    ['type', STORAGE_TYPE_LABEL[s.type]],
    ['id', s.id],
    ['name', s.name ?? '(unnamed)'],
    ['counts', formatCounts(s.counts)],
    ['size', `${formatBytes(s.bytes)} (${s.bytes} bytes)`],
    ['created', formatDate(s.createdAt)],
    ['modified', formatDate(s.modifiedAt)],
    ['accessed', formatDate(s.accessedAt)],
    ['expires', s.expiresAt ? formatDate(s.expiresAt) : 'never (named or default)'],
    ['folder', s.dir],
  ];
  if (s.type === 'dataset' && 'fields' in s.info && s.info.fields) {
    rows.push(['fields', s.info.fields.join(', ')]);
  }
  return renderTable(rows.map(([key, value]) => [`${key}:`, value ?? '']));
}

async function info(command: Command, type: string, idOrName: string, ctx: CliContext) {
  const { storageDir } = ctx.globals(command);
  const summary = await (await Storage.open(type, idOrName, { storageDir })).getInfo();
  ctx.print(command, describe(summary), { ...summaryJson(summary), info: summary.info });
}

/** `actor-storage info <type> <id|name>`: one storage in detail. */
export function registerInfo(program: Command, ctx: CliContext): void {
  program
    .command('info')
    .argument('<type>', 'dataset, kvs (key-value-store) or queue (request-queue)')
    .argument('<id|name>', 'the storage id or name')
    .description('Show one storage: counts, size on disk, timestamps, expiry and folder.')
    .addHelpText(
      'after',
      `
Examples:
  $ actor-storage info dataset products
  $ actor-storage info kvs default
  $ actor-storage --json info queue aB3dE5gH7jK9mN1pQ`,
    )
    .action(async (type: string, idOrName: string, _flags: unknown, command: Command) =>
      info(command, type, idOrName, ctx),
    );
}
