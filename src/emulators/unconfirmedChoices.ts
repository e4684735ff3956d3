/**
 * Every choice the emulators make where no official source decides (providers.md marks each
 * UNCONFIRMED), in one table: what was open, what the emulator does, and why. A real provider may
 * differ on any of them; the adapters are written not to depend on them, and say so where they
 * do. Each emulator's UNCONFIRMED.md is generated from this table (`npm run unconfirmed:write`)
 * and a test checks that it lists exactly these entries, so the two cannot drift.
 */

/** The emulators, by folder: FusionAuth's one emulator serves both of its logs. */
export const EMULATOR_KINDS = [
  'fastly',
  'cloudflare-v1',
  'cloudflare-v2',
  'fusionauth',
  'nirvana',
] as const;
export type EmulatorKind = (typeof EMULATOR_KINDS)[number];

export interface UnconfirmedChoice {
  readonly kind: EmulatorKind;
  /** What no official source settles. */
  readonly question: string;
  /** What the emulator does about it (Markdown inline text). */
  readonly choice: string;
  /** Why; empty when the question and the choice say it all. */
  readonly reason: string;
}

export const UNCONFIRMED_CHOICES: readonly UnconfirmedChoice[] = [
  // ─── fastly ───
  {
    kind: 'fastly',
    question: 'Maximum `page[size]`',
    choice: 'Default 20 (fastly-js); at most 100: outside 1..100 or not an integer → 400',
    reason:
      'No SDK or doc states one; third-party clients use 100. A 400 rather than a silent clamp, so a client asking for more fails loudly in tests instead of reading a short page as the last.',
  },
  {
    kind: 'fastly',
    question: '`page[number]` out of range',
    choice:
      '1-based, default 1; < 1 or not an integer → 400; past the end → 200 with `data: []`, `first`/`last`/`prev` links and no `next`',
    reason: 'The JSON:API habit; providers.md assumes 200 with empty data.',
  },
  {
    kind: 'fastly',
    question: '`meta`',
    choice:
      'Always sent: `record_count` = matches of the query, `total_pages` = ceil(record_count / page[size]) (0 when none)',
    reason:
      'The current SDK models it; the 2019 recording has none, so the adapter tolerates its absence.',
  },
  {
    kind: 'fastly',
    question: 'Quirk `omitMeta` (option, off by default)',
    choice: 'List responses without `meta` (links unchanged)',
    reason:
      'The 2019 go-fastly recording has none; the adapter reads the end of the list from `links.next` and reports no total.',
  },
  {
    kind: 'fastly',
    question: '`links`',
    choice:
      "`first`, `last` always (`last` = page 1 when nothing matches), `prev` from page 2, `next` only before the last page; absolute, on the host the client called, raw brackets, the query's other parameters kept",
    reason:
      'The go-fastly recording shows absolute URLs with raw brackets and absent (not null) keys.',
  },
  {
    kind: 'fastly',
    question: '`filter[created_at][gt|gte|lt|lte]`',
    choice:
      'Exactly the named comparison; a date is midnight UTC; fractions and offsets accepted; unparseable → 400',
    reason: '"date and time in ISO 8601" with a date-only example.',
  },
  {
    kind: 'fastly',
    question: 'Bare `filter[created_at]`',
    choice: 'A date: that UTC day; a timestamp: that instant',
    reason: 'Documented only as accepting sub-parameters.',
  },
  {
    kind: 'fastly',
    question: 'Other filters',
    choice:
      'Exact match, one value (the last of a repeated key wins), blank ignored; unknown `filter[…]` keys or created_at operators → 400; other unknown parameters ignored; `filter[event_type]` not checked against the enum',
    reason: 'A strict 400 on filter typos catches client bugs; the enum grows over time.',
  },
  {
    kind: 'fastly',
    question: '`sort` values',
    choice: '`created_at` (the documented default) or `-created_at`; anything else → 400',
    reason: "The SDK's enum has these two; a 400 catches a client's typo.",
  },
  {
    kind: 'fastly',
    question: 'Order of events in the same second',
    choice:
      'Unspecified: with `knobs.shuffleTies` a per-query order (hash of the query without paging parameters) that holds across its pages; without, by id (reversed for `-created_at`)',
    reason: 'Fastly documents no tie-breaker.',
  },
  {
    kind: 'fastly',
    question: 'Error bodies',
    choice:
      '401 `{"msg":"Provided credentials are missing or invalid"}`; 404 `{"msg":"Record not found","detail":"Couldn\'t find Event \'<id>\'"}`; 400 `{"msg":"Bad Request","detail":"…"}`; unknown path 404 `{"msg":"Not Found"}`; errors as application/json',
    reason:
      'The 401 body is from third-party code; the others are invented in the classic `msg`/`detail` shape.',
  },
  {
    kind: 'fastly',
    question: 'Token scope',
    choice: "Any request with the emulator's `Fastly-Key` passes",
    reason: 'The role the API demands is unconfirmed (a superuser is assumed).',
  },
  {
    kind: 'fastly',
    question: 'Rate limits on GET',
    choice: 'None, and no `Fastly-RateLimit-*` headers',
    reason: 'Fastly documents reads as not limited; tests inject 429s through faults.',
  },
  {
    kind: 'fastly',
    question: 'Attributes an event does not have',
    choice:
      '`service_id`, `user_id`, `token_id` and `ip` sent as `null` (an account-level event has no service, a dashboard action no token, billing and certificate mail no user, token or address)',
    reason: 'Absent, `null` or `""` is unconfirmed; the adapter treats all three as "not stated".',
  },
  // ─── cloudflare-v1 ───
  {
    kind: 'cloudflare-v1',
    question: '`result_info`',
    choice:
      'Sent: `{page, per_page, count, total_count}`; `count` = items in the page, `total_count` = records matching the query',
    reason:
      "The generic Cloudflare shape; the spec's response schema has none, so the adapter does not rely on it.",
  },
  {
    kind: 'cloudflare-v1',
    question: 'Inclusivity of `since` / `before`',
    choice: 'Both exclusive',
    reason:
      'The literal wording, "newer than" / "older than". The strict reading also proves the adapter\'s widening: a client that sends its bound unwidened loses the events of the boundary second.',
  },
  {
    kind: 'cloudflare-v1',
    question: 'Forms of `since` / `before`',
    choice:
      'A date is midnight UTC of that day; RFC 3339 with any fraction and a `Z` or numeric offset; anything else → 400',
    reason: 'As v2 documents for the same parameters.',
  },
  {
    kind: 'cloudflare-v1',
    question: '`per_page`, `page` out of bounds',
    choice: 'Outside 1..1000 / below 1, or not an integer → 400',
    reason: "The 2023 spec's bounds; a page past the end is 200 with `result: []`.",
  },
  {
    kind: 'cloudflare-v1',
    question: 'Direction',
    choice: '`desc` by default (documented); anything but `asc`/`desc` → 400',
    reason: '',
  },
  {
    kind: 'cloudflare-v1',
    question: 'Order of logs in the same second',
    choice:
      'Unspecified: with `knobs.shuffleTies` a per-query order (hash of the query without `page`/`per_page`) that holds across its pages; without, by id (reversed for desc)',
    reason: 'No tie-breaker is documented.',
  },
  {
    kind: 'cloudflare-v1',
    question: 'Filter values',
    choice:
      'One value per key (the last of a repeated key wins), blank ignored; `actor.ip` an address or CIDR of either family, else 400; `actor.email` case-insensitive and must look like an address; `id`, `action.type` exact',
    reason: '',
  },
  {
    kind: 'cloudflare-v1',
    question: 'Case of `actor.email`',
    choice: 'Case-insensitive: `Ops@Example.com` is found by `ops@example.com`',
    reason:
      "The gateway's `actorEmails` filter is case-insensitive and pushes emails lower-cased (src/providers/pushdownCapabilities.ts). Should the live API prove case-sensitive, that pushdown would lose events whose stored email has capitals, and its row must become residual.",
  },
  {
    kind: 'cloudflare-v1',
    question: 'Shape of `actor.email`',
    choice: 'A value without `x@y` shape → 400',
    reason:
      'The spec types the parameter `format: email`. The adapter sends only address-shaped values (one `@`, a dot in the domain); anything else is filtered by the feed.',
  },
  {
    kind: 'cloudflare-v1',
    question: '`zone.name`',
    choice: 'Matches `metadata.zone_name`',
    reason: "v1 logs have no zone field; the spec's example keeps the zone name in metadata.",
  },
  {
    kind: 'cloudflare-v1',
    question: '`hide_user_logs`',
    choice:
      'User-level logs are those owned by the acting user (`owner.id` = `actor.id`, i.e. logins and logouts); `true`/`false` only',
    reason: 'Not defined anywhere.',
  },
  {
    kind: 'cloudflare-v1',
    question: '`export`',
    choice: '`true` → 400 (the CSV export is not emulated); `false` ignored; anything else → 400',
    reason: 'providers.md allows 400 or ignoring it; a CSV body would not be JSON.',
  },
  {
    kind: 'cloudflare-v1',
    question: 'Auth errors',
    choice:
      'No credential 400/9106; malformed `Authorization` 400/6003 (chain 6111); wrong token 403/9109 "Invalid access token"; wrong `X-Auth-Key` 403/9103; malformed `X-Auth-Email`/`X-Auth-Key` 400/6003 (chains 6102/6103)',
    reason:
      "What the live API answers, per third-party reports. The global-key form accepts the emulator's token as `X-Auth-Key` with any well-formed email.",
  },
  {
    kind: 'cloudflare-v1',
    question: 'Other errors',
    choice:
      'Parameter errors 400 with code 1004 (invented) in the v4 failure envelope; another well-formed account id 403/10000; a malformed one and unknown paths 404/7003',
    reason: 'Cloudflare documents no codes for these.',
  },
  {
    kind: 'cloudflare-v1',
    question: 'Rate limits',
    choice:
      'Never enforced by the emulator (tests inject 429 through faults); `x-ratelimit-limit: 1200` and `x-ratelimit-remaining: 1200` on every response',
    reason: 'The headers are documented as always sent; the emulator has no clock.',
  },
  { kind: 'cloudflare-v1', question: 'Unknown parameters', choice: 'Ignored', reason: '' },
  // ─── cloudflare-v2 ───
  {
    kind: 'cloudflare-v2',
    question: 'Inclusivity of `since` / `before`',
    choice: 'Both exclusive; since later than before → 400; equal → empty',
    reason:
      'The current wording, "newer than" / "older than". The strict reading proves the adapter\'s widening.',
  },
  {
    kind: 'cloudflare-v2',
    question: 'Forms of `since` / `before`',
    choice:
      'A date (midnight UTC) or RFC 3339 with any fraction and a `Z` or numeric offset; missing or unparseable → 400',
    reason: "Documented as required; Cloudflare's MCP server sends milliseconds.",
  },
  {
    kind: 'cloudflare-v2',
    question: '`limit`',
    choice: '1..1000, default 100; outside or not an integer → 400',
    reason: "Cloudflare's MCP server schema and third-party renderings of the spec.",
  },
  {
    kind: 'cloudflare-v2',
    question: 'Direction',
    choice: '`desc` by default; anything but `asc`/`desc` → 400',
    reason: "The history endpoint's docs and third-party renderings of the spec give the default.",
  },
  {
    kind: 'cloudflare-v2',
    question: 'The cursor',
    choice:
      'Opaque and signed; bound to every parameter except `cursor` and `limit`; malformed, tampered, or used with other parameters → 400; it continues after the last record of the previous page, so inserts neither shift nor repeat anything of a chain',
    reason:
      '"Only valid for the same filters" is the usual contract; a changed `limit` is harmless.',
  },
  {
    kind: 'cloudflare-v2',
    question: 'Last page',
    choice: '`result_info.cursor` omitted; never a trailing empty page',
    reason:
      'providers.md allows omitting it; the adapter also handles `""` and a final empty page.',
  },
  {
    kind: 'cloudflare-v2',
    question: 'Quirk `emptyPageAfterLastCursor` (option, off by default)',
    choice:
      'The last non-empty page still carries a cursor; that cursor yields `result: []` and no cursor',
    reason:
      'The other variant providers.md calls plausible; the adapter stops at a missing or empty cursor and at an empty page, and tests run against both.',
  },
  {
    kind: 'cloudflare-v2',
    question: '`result_info`',
    choice: '`{count, cursor}`, `count` a string; the envelope has no `messages`',
    reason: 'The docs example.',
  },
  {
    kind: 'cloudflare-v2',
    question: 'Filter semantics',
    choice:
      'Repeated keys: OR within a key, AND across keys; `<key>.not` drops records matching any value; enum keys (`action_result`, `action_type`, `actor_context`, `actor_type`, `resource_scope`) reject other values → 400; `raw_status_code` must be an integer; `actor_ip_address` takes addresses or CIDR ranges; `actor_email`, `raw_method` case-insensitive; the rest exact',
    reason: 'Unconfirmed across multiple values.',
  },
  {
    kind: 'cloudflare-v2',
    question: 'Case of `actor_email`',
    choice: 'Case-insensitive: `Ops@Example.com` is found by `ops@example.com`',
    reason:
      "The gateway's `actorEmails` filter is case-insensitive and pushes emails lower-cased (src/providers/pushdownCapabilities.ts). Should the live API prove case-sensitive, that pushdown would lose events whose stored email has capitals, and its row must become residual.",
  },
  {
    kind: 'cloudflare-v2',
    question: 'OR within a repeated key',
    choice:
      'Assumed by the gateway, which sends several values of a list filter (actor ids, emails, types, resource ids and types, action types) under one repeated key',
    reason:
      'If the live API ANDed them, a multi-value pushdown would lose events: one value at a time would have to be the rule.',
  },
  {
    kind: 'cloudflare-v2',
    question: 'Comma-joined or `[]`-suffixed arrays',
    choice:
      'Not understood: a comma-joined value is one value (400 for an enum key, no match otherwise); `key[]` is an unknown parameter, ignored',
    reason: 'The SDKs repeat keys.',
  },
  {
    kind: 'cloudflare-v2',
    question: '`product_category`',
    choice:
      'An invented table (`dns`, `security`, `developer_platform`, `account_management`, `zones`) expanding to `resource_product` values; unknown → 400',
    reason: 'The parameter is documented, its table is not.',
  },
  {
    kind: 'cloudflare-v2',
    question: 'Order of logs in the same second',
    choice:
      'Unspecified: with `knobs.shuffleTies` a per-query order (hash of the query without `cursor`/`limit`) that one cursor chain keeps; without, by id (reversed for desc)',
    reason: 'No tie-breaker is documented.',
  },
  {
    kind: 'cloudflare-v2',
    question: 'Errors, auth, account ids, unknown paths, rate-limit headers',
    choice: 'As the v1 emulator (see its UNCONFIRMED.md)',
    reason: 'Same API platform.',
  },
  {
    kind: 'cloudflare-v2',
    question: 'Retention (18 months)',
    choice: 'Not enforced',
    reason: 'The emulator has no clock; the adapter raises `since` to the retention itself.',
  },
  {
    kind: 'cloudflare-v2',
    question: 'History and product-category endpoints',
    choice: 'Not emulated',
    reason: 'Not used by the gateway.',
  },
  // ─── fusionauth ───
  {
    kind: 'fusionauth',
    question: 'Are `start` / `end` inclusive?',
    choice: 'Both inclusive; `start > end` gives an empty 200',
    reason:
      'SQL `BETWEEN`-like reading of "range to search within". The adapter widens by 1 ms each side so either reading loses nothing.',
  },
  {
    kind: 'fusionauth',
    question: 'Largest `numberOfResults`?',
    choice:
      '1..1000, else 400 `[invalid]search.numberOfResults`; `startRow < 0` → 400; past the end → empty list + total',
    reason:
      'No cap documented; a 400 makes an adapter that overshoots fail loudly in tests instead of being silently clamped.',
  },
  {
    kind: 'fusionauth',
    question: 'Case and anchoring of wildcard criteria',
    choice:
      "Case-insensitive: value and text both lower-cased (Unicode default mapping, as the gateway's filters); whole-text match; `*` = any run; no `*` = `*value*`; every other character (`%`, `_`, `\\`) literal; `newValue`/`oldValue`/`reason` match top level or `data`, non-strings as JSON text",
    reason:
      "Docs give only the `*value*` rule; case-insensitive matches a default database collation. **The adapters depend on this**: they push the gateway's lower-cased `text` as `message=*text*` and one actor email as `user=*email*`, a superset only if the search ignores case (an accent-insensitive collation only widens it). A backslash might be a LIKE escape upstream, so text holding one is not pushed.",
  },
  {
    kind: 'fusionauth',
    question: '`type` and `tenantId` criteria',
    choice: '`type` exact and case-sensitive (a Java enum: another value → 400); `tenantId` exact',
    reason: '`type` is one of the three documented EventLogType values.',
  },
  {
    kind: 'fusionauth',
    question: '`orderBy` grammar',
    choice:
      'Comma-separated `column [ASC|DESC]` over the documented columns (event log: insertInstant, insertUser, message, type; audit log: insertInstant, insertUser, message); text compares case-insensitively; else 400 `[invalid]search.orderBy`',
    reason: 'Docs list the columns and "the final string is optional".',
  },
  {
    kind: 'fusionauth',
    question: 'Tie-break for equal sort values',
    choice:
      "`knobs.shuffleTies`: hash of (criteria minus startRow/numberOfResults, id) — differs per search, fixed across its pages; otherwise id in the first term's direction",
    reason: 'No secondary key documented; the gateway must cope with any tie order.',
  },
  {
    kind: 'fusionauth',
    question: 'Exact 400 codes and messages',
    choice:
      '`fieldErrors` keyed `search.<name>` with `[couldNotConvert]search.<name>` / `[invalid]search.<name>`; unbindable POST bodies (non-object, unknown property in `search`, wrong JSON type) → `generalErrors: [{code: "[invalidJSON]"}]`; POST without `search` uses defaults',
    reason: "FusionAuth's `[code]field` style; the codes themselves are invented.",
  },
  {
    kind: 'fusionauth',
    question: 'GET parameter names',
    choice:
      'The bare names of the docs (`start`, `message`, …); unknown ones ignored; empty = absent',
    reason: "As the docs' example URL.",
  },
  {
    kind: 'fusionauth',
    question: 'Empty result: `eventLogs: []` or no key?',
    choice: '`[]` is sent',
    reason: 'Unknown; the adapters accept an absent list too.',
  },
  {
    kind: 'fusionauth',
    question: '`GET …/{id}` with a non-Long id',
    choice: '400 `fieldErrors.{eventLogId|auditLogId}` `[couldNotConvert]…`',
    reason:
      "A conversion failure in FusionAuth's binding; unknown ids → 404, empty body (documented).",
  },
  {
    kind: 'fusionauth',
    question: '`X-FusionAuth-TenantId`',
    choice:
      'With `tenantId` configured the key is locked to that tenant: another tenant in the header → 401. Results are never filtered by it',
    reason: 'Event logs are global; how a tenant-locked key scopes audit logs is undocumented.',
  },
  {
    kind: 'fusionauth',
    question: 'Rate limiting',
    choice: 'None (429 only via injected faults)',
    reason: 'None documented for these admin APIs.',
  },
  {
    kind: 'fusionauth',
    question: 'Unknown path',
    choice: '404, empty body, after the 401 check',
    reason: 'Matches the documented empty 404.',
  },
  // ─── nirvana ───
  {
    kind: 'nirvana',
    question: 'Default order; tie-break',
    choice:
      "`created_at:desc`; ties by a hash of (filters + sort, id) with `knobs.shuffleTies` — per query, fixed along a chain — else by id; in the first sort term's direction",
    reason: 'Newest first is typical (providers.md); no tie-break is documented.',
  },
  {
    kind: 'nirvana',
    question: '`limit` outside 10..100',
    choice: '400 `invalid_parameter`',
    reason: 'The bounds are documented; rejecting makes an adapter that overshoots fail loudly.',
  },
  {
    kind: 'nirvana',
    question: 'Error body',
    choice:
      '`{"error": {"code", "message"}}`, codes `invalid_parameter`, `invalid_cursor`, `unauthorized`, `not_found`',
    reason: 'Undocumented; the SDKs keep the raw body. Invented.',
  },
  {
    kind: 'nirvana',
    question: 'Meaning of `total_count`',
    choice: 'Entries matching the filters (cursor and limit left out), now',
    reason: '"Total matches" is the likely reading.',
  },
  {
    kind: 'nirvana',
    question: 'Cursor format, binding, lifetime',
    choice:
      'Opaque base64url of a keyset position + a hash of filters and sort; other filters/sort or malformed → 400 `invalid_cursor`; `limit` may change; no expiry',
    reason:
      '"Only valid for the same filters and sort order" (Go SDK); keyset keeps one chain stable under inserts.',
  },
  {
    kind: 'nirvana',
    question: '`previous_cursor`',
    choice:
      'null on a page reached without a cursor or with nothing before it; else returns the `limit` entries just before the page; `next_cursor` null when nothing follows the page',
    reason: '"allows walking back" (providers.md).',
  },
  {
    kind: 'nirvana',
    question: '`created_at_min/max` format',
    choice: 'Inclusive (documented); any RFC 3339 incl. fractions and offsets; else 400',
    reason: 'Documented as RFC 3339 instants.',
  },
  {
    kind: 'nirvana',
    question: 'Matching of the other filters',
    choice:
      '`method` exact case-insensitive; `path` case-insensitive substring (documented); `action`, `actor_id`, `target_id`, `target_type` exact and case-sensitive; `client_ip` one address compared as an address (any textual form; IPv4-mapped IPv6 = its IPv4), a non-address as text; bad `actor_type` → 400; `status_code_min/max` inclusive, min > max → empty; `sort` terms lower-case `field:asc|desc`, each field once, else 400',
    reason:
      'Only `path` and `client_ip` matching are documented. The adapter pushes ids and enum values verbatim (the gateway compares them exactly too) and one IP address in its canonical form (IPv4 dotted, IPv6 RFC 5952, mapped IPv4 as IPv4): a real API comparing `client_ip` as text finds it only if it stored that form.',
  },
  {
    kind: 'nirvana',
    question: 'Empty / unknown parameters',
    choice: 'Empty = absent; unknown ignored',
    reason: 'Common API behaviour; the Go SDK omits zero values.',
  },
  {
    kind: 'nirvana',
    question: 'Auth failures',
    choice:
      'Missing header, non-Bearer scheme (scheme case-insensitive) or wrong key → 401 with the error body, before routing',
    reason: 'Bearer is documented; the body is our choice.',
  },
  {
    kind: 'nirvana',
    question: 'Rate limiting',
    choice: 'None (429 only via injected faults)',
    reason: 'Undocumented.',
  },
  {
    kind: 'nirvana',
    question: 'Timestamp precision',
    choice: 'Generated data uses whole seconds; the API accepts and the adapter parses fractions',
    reason: 'Examples show whole seconds; precision is unconfirmed.',
  },
  {
    kind: 'nirvana',
    question: 'Quirk `emptyPageAfterLastCursor` (option, off by default)',
    choice:
      'The last non-empty page still carries a `next_cursor`; following it answers an empty page, cursor null',
    reason:
      'Some cursor APIs work so; the Go SDK stops on an empty page for that reason. The adapter must end there.',
  },
];

/** The choices of one emulator, in the order of the table. */
export function unconfirmedChoicesOf(kind: EmulatorKind): readonly UnconfirmedChoice[] {
  return UNCONFIRMED_CHOICES.filter((choice) => choice.kind === kind);
}
