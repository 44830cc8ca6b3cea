import { StorageError } from '../errors.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
const WHOLE_RE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;

/** How long unnamed storages are kept after their last modification, as on the platform: 7 days. */
export const DEFAULT_RETENTION = '7d';

/**
 * Reads a duration: a number of milliseconds, or text such as `7d`, `12h`, `30m`, `45s`, `2w`,
 * `1d12h`, `1.5h` (units ms, s, m, h, d, w).
 *
 * @example
 * parseDuration('7d') // 604800000
 * @throws StorageError `STORAGE_INVALID_OPTION` for anything else (a bare number in text included:
 *   `7` could mean days or seconds).
 */
export function parseDuration(value: unknown, option = 'olderThan'): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (text !== undefined && WHOLE_RE.test(text)) {
    let ms = 0;
    for (const match of text.matchAll(PART_RE)) {
      ms += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    }
    if (Number.isFinite(ms)) return Math.round(ms);
  }
  throw new StorageError(
    'STORAGE_INVALID_OPTION',
    `Option "${option}" must be a duration such as 7d, 12h, 30m or 45s (got ${JSON.stringify(value)}).`,
    { details: { option, value } },
  );
}
