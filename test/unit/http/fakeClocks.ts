import { AuditgraphError } from '../../../src/model/errors';

export const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

/** A clock that only moves when told to or when someone sleeps, and a record of every sleep. */
export function createFakeTime() {
  let nowMs = T0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => nowMs,
    advance: (ms: number) => {
      nowMs += ms;
    },
    sleep: (ms: number, signal?: AbortSignal): Promise<void> => {
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      sleeps.push(ms);
      nowMs += ms;
      return Promise.resolve();
    },
  };
}

interface HeldSleep {
  readonly ms: number;
  wake(): void;
}

/**
 * A clock whose sleeps last until the test wakes them (the wait "ran out"), or until their
 * signal aborts: how a test decides exactly when a caller's deadline passes.
 */
export function createHeldTime() {
  let nowMs = T0;
  const held: HeldSleep[] = [];
  const release = (entry: HeldSleep) => held.splice(held.indexOf(entry), 1);
  return {
    held,
    now: () => nowMs,
    advance: (ms: number) => {
      nowMs += ms;
    },
    sleep: (ms: number, signal?: AbortSignal): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason as Error);
          return;
        }
        const entry: HeldSleep = {
          ms,
          wake: () => {
            release(entry);
            resolve();
          },
        };
        held.push(entry);
        signal?.addEventListener(
          'abort',
          () => {
            release(entry);
            reject(signal.reason as Error);
          },
          { once: true },
        );
      }),
  };
}

/** Resolves once `condition` holds, checking after each turn of the event loop. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

export async function failureOf(promise: Promise<unknown>): Promise<AuditgraphError> {
  const outcome = await promise.then(
    () => new Error('expected a failure'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof AuditgraphError)) throw outcome;
  return outcome;
}
