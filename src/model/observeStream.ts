/** What observeStream reports of a stream it wraps. */
export interface StreamObserver<T> {
  /** Each value the stream yields, before its consumer gets it. */
  readonly onValue?: (value: T) => void;
  /**
   * Once, when the stream is over for its consumer: it finished, or the consumer returned or
   * threw into it.
   */
  readonly onEnd: () => void;
}

/**
 * The same stream, observed: every value it yields and the one moment it ends, however it ends.
 * For the subscriptions' audit line and the drain's count of open streams, which must both see
 * a stream end whether it finished or its client went away.
 */
export function observeStream<T>(
  stream: AsyncGenerator<T>,
  observer: StreamObserver<T>,
): AsyncGenerator<T> {
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    observer.onEnd();
  };
  const observed: AsyncGenerator<T> = {
    next: async () => {
      const step = await stream.next();
      if (step.done === true) end();
      else observer.onValue?.(step.value);
      return step;
    },
    return: async () => {
      end();
      return stream.return(undefined);
    },
    throw: async (error) => {
      end();
      return stream.throw(error);
    },
    [Symbol.asyncIterator]() {
      return observed;
    },
  };
  return observed;
}
