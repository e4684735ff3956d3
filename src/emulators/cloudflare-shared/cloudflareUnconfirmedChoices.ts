import type { UnconfirmedChoice } from '../shared/UnconfirmedChoice';

/**
 * What both Cloudflare emulators do where providers.md §2–3 leave the API platform open (auth,
 * error codes, rate-limit headers: the code in this folder), and why. Each version's table lists
 * them with its own.
 */
export const CLOUDFLARE_UNCONFIRMED_CHOICES: readonly UnconfirmedChoice[] = [
  {
    question: 'Auth errors',
    choice:
      'No credential 400/9106; malformed `Authorization` 400/6003 (chain 6111); wrong token 403/9109 "Invalid access token"; wrong `X-Auth-Key` 403/9103; malformed `X-Auth-Email`/`X-Auth-Key` 400/6003 (chains 6102/6103)',
    reason:
      "What the live API answers, per third-party reports. The global-key form accepts the emulator's token as `X-Auth-Key` with any well-formed email.",
  },
  {
    question: 'Other errors',
    choice:
      'Parameter errors 400 with code 1004 (invented) in the v4 failure envelope; another well-formed account id 403/10000; a malformed one and unknown paths 404/7003',
    reason: 'Cloudflare documents no codes for these.',
  },
  {
    question: 'Rate limits',
    choice:
      'Not enforced in the demo; a test may set the `rateLimit` knob of the emulator (a burst, then a rate: 429 with `Retry-After` beyond it) or inject a 429 as a fault; `x-ratelimit-limit: 1200` and `x-ratelimit-remaining: 1200` on every response',
    reason: 'The headers are documented as always sent; the demo keeps no count of requests.',
  },
];

/**
 * The case of the actor-email filter (`parameter`: v1's `actor.email`, v2's `actor_email`): both
 * versions match it case-insensitively, and the gateway's pushdown relies on it.
 */
export function toActorEmailCaseChoice(parameter: string): UnconfirmedChoice {
  return {
    question: `Case of \`${parameter}\``,
    choice: 'Case-insensitive: `Ops@Example.com` is found by `ops@example.com`',
    reason:
      "The gateway's `actorEmails` filter is case-insensitive and pushes emails lower-cased (src/providers/pushdownCapabilities.ts). Should the live API prove case-sensitive, that pushdown would lose events whose stored email has capitals, and its row must become residual.",
  };
}
