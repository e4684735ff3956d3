import {
  CLOUDFLARE_UNCONFIRMED_CHOICES,
  toActorEmailCaseChoice,
} from '../cloudflare-shared/cloudflareUnconfirmedChoices';
import type { UnconfirmedChoiceTable } from '../shared/UnconfirmedChoice';

/** What the Cloudflare v2 emulator does where providers.md §3 leaves audit logs v2 open, and why. */
export const CLOUDFLARE_V2_UNCONFIRMED_CHOICES: UnconfirmedChoiceTable = {
  title: 'Cloudflare audit logs v2 emulator',
  intro:
    'providers.md §3 marks these UNCONFIRMED. The adapter (`src/providers/cloudflare-v2/`) widens its time bounds and accepts every documented end-of-list variant, so it depends on none of them beyond what it states.',
  choices: [
    {
      question: 'Inclusivity of `since` / `before`',
      choice: 'Both exclusive; since later than before → 400; equal → empty',
      reason:
        'The current wording, "newer than" / "older than". The strict reading proves the adapter\'s widening.',
    },
    {
      question: 'Forms of `since` / `before`',
      choice:
        'A date (midnight UTC) or RFC 3339 with any fraction and a `Z` or numeric offset; missing or unparseable → 400',
      reason: "Documented as required; Cloudflare's MCP server sends milliseconds.",
    },
    {
      question: '`limit`',
      choice: '1..1000, default 100; outside or not an integer → 400',
      reason: "Cloudflare's MCP server schema and third-party renderings of the spec.",
    },
    {
      question: 'Direction',
      choice: '`desc` by default; anything but `asc`/`desc` → 400',
      reason:
        "The history endpoint's docs and third-party renderings of the spec give the default.",
    },
    {
      question: 'The cursor',
      choice:
        'Opaque and signed; bound to every parameter except `cursor` and `limit`; malformed, tampered, or used with other parameters → 400; it continues after the last record of the previous page, so inserts neither shift nor repeat anything of a chain',
      reason:
        '"Only valid for the same filters" is the usual contract; a changed `limit` is harmless.',
    },
    {
      question: 'Last page',
      choice: '`result_info.cursor` omitted; never a trailing empty page',
      reason:
        'providers.md allows omitting it; the adapter also handles `""` and a final empty page.',
    },
    {
      question: 'Quirk `emptyPageAfterLastCursor` (option, off by default)',
      choice:
        'The last non-empty page still carries a cursor; that cursor yields `result: []` and no cursor',
      reason:
        'The other variant providers.md calls plausible; the adapter stops at a missing or empty cursor and at an empty page, and tests run against both.',
    },
    {
      question: '`result_info`',
      choice: '`{count, cursor}`, `count` a string; the envelope has no `messages`',
      reason: 'The docs example.',
    },
    {
      question: 'Filter semantics',
      choice:
        'Repeated keys: OR within a key, AND across keys; `<key>.not` drops records matching any value; enum keys (`action_result`, `action_type`, `actor_context`, `actor_type`, `resource_scope`) reject other values → 400; `raw_status_code` must be an integer; `actor_ip_address` takes addresses or CIDR ranges; `actor_email`, `raw_method` case-insensitive; the rest exact',
      reason: 'Unconfirmed across multiple values.',
    },
    toActorEmailCaseChoice('actor_email'),
    {
      question: 'OR within a repeated key',
      choice:
        'Assumed by the gateway, which sends several values of a list filter (actor ids, emails, types, resource ids and types, action types) under one repeated key',
      reason:
        'If the live API ANDed them, a multi-value pushdown would lose events: one value at a time would have to be the rule.',
    },
    {
      question: 'Comma-joined or `[]`-suffixed arrays',
      choice:
        'Not understood: a comma-joined value is one value (400 for an enum key, no match otherwise); `key[]` is an unknown parameter, ignored',
      reason: 'The SDKs repeat keys.',
    },
    {
      question: '`product_category`',
      choice:
        'An invented table (`dns`, `security`, `developer_platform`, `account_management`, `zones`) expanding to `resource_product` values; unknown → 400',
      reason: 'The parameter is documented, its table is not.',
    },
    {
      question: 'Order of logs in the same second',
      choice:
        'Unspecified: with `knobs.shuffleTies` a per-query order (hash of the query without `cursor`/`limit`) that one cursor chain keeps; without, by id (reversed for desc)',
      reason: 'No tie-breaker is documented.',
    },
    ...CLOUDFLARE_UNCONFIRMED_CHOICES,
    {
      question: 'Retention (18 months)',
      choice: 'Not enforced',
      reason: 'The emulator has no clock; the adapter raises `since` to the retention itself.',
    },
    {
      question: 'History and product-category endpoints',
      choice: 'Not emulated',
      reason: 'Not used by the gateway.',
    },
  ],
};
