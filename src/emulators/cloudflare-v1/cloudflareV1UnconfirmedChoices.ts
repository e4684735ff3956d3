import {
  CLOUDFLARE_UNCONFIRMED_CHOICES,
  toActorEmailCaseChoice,
} from '../cloudflare-shared/cloudflareUnconfirmedChoices';
import type { UnconfirmedChoiceTable } from '../shared/UnconfirmedChoice';

/** What the Cloudflare v1 emulator does where providers.md §2 leaves audit logs v1 open, and why. */
export const CLOUDFLARE_V1_UNCONFIRMED_CHOICES: UnconfirmedChoiceTable = {
  title: 'Cloudflare audit logs v1 emulator',
  intro:
    'providers.md §2 marks these UNCONFIRMED. The adapter (`src/providers/cloudflare-v1/`) widens its time bounds and ignores `result_info` totals, so it depends on none of them beyond what it states.',
  choices: [
    {
      question: '`result_info`',
      choice:
        'Sent: `{page, per_page, count, total_count}`; `count` = items in the page, `total_count` = records matching the query',
      reason:
        "The generic Cloudflare shape; the spec's response schema has none, so the adapter does not rely on it.",
    },
    {
      question: 'Inclusivity of `since` / `before`',
      choice: 'Both exclusive',
      reason:
        'The literal wording, "newer than" / "older than". The strict reading also proves the adapter\'s widening: a client that sends its bound unwidened loses the events of the boundary second.',
    },
    {
      question: 'Forms of `since` / `before`',
      choice:
        'A date is midnight UTC of that day; RFC 3339 with any fraction and a `Z` or numeric offset; anything else → 400',
      reason: 'As v2 documents for the same parameters.',
    },
    {
      question: '`per_page`, `page` out of bounds',
      choice: 'Outside 1..1000 / below 1, or not an integer → 400',
      reason: "The 2023 spec's bounds; a page past the end is 200 with `result: []`.",
    },
    {
      question: 'Direction',
      choice: '`desc` by default (documented); anything but `asc`/`desc` → 400',
      reason: '',
    },
    {
      question: 'Order of logs in the same second',
      choice:
        'Unspecified: with `knobs.shuffleTies` a per-query order (hash of the query without `page`/`per_page`) that holds across its pages; without, by id (reversed for desc)',
      reason: 'No tie-breaker is documented.',
    },
    {
      question: 'Filter values',
      choice:
        'One value per key (the last of a repeated key wins), blank ignored; `actor.ip` an address or CIDR of either family, else 400; `actor.email` case-insensitive and must look like an address; `id`, `action.type` exact',
      reason: '',
    },
    toActorEmailCaseChoice('actor.email'),
    {
      question: 'Shape of `actor.email`',
      choice: 'A value without `x@y` shape → 400',
      reason:
        'The spec types the parameter `format: email`. The adapter sends only address-shaped values (one `@`, a dot in the domain); anything else is filtered by the feed.',
    },
    {
      question: '`zone.name`',
      choice: 'Matches `metadata.zone_name`',
      reason: "v1 logs have no zone field; the spec's example keeps the zone name in metadata.",
    },
    {
      question: '`hide_user_logs`',
      choice:
        'User-level logs are those owned by the acting user (`owner.id` = `actor.id`, i.e. logins and logouts); `true`/`false` only',
      reason: 'Not defined anywhere.',
    },
    {
      question: '`export`',
      choice: '`true` → 400 (the CSV export is not emulated); `false` ignored; anything else → 400',
      reason: 'providers.md allows 400 or ignoring it; a CSV body would not be JSON.',
    },
    ...CLOUDFLARE_UNCONFIRMED_CHOICES,
    { question: 'Unknown parameters', choice: 'Ignored', reason: '' },
  ],
};
