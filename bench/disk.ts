/** Bytes and files a storage folder holds, and machine facts for the report. */
import { readdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/** What a folder holds on disk. */
export interface DiskUsage {
  /** Sum of file sizes (apparent bytes). */
  bytes: number;
  /** Bytes allocated in blocks (what `du` reports): small files cost a whole block each. */
  allocated: number;
  files: number;
}

/** Walks `dir` and adds up its files. */
export function diskUsage(dir: string): DiskUsage {
  const usage: DiskUsage = { bytes: 0, allocated: 0, files: 0 };
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const st = statSync(full);
        usage.bytes += st.size;
        usage.allocated += st.blocks * 512;
        usage.files += 1;
      }
    }
  };
  walk(dir);
  return usage;
}

/** The median of some numbers (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  if (Number.isInteger(mid)) return ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return sorted[Math.floor(mid)] as number;
}

/** Load averages and CPU of this machine, for the report. */
export function machineFacts(): string {
  const [one, five, fifteen] = loadavg().map((n) => n.toFixed(2));
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, load average ${one}, ${five}, ${fifteen}, node ${process.version}`;
}
