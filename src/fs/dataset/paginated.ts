import type { PaginatedIterator, PaginatedList } from '../../client/types.js';

/**
 * A {@link PaginatedIterator} that does nothing until used: awaiting it reads the page, iterating
 * it streams every item of the range page by page (without reading the page first). It is a
 * thenable with the Promise methods, so `await`, `.then()` and `for await` all work.
 */
export function lazyPaginated<T>(
  page: () => Promise<PaginatedList<T>>,
  all: () => AsyncIterable<T>,
): PaginatedIterator<T> {
  let promise: Promise<PaginatedList<T>> | undefined;
  const get = () => {
    promise ??= page();
    return promise;
  };
  const iterator = {
    // biome-ignore lint/suspicious/noThenProperty: a thenable is the point (see PaginatedIterator)
    then: (onFulfilled?: never, onRejected?: never) => get().then(onFulfilled, onRejected),
    catch: (onRejected?: never) => get().catch(onRejected),
    finally: (onFinally?: () => void) => get().finally(onFinally),
    [Symbol.toStringTag]: 'Promise',
    [Symbol.asyncIterator]: () => all()[Symbol.asyncIterator](),
  };
  return iterator as unknown as PaginatedIterator<T>;
}
