/** The benchmark report: medians per engine, ratios to the peers, targets, resources on disk. */
import { type DiskUsage, median } from './disk.js';
import { ENGINE_LABEL, type EngineName } from './engines.js';
import type { Runner, Workload } from './workload.js';

/** One run of one workload by one runner. */
export interface Sample {
  seconds: number;
  ops: number;
  peakRssMB: number;
  notes?: Record<string, string | number>;
  disk?: DiskUsage;
}

/** Everything measured for one workload. */
export interface WorkloadResult {
  workload: Workload;
  size: number;
  samples: Map<Runner, Sample[]>;
  errors: Map<Runner, string>;
}

/** Median summary of one runner on one workload. */
interface Summary {
  seconds: number;
  rate: number;
  peakRssMB: number;
  disk: DiskUsage | undefined;
  notes: Record<string, string | number> | undefined;
  runs: number;
}

const PEERS: readonly EngineName[] = ['memory-storage', 'storage-local'];
/** Ours must be this many times faster than the faster peer, and than memory-storage. */
const TARGET_FASTER_PEER = 2;
const TARGET_MEMORY_STORAGE = 5;
/** Cold open of the big queue must answer its first listHead within this many seconds. */
export const TARGET_BIG_QUEUE_SECS = 2;
/** Draining after many handled requests must cost at most this many times a fresh queue's drain. */
export const TARGET_DRAIN_RATIO = 1.5;
/** Workloads with a section of their own instead of a row in the engine table. */
const OWN_SECTION = new Set(['rq-open-big', 'rq-drain']);
/** Dataset writes must reach at least 1/this of the raw file-create rate. */
const TARGET_RAW_FACTOR = 2;

export function summarize(result: WorkloadResult, runner: Runner): Summary | undefined {
  const samples = result.samples.get(runner);
  if (!samples || samples.length === 0 || result.errors.has(runner)) return undefined;
  const seconds = median(samples.map((s) => s.seconds));
  const ops = samples[0]?.ops ?? 0;
  return {
    seconds,
    rate: ops / seconds,
    peakRssMB: median(samples.map((s) => s.peakRssMB)),
    disk: samples.at(-1)?.disk,
    notes: samples.at(-1)?.notes,
    runs: samples.length,
  };
}

const int = (n: number) => Math.round(n).toLocaleString('en');

function formatRate(s: Summary | undefined, unit: string): string {
  if (!s) return '–';
  if (unit === 'opens')
    return `${s.seconds < 1 ? `${int(s.seconds * 1000)} ms` : `${s.seconds.toFixed(2)} s`}`;
  if (unit === 'MB') return `${s.rate.toFixed(0)} MB/s`;
  return `${s.rate >= 100 ? int(s.rate) : s.rate.toFixed(1)}/s`;
}

function ratio(ours: Summary | undefined, peer: Summary | undefined): number | undefined {
  return ours && peer ? ours.rate / peer.rate : undefined;
}

const formatRatio = (r: number | undefined) =>
  r === undefined ? '–' : `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}×`;

/** "met" / "missed (…)" for the peer targets of a row with peers. */
function peerTarget(result: WorkloadResult): string {
  const ours = summarize(result, 'ours');
  const mem = ratio(ours, summarize(result, 'memory-storage'));
  const local = ratio(ours, summarize(result, 'storage-local'));
  if (!ours) return result.errors.has('ours') ? '**failed**' : '–';
  const missed: string[] = [];
  const present = [mem, local].filter((r): r is number => r !== undefined);
  if (present.length === 0) return '–';
  if (Math.min(...present) < TARGET_FASTER_PEER) missed.push(`< ${TARGET_FASTER_PEER}× faster peer`);
  if (mem !== undefined && mem < TARGET_MEMORY_STORAGE)
    missed.push(`< ${TARGET_MEMORY_STORAGE}× memory-storage`);
  return missed.length === 0 ? 'met' : `**missed** (${missed.join(', ')})`;
}

