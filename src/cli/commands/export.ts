import { extname } from 'node:path';
import type { Command } from 'commander';
import type { ExportFormat } from '../../client/types.js';
import { StorageError } from '../../errors.js';
import {
  EXPORT_FILE_EXTENSIONS,
  EXPORT_FORMATS,
  exportStream,
  exportToFile,
  validateFormat,
} from '../../export/index.js';
import { createFsClient } from '../../fs/index.js';
import type { CliContext } from '../runtime.js';
import { formatBytes } from './format.js';
import {
  addFormatOptions,
  addItemOptions,
  type FormatFlags,
  formatOptions,
  type ItemFlags,
  itemListOptions,
} from './item-options.js';
import { pipeToStdout, progressBar, showsProgress } from './terminal.js';

interface ExportFlags extends ItemFlags, FormatFlags {
  format?: string;
  out?: string;
}

/** The format asked for, else the one of the output file's extension. */
function chooseFormat(flags: ExportFlags): ExportFormat {
  if (flags.format !== undefined) return validateFormat(flags.format.toLowerCase());
  if (flags.out === undefined) return 'json';
  const ext = extname(flags.out).slice(1).toLowerCase();
  const byExt = EXPORT_FORMATS.find((f) => EXPORT_FILE_EXTENSIONS[f] === ext);
  if (byExt) return byExt;
  throw new StorageError(
    'STORAGE_UNSUPPORTED_FORMAT',
    `Give --format (${EXPORT_FORMATS.join(', ')}), or an --out file with one of those extensions.`,
  );
}

async function runExport(command: Command, dataset: string, flags: ExportFlags, ctx: CliContext) {
  const { storageDir, json } = ctx.globals(command);
  const format = chooseFormat(flags);
  const options = formatOptions(flags);
  const stream = await createFsClient({ storageDir }).dataset(dataset).iterateItems(itemListOptions(flags));
  if (flags.out === undefined) {
    await pipeToStdout(exportStream(format, () => stream.items(), options));
    return;
  }
  const bar = progressBar(`export ${format}`, showsProgress(json));
  let written = 0;
  let bytes: number;
  try {
    ({ bytes } = await exportToFile(flags.out, format, () => stream.items(), {
      ...options,
      onProgress: (n) => {
        written = n;
        bar.update(n, Math.max(n, stream.count));
      },
    }));
  } finally {
    bar.stop();
  }
  ctx.print(command, `Exported ${written} items to ${flags.out} (${format}, ${formatBytes(bytes)}).`, {
    dataset,
    format,
    file: flags.out,
    items: written,
    bytes,
  });
}

/** `actor-storage export <dataset> --format F --out FILE [item and format options]`. */
export function registerExport(program: Command, ctx: CliContext): void {
  const command = program
    .command('export')
    .argument('<dataset>', 'dataset id or name')
    .description(`Export a dataset's items to a file (${EXPORT_FORMATS.join(', ')}), atomically.`)
    .option('-f, --format <format>', `${EXPORT_FORMATS.join(', ')} (default: from the --out extension)`)
    .option(
      '-o, --out <file>',
      'file to write (it appears whole or not at all); stdout (json by default) when omitted',
    );
  addFormatOptions(addItemOptions(command))
    .addHelpText(
      'after',
      `
Examples:
  $ actor-storage export products --format csv --out products.csv
  $ actor-storage export products --out products.xlsx --clean --fields title,price
  $ actor-storage export default --format csv --delimiter ";" --no-bom --out items.csv
  $ actor-storage export products --format jsonl | gzip > products.jsonl.gz`,
    )
    .action(async (dataset: string, flags: ExportFlags, cmd: Command) => runExport(cmd, dataset, flags, ctx));
}
