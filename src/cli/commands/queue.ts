import type { Command } from 'commander';
import type { RequestQueueHeadItem, RequestSchema } from '../../client/types.js';
import { StorageError } from '../../errors.js';
import { createFsClient } from '../../fs/index.js';
import type { CliContext } from '../runtime.js';
import { formatDate, renderTable } from './format.js';
import { parseCount } from './item-options.js';

interface QueueFlags {
  limit: string;
}

function headTable(head: readonly RequestQueueHeadItem[]): string {
  if (head.length === 0) return '  (empty)';
  const rows = head.map((r) => [
    r.id,
    r.method,
    String(r.retryCount),
    r.lockExpiresAt ? `until ${formatDate(r.lockExpiresAt)}` : '-',
    r.url,
  ]);
  return renderTable([['ID', 'METHOD', 'RETRIES', 'LOCKED', 'URL'], ...rows])
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

function lockedTable(locked: readonly RequestSchema[]): string {
  if (locked.length === 0) return '  (none)';
  return renderTable([['ID', 'URL'], ...locked.map((r) => [r.id ?? '', r.url])])
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

async function queue(command: Command, idOrName: string, flags: QueueFlags, ctx: CliContext) {
  const { storageDir } = ctx.globals(command);
  const limit = parseCount(flags.limit, '--limit') as number;
  const client = createFsClient({ storageDir }).requestQueue(idOrName);
  const info = await client.get();
  if (!info) {
    throw new StorageError('STORAGE_NOT_FOUND', `Request queue "${idOrName}" was not found.`, {
      details: { kind: 'request_queues', idOrName },
    });
  }
  const head = await client.listHead({ limit });
  const locked = (await client.listRequests({ filter: ['locked'], limit: Math.max(limit, 1) })).items;
  const human = [
    `Request queue ${info.name ?? '(unnamed)'} (${info.id})`,
    `requests: ${info.totalRequestCount} total, ${info.handledRequestCount} handled, ${info.pendingRequestCount} pending, ${locked.length}${locked.length >= limit ? '+' : ''} locked`,
    `modified: ${formatDate(info.modifiedAt)}${info.hadMultipleClients ? ' (had multiple clients)' : ''}`,
    `head (next ${limit}):`,
    headTable(head.items),
    'locked:',
    lockedTable(locked),
  ].join('\n');
  ctx.print(command, human, {
    id: info.id,
    name: info.name ?? null,
    totalRequestCount: info.totalRequestCount,
    handledRequestCount: info.handledRequestCount,
    pendingRequestCount: info.pendingRequestCount,
    hadMultipleClients: info.hadMultipleClients ?? false,
    modifiedAt: info.modifiedAt.toISOString(),
    head: head.items,
    locked,
  });
}

/** `actor-storage queue <id|name> [--limit N]`: counts, the head, and the locked requests. */
export function registerQueue(program: Command, ctx: CliContext): void {
  program
    .command('queue')
    .argument('<id|name>', 'request queue id or name')
    .description('Show a request queue: counts, the next requests (its head) and the locked ones.')
    .option('-l, --limit <n>', 'how many head and locked requests to show', '10')
    .addHelpText(
      'after',
      `
Examples:
  $ actor-storage queue default
  $ actor-storage queue crawl-queue --limit 50
  $ actor-storage --json queue default | jq '.head[].url'`,
    )
    .action(async (idOrName: string, flags: QueueFlags, cmd: Command) => queue(cmd, idOrName, flags, ctx));
}
