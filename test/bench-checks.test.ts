/**
 * The benchmark's correctness checks: a fast wrong answer must fail the run (order, gaps, doubles),
 * and the report must mark failures and missed targets.
 */
import { describe, expect, it } from 'vitest';
import { renderReport, type WorkloadResult } from '../bench/report.js';
import { checkFifo, checkSequence, type Workload } from '../bench/workload.js';

const workload = (id: string, runners: Workload['runners']): Workload => ({
  id,
  title: id,
  unit: 'items',
  runners,
  size: () => 100,
  run: async () => ({ ops: 100, seconds: 1 }),
});

describe('bench checks', () => {
  it('checkSequence refuses a gap, a double and a swap', () => {
    expect(() => checkSequence([0, 1, 2, 3], 0, 4, 'x')).not.toThrow();
    expect(() => checkSequence([0, 1, 3], 0, 4, 'x')).toThrow(/3 instead of 4/);
    expect(() => checkSequence([0, 1, 1, 3], 0, 4, 'x')).toThrow(/position 2/);
    expect(() => checkSequence([0, 2, 1, 3], 0, 4, 'x')).toThrow(/position 1/);
  });

  it('checkFifo refuses doubles always and disorder when strict', () => {
    expect(checkFifo([5, 6, 7], 5, true, 'q')).toBe(true);
    expect(() => checkFifo([5, 5, 7], 5, false, 'q')).toThrow(/twice/);
    expect(() => checkFifo([6, 5, 7], 5, true, 'q')).toThrow(/position 0/);
    expect(checkFifo([6, 5, 7], 5, false, 'q')).toBe(false);
  });

  it('the report shows ratios, missed targets and failures', () => {
    const sample = (seconds: number) => ({ seconds, ops: 100, peakRssMB: 50 });
    const results: WorkloadResult[] = [
      {
        workload: workload('fast', ['ours', 'memory-storage', 'storage-local']),
        size: 100,
        samples: new Map([
          ['ours', [sample(1)]],
          ['memory-storage', [sample(10)]],
          ['storage-local', [sample(3)]],
        ]),
        errors: new Map(),
      },
      {
        workload: workload('slow', ['ours', 'memory-storage', 'storage-local']),
        size: 100,
        samples: new Map([
          ['ours', [sample(2)]],
          ['memory-storage', [sample(1)]],
        ]),
        errors: new Map([['storage-local', 'Error: check failed: 99 instead of 100']]),
      },
    ];
    const report = renderReport(results, ['# test']);
    expect(report).toMatch(
      /\| fast \| 100 items \| 100\/s \| 10\.0\/s \| 33\.3\/s \| 10× \| 3\.0× \| met \|/,
    );
    expect(report).toMatch(/\| slow \| .*\*\*error\*\*.*\*\*missed\*\*/);
    expect(report).toMatch(/slow \/ storage-local: Error: check failed: 99 instead of 100/);
  });
});
