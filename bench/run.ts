/**
 * The benchmark runner: every workload, each engine in its own child process on a fresh temp dir
 * (or a copy of a fixture the same engine wrote untimed), the same data for all; a table of median
 * throughput, peak RSS, bytes and files on disk, and ratios to the peers.
 *
 *   npm run bench                         # build, then the full run (several minutes)
 *   node --import tsx bench/run.ts --quick  # a smoke run of a few seconds per engine
 *
 * Options: --quick (small sizes), --full (the sizes of the issue: much longer than 15 minutes on a
 * loaded 2-core machine), --runs=N (default 3; 1 with --quick), --cap=S (a runner's runs of one
 * workload stop once they add up to S seconds; default 20), --only=id,id (workload ids or
 * prefixes), --engines=ours,memory-storage,storage-local (a subset), --set=name=N,… (override sizes,
 * e.g. --set=exportItems=1000000), --keep (leave the temp dirs),
 * --no-cache / --cache=DIR (big shared fixtures are kept between runs in
 * $TMPDIR/actor-storage-bench-cache), --out=FILE (default bench/results/latest.md).
 * Writes the report to stdout and FILE (plus FILE with .json). Exits 1 when a check failed: a fast
 * wrong answer is a failure. Nothing asserts on time.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { diskUsage, machineFacts } from './disk.js';
import { renderReport, type Sample, type WorkloadResult } from './report.js';
import {
  FULL_SCALE,
  QUICK_SCALE,
  RESULT_PREFIX,
  type Runner,
  type Scale,
  STANDARD_SCALE,
  type Workload,
} from './workload.js';
import { WORKLOADS } from './workloads/index.js';

const args = process.argv.slice(2);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes('--quick');
const keep = args.includes('--keep');
const runs = Math.max(1, Number(option('runs') ?? (quick ? 1 : 3)));
const only = option('only')?.split(',');
const engines = option('engines')?.split(',');
const here = import.meta.dirname;
// The source tree's bench/results, also when running the compiled copy under dist/.
const sourceBench = here.includes(`${join('dist', 'bench')}`) ? join(here, '..', '..', 'bench') : here;
const outFile = option('out') ?? join(sourceBench, 'results', 'latest.md');
const scale: Scale = {
  ...(quick ? QUICK_SCALE : args.includes('--full') ? FULL_SCALE : STANDARD_SCALE),
  // --set=exportItems=1000000,requests=50000 overrides single sizes.
  ...Object.fromEntries(
    (option('set')?.split(',') ?? []).map((kv) => [kv.split('=')[0], Number(kv.split('=')[1])]),
  ),
};
const useCache = !args.includes('--no-cache');
const cacheRoot = option('cache') ?? join(tmpdir(), 'actor-storage-bench-cache');
/** Once a runner's runs of a workload add up to this many seconds, it runs no more of them. */
const capSeconds = Number(option('cap') ?? 20);
/** A child taking longer than this is stopped and counted as failed. */
const CHILD_TIMEOUT_MS = 10 * 60_000;

const root = mkdtempSync(join(tmpdir(), 'actor-storage-bench-'));
const childScript = join(here, `child${extname(import.meta.filename)}`);
const fixtures = new Map<string, string>();
const log = (line: string) => process.stderr.write(`${line}\n`);

interface ChildResult extends Partial<Sample> {
  error?: string;
}

/** Runs one step in a fresh Node process (with this process's loader flags, e.g. tsx). */
function runChild(
  mode: 'prepare' | 'prepare-base' | 'run',
  w: Workload,
  runner: Runner,
  dir: string,
): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, childScript, mode, w.id, runner, dir, JSON.stringify(scale)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (line) return resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildResult);
      resolve({
        error: `child exited with ${signal ?? code}: ${err.trim().split('\n').slice(-5).join(' | ')}`,
      });
    });
  });
}

/** Prepares a fixture (or its base) in a child; throws when that fails. */
async function prepare(
  mode: 'prepare' | 'prepare-base',
  w: Workload,
  owner: Runner,
  dir: string,
  key: string,
) {
  mkdirSync(dir, { recursive: true });
  const result = await runChild(mode, w, owner, dir);
  if (result.error) throw new Error(`preparing fixture ${key}: ${result.error}`);
  log(`  fixture ${key} written by ${owner} in ${result.seconds?.toFixed(1)} s`);
}

/** The base of a fixture: written once by actor-storage in the shared layout. */
async function baseDir(w: Workload): Promise<string> {
  const base = w.fixture?.base as NonNullable<NonNullable<Workload['fixture']>['base']>;
  const key = `${base.id}-base`;
  const known = fixtures.get(key);
  if (known) return known;
  const dir = join(root, 'fixtures', key);
  await prepare('prepare-base', w, 'ours', dir, key);
  fixtures.set(key, dir);
  return dir;
}

/** Where a shared fixture is kept between runs, when it is cached. */
function cachedDir(fixture: NonNullable<Workload['fixture']>): string | undefined {
  if (!useCache || !fixture.shared || !fixture.cacheKey) return undefined;
  return join(cacheRoot, `${fixture.id}-${fixture.cacheKey(scale)}`);
}

