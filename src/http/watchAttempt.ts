import type { CallerLimits } from './createRequestCoalescer';

/** What one attempt hands undici, and why it stopped. */
export interface AttemptWatch {
  /** Aborts when the caller gives up or the deadline passes; none when neither can happen. */
  readonly signal: AbortSignal | undefined;
  deadlinePassed(): boolean;
  stop(): void;
}

/**
 * One signal for undici: whichever of the caller and the deadline gives up first closes the
 * socket, instead of leaving it reading a response nobody waits for. One controller that the
 * caller's signal forwards to, rather than AbortSignal.any, which costs several times as much on
 * every attempt.
 *
 * A shared call's deadline can move later while an attempt is under way (a caller with a later
 * deadline joined), so when the timer fires it checks the deadline again and waits on for the
 * difference.
 */
export function watchAttempt(limits: CallerLimits, now: () => number): AttemptWatch {
  const callerSignal = limits.signal;
  let armedFor = limits.deadlineAt;
  if (armedFor === undefined) {
    return { signal: callerSignal, deadlinePassed: () => false, stop: () => undefined };
  }
  const controller = new AbortController();
  let passed = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number): void => {
    timer = setTimeout(onTimer, Math.max(1, ms));
    // Like AbortSignal.timeout: a deadline alone does not keep the process up.
    timer.unref();
  };
  const onTimer = (): void => {
    const current = limits.deadlineAt;
    // Pushed back to no deadline at all: nothing to watch any more.
    if (current === undefined) return;
    if (armedFor !== undefined && current > armedFor) {
      const extraMs = current - armedFor;
      armedFor = current;
      arm(extraMs);
      return;
    }
    passed = true;
    controller.abort(new DOMException('The deadline passed.', 'TimeoutError'));
  };
  const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  arm(armedFor - now());
  return {
    signal: controller.signal,
    deadlinePassed: () => passed,
    stop: () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}
