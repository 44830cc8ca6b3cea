/**
 * Load benchmark of `actor-storage serve`: C concurrent keep-alive connections, each pushing a
 * batch of items and reading a page of items in turn, for a given duration. The server runs in a
 * child process (the CLI), so its memory is measured apart from the load generator's.
 *
 *   node --import tsx bench/server-load.ts [--duration=20] [--connections=50] [--batch=10] [--page=100]
 *                                          [--compress=none|gzip|br] [--json]
 *
 * Reports requests/s and items/s, p50/p99/max latency per kind of request, errors (must be 0),
 * lost and duplicated items (both must be 0: every acknowledged item is read back exactly once
 * at the end, through one streamed download), and the server's RSS at start, peak and end.
 * Nothing here asserts on time; the exit code is 1 when errors or lost items are not 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { brotliCompressSync, gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const durationSecs = Number(option('duration', '20'));
const connections = Number(option('connections', '50'));
const batch = Number(option('batch', '10'));
const pageSize = Number(option('page', '100'));
const compress = option('compress', 'none');
const asJson = args.includes('--json');
const TOKEN = 'bench-token-0123456789abcdef';

interface Response {
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

const agent = new Agent({ keepAlive: true, maxSockets: connections });

function send(base: URL, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}) {
  return new Promise<Response>((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        agent,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(body ? { 'content-type': 'application/json', 'content-length': body.length } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** RSS of a process in MiB, from /proc (Linux) or `ps`. */
async function rssMiB(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    const ps = spawn('ps', ['-o', 'rss=', '-p', String(pid)]);
    let out = '';
    for await (const chunk of ps.stdout) out += chunk;
    return Number(out.trim()) / 1024;
  }
}

