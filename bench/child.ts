/**
 * One benchmark step in its own process: `child <prepare|run> <workload> <runner> <dir> <scale-json>`.
 * Prints one line `BENCH-RESULT {json}` (engines may log other lines): the timed result or the
 * error, and the process's peak RSS.
 */
import { preloadEngine } from './engines.js';
import { RESULT_PREFIX, type Runner, type Scale } from './workload.js';
import { workloadById } from './workloads/index.js';

const [mode, id, runner, dir, scaleJson] = process.argv.slice(2) as [string, string, Runner, string, string];
const scale = JSON.parse(scaleJson) as Scale;
const workload = workloadById(id);
const ctx = { runner, dir, scale };
let result: Record<string, unknown>;
try {
  await preloadEngine(runner);
  if (mode === 'prepare' || mode === 'prepare-base') {
    const start = performance.now();
    const fixture = mode === 'prepare' ? workload.fixture : workload.fixture?.base;
    await fixture?.prepare(ctx);
    result = { seconds: (performance.now() - start) / 1000 };
  } else {
    result = { ...(await workload.run(ctx)) };
  }
} catch (err) {
  result = { error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}
result.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(result)}\n`);
