import type { z } from 'zod';
import type { SourceRateLimit } from '../providers/SourceKindDefinition';
import { integer, positiveNumber, strictObject } from './schemas';

/**
 * The most a source's `rateLimit` may allow: well above any provider's documented limit and the
 * emulators' own (1000 a second), low enough that a typo of a few zeros is caught.
 */
export const MAX_RATE_LIMIT = { burst: 10_000, perSecond: 10_000 } as const;

/** A source's `rateLimit`: `burst` requests at once, then `perSecond` on average. */
export const rateLimitSchema: z.ZodType<SourceRateLimit> = strictObject(
  {
    burst: integer(1, MAX_RATE_LIMIT.burst),
    perSecond: positiveNumber(MAX_RATE_LIMIT.perSecond),
  },
  ' for a rate limit',
);

const PAIR = /^\s*(burst|perSecond)\s*=\s*([^,\s]*)\s*$/;

/**
 * The environment's form of a rate limit, `burst=40,perSecond=20` (either order), as the object
 * the file would hold; null when it is not of that form. The numbers are left as text, for
 * rateLimitSchema to check and to name.
 */
export function parseRateLimitVariable(value: string): Record<string, string> | null {
  const result: Record<string, string> = {};
  for (const part of value.split(',')) {
    const match = PAIR.exec(part);
    const [, name, number] = match ?? [];
    if (name === undefined || number === undefined || number === '' || name in result) return null;
    result[name] = number;
  }
  return 'burst' in result && 'perSecond' in result ? result : null;
}

/** `burst=50,perSecond=3.5`: a kind's limit as the environment writes it. */
export function formatRateLimitVariable(limit: {
  readonly capacity: number;
  readonly refillPerSecond: number;
}): string {
  return `burst=${limit.capacity},perSecond=${limit.refillPerSecond}`;
}