/** The folder of a fixture for `runner`, written on first use (over a hard-linked base, if any). */
async function fixtureDir(w: Workload, runner: Runner): Promise<string> {
  const fixture = w.fixture as NonNullable<Workload['fixture']>;
  const owner = fixture.shared ? (w.runners[0] as Runner) : runner;
  const key = `${fixture.id}-${fixture.shared ? 'shared' : runner}`;
  const known = fixtures.get(key);
  if (known) return known;
  const cached = cachedDir(fixture);
  if (cached && existsSync(`${cached}.complete`)) {
    log(`  fixture ${key} reused from ${cached}`);
    fixtures.set(key, cached);
    return cached;
  }
  const dir = cached ?? join(root, 'fixtures', key);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (fixture.base) execFileSync('cp', ['-al', `${await baseDir(w)}/.`, dir]);
  await prepare('prepare', w, owner, dir, key);
  if (cached) writeFileSync(`${cached}.complete`, new Date().toISOString());
  fixtures.set(key, dir);
  return dir;
}

const usageOfFixtures = new Map<string, ReturnType<typeof diskUsage>>();
/** What a fixture folder holds, measured once (walking a million files takes a while). */
function fixtureUsage(dir: string): ReturnType<typeof diskUsage> {
  let usage = usageOfFixtures.get(dir);
  if (!usage) {
    usage = diskUsage(dir);
    usageOfFixtures.set(dir, usage);
  }
  return usage;
}

/** One timed run: where it runs, the child's result, and the folder's size afterwards. */
async function runOnce(w: Workload, runner: Runner): Promise<ChildResult> {
  let dir: string;
  let fresh = true;
  if (!w.fixture) dir = mkdtempSync(join(root, `${w.id}-${runner}-`));
  else if (w.mutates) {
    dir = mkdtempSync(join(root, `${w.id}-${runner}-`));
    cpSync(await fixtureDir(w, runner), dir, { recursive: true });
  } else {
    dir = await fixtureDir(w, runner);
    fresh = false;
  }
  const result = await runChild('run', w, runner, dir);
  if (!result.error) result.disk = fresh ? diskUsage(dir) : fixtureUsage(dir);
  if (fresh && !keep) rmSync(dir, { recursive: true, force: true });
  return result;
}

async function runWorkload(w: Workload): Promise<WorkloadResult> {
  const result: WorkloadResult = { workload: w, size: w.size(scale), samples: new Map(), errors: new Map() };
  for (let r = 0; r < runs; r++) {
    // Rotate the order of the runners from run to run, so that none always goes first.
    const order = w.runners
      .map((_, i) => w.runners[(i + r) % w.runners.length] as Runner)
      .filter((runner) => !engines || runner === 'raw' || engines.includes(runner));
    for (const runner of order) {
      if (result.errors.has(runner)) continue;
      const spent = (result.samples.get(runner) ?? []).reduce((sum, x) => sum + x.seconds, 0);
      if (spent > capSeconds) continue;
      let sample: ChildResult;
      try {
        sample = await runOnce(w, runner);
      } catch (err) {
        sample = { error: (err as Error).message };
      }
      if (sample.error) {
        result.errors.set(runner, sample.error);
        log(`  ${w.id} ${runner} run ${r + 1}: FAILED ${sample.error.split('\n')[0]}`);
        continue;
      }
      const s = sample as Sample;
      result.samples.set(runner, [...(result.samples.get(runner) ?? []), s]);
      log(
        `  ${w.id} ${runner} run ${r + 1}: ${s.seconds.toFixed(3)} s, ${Math.round(s.ops / s.seconds).toLocaleString('en')} ${w.unit}/s, peak RSS ${s.peakRssMB} MB`,
      );
    }
  }
  return result;
}

const selected = WORKLOADS.filter((w) => !only || only.some((id) => w.id.startsWith(id)));
const started = Date.now();
const loadBefore = machineFacts();
log(`benchmark ${quick ? '(quick) ' : ''}in ${root}, ${runs} run(s) per engine; ${loadBefore}`);
const results: WorkloadResult[] = [];
for (const w of selected) {
  log(`${w.id}: ${w.title}`);
  results.push(await runWorkload(w));
}
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
const header = [
  `## Benchmark results${quick ? ' (quick run: small sizes, not representative)' : ''}`,
  '',
  `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${minutes} min, ${runs} run(s) per engine and workload (medians).`,
  `Machine at the start: ${loadBefore}.`,
  `Machine at the end: ${machineFacts()}.`,
];
const report = renderReport(results, header);
process.stdout.write(report);
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, report);
writeFileSync(
  outFile.replace(/\.md$/, '.json'),
  JSON.stringify(
    {
      header,
      scale,
      results: results.map((r) => ({
        id: r.workload.id,
        size: r.size,
        samples: Object.fromEntries(r.samples),
        errors: Object.fromEntries(r.errors),
      })),
    },
    null,
    2,
  ),
);
if (!keep) rmSync(root, { recursive: true, force: true });
const failed = results.some((r) => r.errors.size > 0);
if (failed) log('some workloads failed their checks (see Failures)');
process.exitCode = failed ? 1 : 0;
