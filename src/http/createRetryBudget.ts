import { assertOptions, atLeast } from './assertOptions';

export interface RetryBudgetOptions {
  /** Retry credits each first attempt earns: the share of calls that may be retried. */
  readonly ratio?: number;
  /** Credits the budget holds at most, so a long quiet spell cannot bank a retry storm. */
  readonly maxTokens?: number;
  /** Credits a quiet source earns per second, so a source with little traffic can still retry. */
  readonly minPerSecond?: number;
  /** Epoch ms; injected so tests move time without waiting. */
  readonly now?: () => number;
}

export interface RetryBudget {
  /** Records a call's first attempt, which earns the budget its credits. */
  recordFirstAttempt(): void;
  /** Spends one credit for a retry and says whether there was one to spend. */
  trySpend(): boolean;
}

export const RETRY_BUDGET_DEFAULTS = {
  // R7: upstream calls stay within 1.2× the calls made, whatever the upstream's error rate.
  ratio: 0.2,
  maxTokens: 10,
  minPerSecond: 1,
} as const;

/** Five deposits of 0.2 make one whole credit, although their floating-point sum falls short. */
const ROUNDING_SLACK = 1e-9;

/**
 * A retry budget for one source, a token bucket in the manner of gRPC's retry throttling and
 * Finagle's RetryBudget: retries spend credits that first attempts earn, so however often the
 * upstream fails, retries add at most `ratio` to the calls made. Without it, two retries per
 * call triple the load on an upstream that is already failing.
 *
 * The floor of `minPerSecond` is the larger of the two rates, not an addition to them (Finagle
 * adds them): between two first attempts the budget earns either `ratio` or the floor's credits
 * for the time since the last one, whichever is more. Above `minPerSecond / ratio` calls per
 * second (5 with the defaults) the floor earns nothing, so the R7 bound holds exactly; below
 * it, a quiet source still earns a retry now and then.
 *
 * A new budget starts as though its source had been quiet for one second, so that the very
 * first failure of a new client can be retried (R4) and a start-up adds no more than that.
 */
export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const { ratio, maxTokens, minPerSecond } = assertOptions(
    'createRetryBudget',
    options,
    RETRY_BUDGET_DEFAULTS,
    { ratio: atLeast(0), maxTokens: atLeast(1), minPerSecond: atLeast(0) },
  );
  const now = options.now ?? Date.now;
  let credits = 0;
  let depositedAt = now() - 1_000;

  function recordFirstAttempt(): void {
    const at = now();
    const earnedByFloor = (minPerSecond * Math.max(0, at - depositedAt)) / 1_000;
    credits = Math.min(maxTokens, credits + Math.max(ratio, earnedByFloor));
    depositedAt = at;
  }

  function trySpend(): boolean {
    if (credits + ROUNDING_SLACK < 1) return false;
    credits -= 1;
    return true;
  }

  return { recordFirstAttempt, trySpend };
}
