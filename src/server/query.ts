import { invalidRequest } from './http-errors.js';

/**
 * Typed access to the query string, as apify-client sends it: booleans as `1`/`0` (also
 * `true`/`false`), lists comma-joined, numbers in decimal. Unknown parameters are ignored.
 * Every getter throws HttpError 400 invalid-request for a malformed value.
 */
export class Query {
  constructor(private readonly params: URLSearchParams) {}

  /** Parses the part of a request URL after `?`. */
  static fromUrl(url: string | undefined): Query {
    const at = url?.indexOf('?') ?? -1;
    return new Query(new URLSearchParams(at === -1 || !url ? '' : url.slice(at + 1)));
  }

  /** The raw value, `undefined` when absent. */
  string(name: string): string | undefined {
    const value = this.params.get(name);
    return value === null ? undefined : value;
  }

  bool(name: string): boolean | undefined {
    const raw = this.string(name);
    if (raw === undefined || raw === '') return undefined;
    const value = raw.toLowerCase();
    if (value === '1' || value === 'true') return true;
    if (value === '0' || value === 'false') return false;
    throw invalidRequest(`Parameter "${name}" must be 1, 0, true or false.`);
  }

  /** A non-negative integer, optionally at most `max` (clamped, as the platform does). */
  int(name: string, options: { max?: number; min?: number } = {}): number | undefined {
    const raw = this.string(name);
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    const min = options.min ?? 0;
    if (!Number.isSafeInteger(value) || value < min) {
      throw invalidRequest(`Parameter "${name}" must be an integer of at least ${min}.`);
    }
    return options.max === undefined ? value : Math.min(value, options.max);
  }

  /** A positive number (seconds and the like). */
  number(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) {
      throw invalidRequest(`Parameter "${name}" must be a non-negative number.`);
    }
    return value;
  }

  /** A comma-separated list; `undefined` when absent or empty. */
  list(name: string): string[] | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    return items.length === 0 ? undefined : items;
  }

  /** Like {@link string}, but missing is an error. */
  required(name: string): string {
    const raw = this.string(name);
    if (raw === undefined || raw === '') throw invalidRequest(`Parameter "${name}" is required.`);
    return raw;
  }
}

/** Drops the keys whose value is `undefined`, so options objects stay exact. */
export function defined<T extends Record<string, unknown>>(object: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) out[key] = value;
  return out as Partial<T>;
}