function engineRow(result: WorkloadResult): string {
  const { workload: w } = result;
  const ours = summarize(result, 'ours');
  const cells = (['ours', ...PEERS] as EngineName[]).map((e) =>
    result.errors.has(e)
      ? '**error**'
      : w.runners.includes(e)
        ? formatRate(summarize(result, e), w.unit)
        : 'n/a',
  );
  const ratios = PEERS.map((p) =>
    w.runners.includes(p) ? formatRatio(ratio(ours, summarize(result, p))) : 'n/a',
  );
  return `| ${w.title} | ${int(result.size)} ${w.unit === 'opens' ? 'open' : w.unit} | ${cells.join(' | ')} | ${ratios.join(' | ')} | ${peerTarget(result)} |`;
}

function resourceRow(result: WorkloadResult): string {
  const per = (f: (s: Summary) => string) =>
    (['ours', ...PEERS] as EngineName[])
      .map((e) => {
        const s = result.workload.runners.includes(e) ? summarize(result, e) : undefined;
        return s ? f(s) : '–';
      })
      .join(' / ');
  const mb = (n: number) => (n / 2 ** 20).toFixed(1);
  return `| ${result.workload.title} | ${per((s) => `${s.runs}`)} | ${per((s) => `${int(s.peakRssMB)}`)} | ${per((s) => (s.disk ? mb(s.disk.bytes) : '–'))} | ${per((s) => (s.disk ? mb(s.disk.allocated) : '–'))} | ${per((s) => (s.disk ? int(s.disk.files) : '–'))} |`;
}

function rawSection(results: readonly WorkloadResult[]): string[] {
  const find = (id: string) => results.find((r) => r.workload.id === id);
  const rawWrite = find('raw-write');
  const raw = rawWrite && summarize(rawWrite, 'raw');
  const lines = [
    '',
    '### The filesystem ceiling (same run)',
    '',
    '| Operation | Files | Rate |',
    '| --- | ---: | ---: |',
  ];
  for (const r of results.filter((x) => x.workload.runners.includes('raw'))) {
    lines.push(
      `| ${r.workload.title} | ${int(r.size)} | ${formatRate(summarize(r, 'raw'), r.workload.unit)} |`,
    );
  }
  if (!raw) return lines;
  lines.push(
    '',
    '| Our dataset writes against the raw file-create rate | Ours | Share of raw | Target (≥ 1/2) |',
    '| --- | ---: | ---: | --- |',
  );
  for (const id of ['dataset-push-single', 'dataset-push-batch']) {
    const r = find(id);
    const ours = r && summarize(r, 'ours');
    if (!r || !ours) continue;
    const share = ours.rate / raw.rate;
    lines.push(
      `| ${r.workload.title} | ${formatRate(ours, 'items')} | ${(share * 100).toFixed(0)}% | ${share >= 1 / TARGET_RAW_FACTOR ? 'met' : '**missed**'} |`,
    );
  }
  return lines;
}

function bigQueueSection(results: readonly WorkloadResult[]): string[] {
  const r = results.find((x) => x.workload.id === 'rq-open-big');
  const s = r && summarize(r, 'ours');
  if (!r || !s) return [];
  const met = s.seconds < TARGET_BIG_QUEUE_SECS ? 'met' : '**missed**';
  return [
    '',
    `Cold open of a ${int(Number(s.notes?.requests ?? 0))}-request queue (half handled) → first listHead: ` +
      `${s.seconds.toFixed(2)} s (median of ${s.runs}), RSS after the answer ${s.notes?.rssAfterHeadMB ?? '?'} MB, ` +
      `peak RSS ${int(s.peakRssMB)} MB; target < ${TARGET_BIG_QUEUE_SECS} s: ${met}.`,
  ];
}

