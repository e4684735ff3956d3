/** A push queue read as an async iterator: what a poller feeds and a GraphQL server drains. */
export interface ItemQueue<T> {
  /** Queues an item; ignored once ended. */
  push(item: T): void;
  /** Ends the iterator after the items already queued. */
  end(): void;
  readonly iterator: AsyncIterableIterator<T>;
}

/**
 * `onReturn` runs once, when the reader stops early (`return()`: an unsubscribe, a closed socket)
 * or the queue has ended and been drained.
 */
export function createItemQueue<T>(onReturn: () => void): ItemQueue<T> {
  const items: T[] = [];
  let ended = false;
  let returned = false;
  let waiting: ((result: IteratorResult<T>) => void) | null = null;

  const finish = (): void => {
    if (returned) return;
    returned = true;
    onReturn();
  };
  const done = (): IteratorResult<T> => ({ done: true, value: undefined });

  const iterator: AsyncIterableIterator<T> = {
    next: () => {
      const item = items.shift();
      if (item !== undefined) return Promise.resolve({ done: false, value: item });
      if (ended || returned) {
        finish();
        return Promise.resolve(done());
      }
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return: () => {
      ended = true;
      items.length = 0;
      finish();
      const resolve = waiting;
      waiting = null;
      resolve?.(done());
      return Promise.resolve(done());
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };

  return {
    push: (item) => {
      if (ended) return;
      const resolve = waiting;
      if (resolve !== null) {
        waiting = null;
        resolve({ done: false, value: item });
      } else items.push(item);
    },
    end: () => {
      if (ended) return;
      ended = true;
      const resolve = waiting;
      waiting = null;
      if (resolve !== null) {
        finish();
        resolve(done());
      }
    },
    iterator,
  };
}
