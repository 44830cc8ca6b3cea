/**
 * One crawl of the fixture shop in its own process, for the resume and switch-client tests:
 *
 *   node --import tsx test/processes/crawl-child.ts '<json options>'
 *
 * Options: `storageDir`, `startUrl`, `client` ('fs' | 'memory'), `kind` ('cheerio' | 'basic'),
 * `stopAfterPushes`, `maxConcurrency`, `stallAfterPush`. Default storages are never purged (a resumed run must
 * find what the previous one left). Prints one line of JSON with Crawlee's final statistics.
 */
import { MemoryStorage } from '@crawlee/memory-storage';
import { Configuration } from 'crawlee';
import { createFsClient } from '../../src/index.js';
import { crawlShop } from './crawl-shop.js';

interface ChildOptions {
  storageDir: string;
  startUrl: string;
  client?: 'fs' | 'memory';
  kind?: 'cheerio' | 'basic';
  stopAfterPushes?: number;
  maxConcurrency?: number;
  stallAfterPush?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
const storageClient =
  options.client === 'memory'
    ? new MemoryStorage({ localDataDirectory: options.storageDir, persistStorage: true, writeMetadata: true })
    : createFsClient({ storageDir: options.storageDir });
const config = new Configuration({ storageClient, purgeOnStart: false });
const stats = await crawlShop({
  startUrl: options.startUrl,
  config,
  kind: options.kind,
  stopAfterPushes: options.stopAfterPushes,
  maxConcurrency: options.maxConcurrency,
  stallAfterPush: options.stallAfterPush,
});
await storageClient.teardown?.();
console.log(
  JSON.stringify({ requestsFinished: stats.requestsFinished, requestsFailed: stats.requestsFailed }),
);
