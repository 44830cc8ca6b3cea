/** The dataset item options (`items`, `export`) and export format options, as command-line flags. */
import type { Command } from 'commander';
import type { DatasetListOptions } from '../../client/types.js';
import { StorageError } from '../../errors.js';
import type { ExportOptions } from '../../export/index.js';

/** Flags of the item options, as commander parses them. */
export interface ItemFlags {
  offset?: string;
  limit?: string;
  desc?: boolean;
  fields?: string;
  outputFields?: string;
  omit?: string;
  unwind?: string;
  flatten?: string;
  clean?: boolean;
  skipEmpty?: boolean;
  skipHidden?: boolean;
  skipFailedPages?: boolean;
  simplified?: boolean;
}

/** Flags of the export format options. */
export interface FormatFlags {
  bom?: boolean;
  delimiter?: string;
  skipHeaderRow?: boolean;
  xmlRoot?: string;
  xmlRow?: string;
  feedTitle?: string;
  feedDescription?: string;
  feedLink?: string;
  escapeFormulas?: boolean;
}

/** Adds the item options of the Apify API (offset, limit, fields, omit, unwind, flatten, clean …). */
export function addItemOptions(command: Command): Command {
  return command
    .option('--offset <n>', 'skip this many stored items first')
    .option('--limit <n>', 'at most this many stored items')
    .option('--desc', 'newest first')
    .option('--fields <list>', 'keep only these fields, in this order (comma-separated)')
    .option('--output-fields <list>', 'rename the --fields, by position')
    .option('--omit <list>', 'drop these fields')
    .option('--unwind <list>', 'expand these array or object fields into separate records')
    .option('--flatten <list>', 'flatten these nested objects into "a.b" fields')
    .option('--clean', 'skip empty items and hidden (#) fields')
    .option('--skip-empty', 'skip empty items')
    .option('--skip-hidden', 'drop hidden (#) fields')
    .option('--skip-failed-pages', 'skip items with an errorInfo')
    .option('--simplified', 'legacy crawler shortcut: fields url,pageFunctionResult,errorInfo unwound');
}

/** Adds the format options of exports (bom, delimiter, xml names, feed fields …). */
export function addFormatOptions(command: Command): Command {
  return command
    .option('--bom', 'start with a UTF-8 byte order mark (default for csv)')
    .option('--no-bom', 'no byte order mark')
    .option('--delimiter <char>', 'CSV delimiter: one character; "tab" or "\\t" for a tab', undefined)
    .option('--skip-header-row', 'CSV without its header row')
    .option('--xml-root <name>', 'root element of xml (default: items)')
    .option('--xml-row <name>', 'element of each item in xml (default: item)')
    .option('--feed-title <text>', 'title of the rss channel and the html page')
    .option('--feed-description <text>', 'description of the rss channel')
    .option('--feed-link <url>', 'link of the rss channel')
    .option('--no-escape-formulas', 'keep cells starting with = + - @ as they are (csv, xlsx)');
}

/**
 * A non-negative whole number given as a flag.
 * @throws StorageError `STORAGE_INVALID_OPTION`
 */
export function parseCount(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw))) {
    throw new StorageError(
      'STORAGE_INVALID_OPTION',
      `${flag} takes a whole number of 0 or more (got "${raw}").`,
      {
        details: { option: flag, value: raw },
      },
    );
  }
  return Number(raw);
}

/** The list options the flags ask for; the engine checks them further. */
export function itemListOptions(flags: ItemFlags): DatasetListOptions {
  const options: Record<string, unknown> = {
    offset: parseCount(flags.offset, '--offset'),
    limit: parseCount(flags.limit, '--limit'),
    desc: flags.desc,
    fields: flags.fields,
    outputFields: flags.outputFields,
    omit: flags.omit,
    unwind: flags.unwind,
    flatten: flags.flatten,
    clean: flags.clean,
    skipEmpty: flags.skipEmpty,
    skipHidden: flags.skipHidden,
    skipFailedPages: flags.skipFailedPages,
    simplified: flags.simplified,
  };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  return options as DatasetListOptions;
}

/** The export format options the flags ask for; the exporter checks them. */
export function formatOptions(flags: FormatFlags): ExportOptions {
  const delimiter = flags.delimiter === 'tab' || flags.delimiter === '\\t' ? '\t' : flags.delimiter;
  const options: ExportOptions = {
    bom: flags.bom,
    delimiter,
    skipHeaderRow: flags.skipHeaderRow,
    xmlRoot: flags.xmlRoot,
    xmlRow: flags.xmlRow,
    feedTitle: flags.feedTitle,
    feedDescription: flags.feedDescription,
    feedLink: flags.feedLink,
    escapeFormulas: flags.escapeFormulas,
  };
  for (const key of Object.keys(options) as Array<keyof ExportOptions>) {
    if (options[key] === undefined) delete options[key];
  }
  return options;
}