async function startServer(dir: string): Promise<{ child: ChildProcess; url: URL }> {
  const cli = join(import.meta.dirname, '..', 'src', 'cli', 'index.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cli, '--json', '--dir', dir, 'serve', '--port', '0', '--token', TOKEN],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, url: new URL((JSON.parse(line) as { url: string }).url) };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function encodeBody(items: unknown[]): { body: Buffer; headers: Record<string, string> } {
  const json = Buffer.from(JSON.stringify(items));
  if (compress === 'br' && json.length >= 1024)
    return { body: brotliCompressSync(json), headers: { 'content-encoding': 'br' } };
  if (compress === 'gzip' && json.length >= 1024)
    return { body: gzipSync(json), headers: { 'content-encoding': 'gzip' } };
  return { body: json, headers: {} };
}

interface Stats {
  push: number[];
  read: number[];
  errors: number;
  errorSamples: string[];
  acked: number;
}

/** One connection's loop: push a batch, read a page, until the deadline. */
async function worker(base: URL, path: string, w: number, deadline: number, stats: Stats): Promise<void> {
  for (let seq = 0; Date.now() < deadline; seq++) {
    const items = Array.from({ length: batch }, (_, i) => ({
      w,
      seq,
      i,
      url: `https://shop.example.com/p/${w}-${seq}-${i}`,
      title: `Product ${w}/${seq}/${i}`,
      price: (seq * 7 + i) % 1000,
    }));
    const { body, headers } = encodeBody(items);
    const t0 = performance.now();
    try {
      const res = await send(base, 'POST', `${path}/items`, body, headers);
      stats.push.push(performance.now() - t0);
      if (res.status === 201) stats.acked += batch;
      else fail(stats, `push ${res.status} ${res.body.toString().slice(0, 200)}`);
    } catch (err) {
      fail(stats, `push ${String(err)}`);
    }
    const t1 = performance.now();
    try {
      const offset = Math.floor(Math.random() * Math.max(1, stats.acked - pageSize));
      const res = await send(base, 'GET', `${path}/items?offset=${offset}&limit=${pageSize}`);
      stats.read.push(performance.now() - t1);
      if (res.status !== 200) fail(stats, `read ${res.status} ${res.body.toString().slice(0, 200)}`);
      else if (!Array.isArray(JSON.parse(res.body.toString()))) fail(stats, 'read: not an array');
    } catch (err) {
      fail(stats, `read ${String(err)}`);
    }
  }
}

function fail(stats: Stats, message: string): void {
  stats.errors++;
  if (stats.errorSamples.length < 5) stats.errorSamples.push(message);
}

/** Reads every item back in one streamed download and counts each (w, seq, i) once. */
async function verify(base: URL, path: string, acked: number) {
  const res = await send(base, 'GET', `${path}/items?format=jsonl&fields=w,seq,i`);
  const seen = new Set<string>();
  let duplicates = 0;
  for (const line of res.body.toString().split('\n')) {
    if (line === '') continue;
    const { w, seq, i } = JSON.parse(line) as { w: number; seq: number; i: number };
    const key = `${w}/${seq}/${i}`;
    if (seen.has(key)) duplicates++;
    seen.add(key);
  }
  const total = Number(res.headers['x-apify-pagination-total']);
  return { stored: total, readBack: seen.size, lost: Math.max(0, acked - seen.size), duplicates };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'actor-storage-load-'));
  const { child, url } = await startServer(dir);
  try {
    const created = await send(url, 'POST', '/v2/datasets?name=load');
    const id = (JSON.parse(created.body.toString()) as { data: { id: string } }).data.id;
    const path = `/v2/datasets/${id}`;
    const rssStart = await rssMiB(child.pid!);
    let rssPeak = rssStart;
    const sampler = setInterval(() => {
      void rssMiB(child.pid!).then((v) => {
        rssPeak = Math.max(rssPeak, v);
      });
    }, 500);
    const stats: Stats = { push: [], read: [], errors: 0, errorSamples: [], acked: 0 };
    const started = performance.now();
    const deadline = Date.now() + durationSecs * 1000;
    await Promise.all(Array.from({ length: connections }, (_, w) => worker(url, path, w, deadline, stats)));
    const elapsed = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const rssEnd = await rssMiB(child.pid!);
    const check = await verify(url, path, stats.acked);
    const rssAfterDownload = await rssMiB(child.pid!);
    const latency = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return {
        count: sorted.length,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? 0,
      };
    };
    const report = {
      durationSecs: Number(elapsed.toFixed(1)),
      connections,
      batch,
      pageSize,
      compress,
      requestsPerSec: Math.round((stats.push.length + stats.read.length) / elapsed),
      itemsPushedPerSec: Math.round(stats.acked / elapsed),
      push: latency(stats.push),
      read: latency(stats.read),
      errors: stats.errors,
      errorSamples: stats.errorSamples,
      acknowledgedItems: stats.acked,
      ...check,
      rssMiB: { start: rssStart, peak: rssPeak, end: rssEnd, afterFullDownload: rssAfterDownload },
    };
    print(report);
    if (report.errors > 0 || report.lost > 0 || report.duplicates > 0) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
    agent.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

function print(
  report: Record<string, unknown> & { push: Record<string, number>; read: Record<string, number> },
) {
  if (asJson) {
    console.log(JSON.stringify(report));
    return;
  }
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const rss = report.rssMiB as Record<string, number>;
  console.log(
    `server load: ${report.connections} connections, ${report.durationSecs} s, batch ${report.batch}, page ${report.pageSize}, compress ${report.compress}`,
  );
  console.log(`  requests/s        ${report.requestsPerSec}`);
  console.log(`  items pushed/s    ${report.itemsPushedPerSec}`);
  for (const kind of ['push', 'read'] as const) {
    const l = report[kind];
    console.log(
      `  ${kind.padEnd(5)} latency     n=${l.count}  p50 ${ms(l.p50!)}  p99 ${ms(l.p99!)}  max ${ms(l.max!)}`,
    );
  }
  console.log(
    `  errors            ${report.errors}${(report.errorSamples as string[]).length ? ` (${(report.errorSamples as string[]).join('; ')})` : ''}`,
  );
  console.log(
    `  items             acknowledged ${report.acknowledgedItems}, stored ${report.stored}, read back ${report.readBack}`,
  );
  console.log(`  lost / duplicated ${report.lost} / ${report.duplicates}`);
  console.log(
    `  server RSS        start ${rss.start!.toFixed(0)} MiB, peak ${rss.peak!.toFixed(0)} MiB, end ${rss.end!.toFixed(0)} MiB, after full download ${rss.afterFullDownload!.toFixed(0)} MiB`,
  );
}

await main();
