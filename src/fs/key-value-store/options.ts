/** Checking the options objects of the key-value store client at the door. */
import { StorageError } from '../../errors.js';

type OptionType = 'string' | 'boolean' | 'number';

/**
 * Checks that `options` is an object whose known keys have the right type; unknown keys with a
 * defined value are refused (a misspelt option should not be ignored silently).
 * @throws StorageError `STORAGE_INVALID_OPTION`
 */
export function checkOptions(
  options: unknown,
  allowed: Readonly<Record<string, OptionType>>,
  what: string,
): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new StorageError('STORAGE_INVALID_OPTION', `The options of ${what} must be an object.`);
  }
  const record = options as Record<string, unknown>;
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    const type = allowed[name];
    if (type === undefined) {
      throw new StorageError('STORAGE_INVALID_OPTION', `Unknown option "${name}" of ${what}.`, {
        details: { option: name },
      });
    }
    if (typeof value !== type) {
      throw new StorageError('STORAGE_INVALID_OPTION', `Option "${name}" of ${what} must be a ${type}.`, {
        details: { option: name, value },
      });
    }
  }
  return record;
}

/**
 * An integer option within `[min, max]`; above `max` it is lowered to `max`, as the platform does.
 * @throws StorageError `STORAGE_INVALID_OPTION` below `min` or not an integer.
 */
export function intOption(
  value: unknown,
  name: string,
  { min, max, fallback }: { min: number; max: number; fallback: number },
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new StorageError(
      'STORAGE_INVALID_OPTION',
      `Option "${name}" must be an integer of at least ${min}.`,
      {
        details: { option: name, value },
      },
    );
  }
  return Math.min(value, max);
}
