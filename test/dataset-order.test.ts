import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsClient } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

describe('pushes in flight', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  it('land in the order they were made, from the first push of a fresh client on', async () => {
    await createFsClient({ storageDir: dir }).datasets().getOrCreate('ordered');
    for (let round = 0; round < 5; round += 1) {
      // A new client each round: its first pushes have to locate the dataset before they write.
      const dataset = createFsClient({ storageDir: dir }).dataset('ordered');
      const pushes = Array.from({ length: 40 }, (_, i) =>
        dataset.pushItems(Array.from({ length: (i * 7) % 13 || 1 }, () => ({ round, i }))),
      );
      await Promise.all(pushes);
    }
    const { items } = await createFsClient({ storageDir: dir }).dataset('ordered').listItems();
    const order = items.map((item) => (item.round as number) * 100 + (item.i as number));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
