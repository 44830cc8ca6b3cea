import type { DatasetInfo, UpdateOptions } from '../../client/types.js';
import { StorageError } from '../../errors.js';
import { isPlainObject } from '../../items/index.js';
import type { FsContext } from '../context.js';
import { deleteStore, renameStore, type StoreLocation } from '../stores.js';
import { forgetFolders, locate, locateOrThrow, openDataset } from './locate.js';
import { toDatasetInfo } from './metadata.js';
import { currentMetadata, forgetState, lockOf } from './state.js';

/** The info of the dataset at `loc`: its metadata as on disk, plus reads this process made. */
export async function infoOf(ctx: FsContext, loc: StoreLocation): Promise<DatasetInfo> {
  const state = await openDataset(ctx, loc);
  return toDatasetInfo(currentMetadata(loc, state), state);
}

/** `dataset(idOrName).get()`: the info, or `undefined` when there is no such dataset. */
export async function getDataset(ctx: FsContext, idOrName: string): Promise<DatasetInfo | undefined> {
  const loc = await locate(ctx, idOrName);
  return loc ? infoOf(ctx, loc) : undefined;
}

function checkUpdate(fields: unknown): UpdateOptions {
  if (!isPlainObject(fields)) {
    throw new StorageError(
      'STORAGE_INVALID_OPTION',
      'update() takes an object such as { name: "new-name" }.',
    );
  }
  for (const key of Object.keys(fields)) {
    if (key !== 'name' && fields[key] !== undefined) {
      throw new StorageError(
        'STORAGE_INVALID_OPTION',
        `Option "${key}" is unknown; a dataset update takes "name".`,
        {
          details: { option: key },
        },
      );
    }
  }
  const { name } = fields;
  if (name !== undefined && name !== null && typeof name !== 'string') {
    throw new StorageError('STORAGE_INVALID_NAME', 'A dataset name is a string, or null to unname it.');
  }
  return name === undefined ? {} : { name };
}

/**
 * `update({ name })`: renames the dataset (its folder moves), names an unnamed one, or unnames it
 * with `null`. The id stays.
 * @throws StorageError `STORAGE_NOT_FOUND`, `STORAGE_INVALID_NAME`, `STORAGE_NAME_TAKEN`, `STORAGE_INVALID_OPTION`
 */
export async function updateDataset(ctx: FsContext, idOrName: string, fields: unknown): Promise<DatasetInfo> {
  const update = checkUpdate(fields);
  const loc = await locateOrThrow(ctx, idOrName);
  if (update.name === undefined) return infoOf(ctx, loc);
  const state = await openDataset(ctx, loc);
  const newName = update.name;
  const renamed = await lockOf(ctx, state).run(async () => {
    const moved = await renameStore(ctx.config.storageDir, loc, newName, { fsync: ctx.config.fsync });
    // Inside the lock, so that writes queued behind the rename already use the new folder.
    state.dir = moved.dir;
    state.name = moved.name;
    if (state.meta) state.meta = { ...state.meta, name: moved.metadata.name ?? null };
    return moved;
  });
  forgetFolders(ctx, idOrName, loc.name, renamed.name);
  return infoOf(ctx, renamed);
}

/** `delete()`: removes the dataset and its files; a missing dataset is not an error. */
export async function deleteDataset(ctx: FsContext, idOrName: string): Promise<void> {
  const loc = await locate(ctx, idOrName);
  if (!loc) return;
  const state = await openDataset(ctx, loc);
  await lockOf(ctx, state).run(async () => {
    await deleteStore(ctx.config.storageDir, 'datasets', loc.id);
    state.epoch = -1; // writes queued behind the delete reload, find no folder, and fail as not found
  });
  forgetFolders(ctx, idOrName, loc.id, loc.name);
  forgetState(ctx, loc.id);
}
