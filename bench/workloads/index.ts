/** Every workload, in report order. */
import type { Workload } from '../workload.js';
import { datasetWorkloads } from './dataset.js';
import { drainWorkloads } from './drain.js';
import { kvsWorkloads } from './kvs.js';
import { openWorkloads } from './open.js';
import { queueWorkloads } from './queue.js';
import { rawWorkloads } from './raw.js';

export const WORKLOADS: readonly Workload[] = [
  ...rawWorkloads,
  ...datasetWorkloads,
  ...kvsWorkloads,
  ...queueWorkloads,
  ...openWorkloads,
  ...drainWorkloads,
];

/** The workload of that id. */
export function workloadById(id: string): Workload {
  const found = WORKLOADS.find((w) => w.id === id);
  if (!found) throw new Error(`unknown workload ${id}`);
  return found;
}
