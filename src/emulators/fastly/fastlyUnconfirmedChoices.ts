import type { UnconfirmedChoiceTable } from '../shared/UnconfirmedChoice';

/** What the Fastly emulator does where providers.md §1 leaves Fastly's events API open, and why. */
export const FASTLY_UNCONFIRMED_CHOICES: UnconfirmedChoiceTable = {
  title: 'Fastly emulator',
  intro:
    'providers.md §1 marks these UNCONFIRMED. The adapter (`src/providers/fastly/`) depends on none of them beyond what it states.',
  choices: [
    {
      question: 'Maximum `page[size]`',
      choice: 'Default 20 (fastly-js); at most 100: outside 1..100 or not an integer → 400',
      reason:
        'No SDK or doc states one; third-party clients use 100. A 400 rather than a silent clamp, so a client asking for more fails loudly in tests instead of reading a short page as the last.',
    },
    {
      question: '`page[number]` out of range',
      choice:
        '1-based, default 1; < 1 or not an integer → 400; past the end → 200 with `data: []`, `first`/`last`/`prev` links and no `next`',
      reason: 'The JSON:API habit; providers.md assumes 200 with empty data.',
    },
    {
      question: '`meta`',
      choice:
        'Always sent: `record_count` = matches of the query, `total_pages` = ceil(record_count / page[size]) (0 when none)',
      reason:
        'The current SDK models it; the 2019 recording has none, so the adapter tolerates its absence.',
    },
    {
      question: 'Quirk `omitMeta` (option, off by default)',
      choice: 'List responses without `meta` (links unchanged)',
      reason:
        'The 2019 go-fastly recording has none; the adapter reads the end of the list from `links.next` and reports no total.',
    },
    {
      question: '`links`',
      choice:
        "`first`, `last` always (`last` = page 1 when nothing matches), `prev` from page 2, `next` only before the last page; absolute, on the host the client called, raw brackets, the query's other parameters kept",
      reason:
        'The go-fastly recording shows absolute URLs with raw brackets and absent (not null) keys.',
    },
    {
      question: '`filter[created_at][gt|gte|lt|lte]`',
      choice:
        'Exactly the named comparison; a date is midnight UTC; fractions and offsets accepted; unparseable → 400',
      reason: '"date and time in ISO 8601" with a date-only example.',
    },
    {
      question: 'Bare `filter[created_at]`',
      choice: 'A date: that UTC day; a timestamp: that instant',
      reason: 'Documented only as accepting sub-parameters.',
    },
    {
      question: 'Other filters',
      choice:
        'Exact match, one value (the last of a repeated key wins), blank ignored; unknown `filter[…]` keys or created_at operators → 400; other unknown parameters ignored; `filter[event_type]` not checked against the enum',
      reason: 'A strict 400 on filter typos catches client bugs; the enum grows over time.',
    },
    {
      question: '`sort` values',
      choice: '`created_at` (the documented default) or `-created_at`; anything else → 400',
      reason: "The SDK's enum has these two; a 400 catches a client's typo.",
    },
    {
      question: 'Order of events in the same second',
      choice:
        'Unspecified: with `knobs.shuffleTies` a per-query order (hash of the query without paging parameters) that holds across its pages; without, by id (reversed for `-created_at`)',
      reason: 'Fastly documents no tie-breaker.',
    },
    {
      question: 'Error bodies',
      choice:
        '401 `{"msg":"Provided credentials are missing or invalid"}`; 404 `{"msg":"Record not found","detail":"Couldn\'t find Event \'<id>\'"}`; 400 `{"msg":"Bad Request","detail":"…"}`; unknown path 404 `{"msg":"Not Found"}`; errors as application/json',
      reason:
        'The 401 body is from third-party code; the others are invented in the classic `msg`/`detail` shape.',
    },
    {
      question: 'Token scope',
      choice: "Any request with the emulator's `Fastly-Key` passes",
      reason: 'The role the API demands is unconfirmed (a superuser is assumed).',
    },
    {
      question: 'Rate limits on GET',
      choice: 'None, and no `Fastly-RateLimit-*` headers',
      reason: 'Fastly documents reads as not limited; tests inject 429s through faults.',
    },
    {
      question: 'Attributes an event does not have',
      choice:
        '`service_id`, `user_id`, `token_id` and `ip` sent as `null` (an account-level event has no service, a dashboard action no token, billing and certificate mail no user, token or address)',
      reason:
        'Absent, `null` or `""` is unconfirmed; the adapter treats all three as "not stated".',
    },
  ],
};