/** Fresh queue against one holding many handled requests: drain rates, their ratio, the target. */
function drainSection(results: readonly WorkloadResult[]): string[] {
  const r = results.find((x) => x.workload.id === 'rq-drain');
  const samples = r && !r.errors.has('ours') ? (r.samples.get('ours') ?? []) : [];
  if (!r || samples.length === 0) return [];
  const note = (s: Sample, key: string) => Number(s.notes?.[key] ?? Number.NaN);
  const med = (f: (s: Sample) => number) => median(samples.map(f));
  const count = r.size;
  const ratio = med((s) => note(s, 'ratio'));
  const met = ratio <= TARGET_DRAIN_RATIO ? 'met' : '**missed**';
  const handled = int(note(samples[0] as Sample, 'handledBefore'));
  const row = (label: string, drainSecs: number, side: 'fresh' | 'after') =>
    `| ${label} | ${int(count / drainSecs)}/s | ${med((s) => note(s, `${side}CpuMsPerRequest`)).toFixed(2)} ms | ` +
    `${int(med((s) => note(s, `${side}AddPerSec`)))}/s | ${int(med((s) => note(s, `${side}OpenMs`)))} ms | ` +
    `${int(med((s) => note(s, `${side}PeakRssMB`)))} |`;
  const perRun = samples.map((s) => `${note(s, 'ratio').toFixed(2)} (${s.notes?.first ?? '?'} first)`);
  return [
    '',
    `### Request queue: draining ${int(count)} new requests, fresh and after ${handled} handled (actor-storage)`,
    '',
    'Each run: a fresh queue and a copy of the queue holding the handled requests, each in a new process ' +
      '(which goes first alternates), adding the same requests in batches of 25 (timed apart) and draining them: ' +
      'lock a head of 25 → read → mark handled, until the queue is empty (checked: each request once, in order; ' +
      `counts exact). Medians of ${samples.length} run(s). CPU: user + system time of the process during the drain, per request.`,
    '',
    '| Queue before the drain | Drain | CPU per request | Add | Open | Peak RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row(
      'fresh, empty',
      med((s) => note(s, 'freshDrainSeconds')),
      'fresh',
    ),
    row(
      `holding ${handled} handled`,
      med((s) => s.seconds),
      'after',
    ),
    '',
    `Drain time after ${handled} handled over the fresh queue's: ${ratio.toFixed(2)}× (median; per run: ${perRun.join(', ')}); ` +
      `CPU time ${med((s) => note(s, 'cpuRatio')).toFixed(2)}× (per run: ${samples.map((s) => note(s, 'cpuRatio').toFixed(2)).join(', ')}). ` +
      `Target: within ${TARGET_DRAIN_RATIO}×: ${met}.`,
  ];
}

/** The Markdown report of a run. */
export function renderReport(results: readonly WorkloadResult[], header: string[]): string {
  const engineResults = results.filter((r) => !r.workload.runners.includes('raw'));
  const lines = [
    ...header,
    '',
    `Median throughput of each engine (higher is better; "opens" rows give the time, lower is better). ` +
      `Ratios are actor-storage's speed over the peer's. Targets: ≥ ${TARGET_FASTER_PEER}× the faster peer and ≥ ${TARGET_MEMORY_STORAGE}× memory-storage.`,
    '',
    `| Workload | Size | ${ENGINE_LABEL.ours} | ${ENGINE_LABEL['memory-storage']} | ${ENGINE_LABEL['storage-local']} | vs memory-storage | vs storage-local | Target |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...engineResults.filter((r) => !OWN_SECTION.has(r.workload.id)).map(engineRow),
    ...bigQueueSection(results),
    ...drainSection(results),
    ...rawSection(results),
    '',
    '### Resources (actor-storage / memory-storage / storage-local)',
    '',
    'Runs measured, peak RSS of the process that ran the workload (median), and the storage folder after it: bytes of the files, bytes allocated on disk, files.',
    '',
    '| Workload | Runs | Peak RSS MB | Bytes MB | Allocated MB | Files |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...engineResults.map(resourceRow),
  ];
  const notes = results.flatMap((r) =>
    [...r.samples]
      .filter(([, samples]) => samples.at(-1)?.notes && !OWN_SECTION.has(r.workload.id))
      .map(([runner, samples]) => {
        const facts = Object.entries(samples.at(-1)?.notes ?? {}).map(([k, v]) => `${k} ${v}`);
        return `- ${r.workload.title} / ${runner}: ${facts.join(', ')}`;
      }),
  );
  if (notes.length > 0) lines.push('', '### Notes', '', ...notes);
  const errors = results.flatMap((r) =>
    [...r.errors].map(([runner, e]) => `- ${r.workload.id} / ${runner}: ${e.split('\n')[0]}`),
  );
  if (errors.length > 0) lines.push('', '### Failures', '', ...errors);
  return `${lines.join('\n')}\n`;
}
