import type { UnconfirmedChoiceTable } from '../shared/UnconfirmedChoice';

/** What the Nirvana Labs emulator does where providers.md §5 leaves the audit-log API open, and why. */
export const NIRVANA_UNCONFIRMED_CHOICES: UnconfirmedChoiceTable = {
  title: 'Nirvana Labs emulator',
  intro:
    'providers.md §5 marks these UNCONFIRMED. The real API may differ on any of them; the adapter (`src/providers/nirvana`) is written not to depend on them beyond what it states.',
  choices: [
    {
      question: 'Default order; tie-break',
      choice:
        "`created_at:desc`; ties by a hash of (filters + sort, id) with `knobs.shuffleTies` — per query, fixed along a chain — else by id; in the first sort term's direction",
      reason: 'Newest first is typical (providers.md); no tie-break is documented.',
    },
    {
      question: '`limit` outside 10..100',
      choice: '400 `invalid_parameter`',
      reason: 'The bounds are documented; rejecting makes an adapter that overshoots fail loudly.',
    },
    {
      question: 'Error body',
      choice:
        '`{"error": {"code", "message"}}`, codes `invalid_parameter`, `invalid_cursor`, `unauthorized`, `not_found`',
      reason: 'Undocumented; the SDKs keep the raw body. Invented.',
    },
    {
      question: 'Meaning of `total_count`',
      choice: 'Entries matching the filters (cursor and limit left out), now',
      reason: '"Total matches" is the likely reading.',
    },
    {
      question: 'Cursor format, binding, lifetime',
      choice:
        'Opaque base64url of a keyset position + a hash of filters and sort; other filters/sort or malformed → 400 `invalid_cursor`; `limit` may change; no expiry',
      reason:
        '"Only valid for the same filters and sort order" (Go SDK); keyset keeps one chain stable under inserts.',
    },
    {
      question: '`previous_cursor`',
      choice:
        'null on a page reached without a cursor or with nothing before it; else returns the `limit` entries just before the page; `next_cursor` null when nothing follows the page',
      reason: '"allows walking back" (providers.md).',
    },
    {
      question: '`created_at_min/max` format',
      choice: 'Inclusive (documented); any RFC 3339 incl. fractions and offsets; else 400',
      reason: 'Documented as RFC 3339 instants.',
    },
    {
      question: 'Matching of the other filters',
      choice:
        '`method` exact case-insensitive; `path` case-insensitive substring (documented); `action`, `actor_id`, `target_id`, `target_type` exact and case-sensitive; `client_ip` one address compared as an address (any textual form; IPv4-mapped IPv6 = its IPv4), a non-address as text; bad `actor_type` → 400; `status_code_min/max` inclusive, min > max → empty; `sort` terms lower-case `field:asc|desc`, each field once, else 400',
      reason:
        'Only `path` and `client_ip` matching are documented. The adapter pushes ids and enum values verbatim (the gateway compares them exactly too) and one IP address in its canonical form (IPv4 dotted, IPv6 RFC 5952, mapped IPv4 as IPv4): a real API comparing `client_ip` as text finds it only if it stored that form.',
    },
    {
      question: 'Empty / unknown parameters',
      choice: 'Empty = absent; unknown ignored',
      reason: 'Common API behaviour; the Go SDK omits zero values.',
    },
    {
      question: 'Auth failures',
      choice:
        'Missing header, non-Bearer scheme (scheme case-insensitive) or wrong key → 401 with the error body, before routing',
      reason: 'Bearer is documented; the body is our choice.',
    },
    {
      question: 'Rate limiting',
      choice: 'None (429 only via injected faults)',
      reason: 'Undocumented.',
    },
    {
      question: 'Timestamp precision',
      choice: 'Generated data uses whole seconds; the API accepts and the adapter parses fractions',
      reason: 'Examples show whole seconds; precision is unconfirmed.',
    },
    {
      question: 'Quirk `emptyPageAfterLastCursor` (option, off by default)',
      choice:
        'The last non-empty page still carries a `next_cursor`; following it answers an empty page, cursor null',
      reason:
        'Some cursor APIs work so; the Go SDK stops on an empty page for that reason. The adapter must end there.',
    },
  ],
};
