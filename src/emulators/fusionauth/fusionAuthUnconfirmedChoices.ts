import type { UnconfirmedChoiceTable } from '../shared/UnconfirmedChoice';

/**
 * What the FusionAuth emulator does where providers.md §4 leaves the Event Log and Audit Log APIs
 * open, and why.
 */
export const FUSIONAUTH_UNCONFIRMED_CHOICES: UnconfirmedChoiceTable = {
  title: 'FusionAuth emulator',
  intro:
    'providers.md §4 marks these UNCONFIRMED. A real FusionAuth may differ on any of them; the adapters (`src/providers/fusionauth-*`) are written not to depend on them beyond what they state.',
  choices: [
    {
      question: 'Are `start` / `end` inclusive?',
      choice: 'Both inclusive; `start > end` gives an empty 200',
      reason:
        'SQL `BETWEEN`-like reading of "range to search within". The adapter widens by 1 ms each side so either reading loses nothing.',
    },
    {
      question: 'Largest `numberOfResults`?',
      choice:
        '1..1000, else 400 `[invalid]search.numberOfResults`; `startRow < 0` → 400; past the end → empty list + total',
      reason:
        'No cap documented; a 400 makes an adapter that overshoots fail loudly in tests instead of being silently clamped.',
    },
    {
      question: 'Case and anchoring of wildcard criteria',
      choice:
        "Case-insensitive: value and text both lower-cased (Unicode default mapping, as the gateway's filters); whole-text match; `*` = any run; no `*` = `*value*`; every other character (`%`, `_`, `\\`) literal; `newValue`/`oldValue`/`reason` match top level or `data`, non-strings as JSON text",
      reason:
        "Docs give only the `*value*` rule; case-insensitive matches a default database collation. **The adapters depend on this**: they push the gateway's lower-cased `text` as `message=*text*` and one actor email as `user=*email*`, a superset only if the search ignores case (an accent-insensitive collation only widens it). A backslash might be a LIKE escape upstream, so text holding one is not pushed.",
    },
    {
      question: '`type` and `tenantId` criteria',
      choice:
        '`type` exact and case-sensitive (a Java enum: another value → 400); `tenantId` exact',
      reason: '`type` is one of the three documented EventLogType values.',
    },
    {
      question: '`orderBy` grammar',
      choice:
        'Comma-separated `column [ASC|DESC]` over the documented columns (event log: insertInstant, insertUser, message, type; audit log: insertInstant, insertUser, message); text compares case-insensitively; else 400 `[invalid]search.orderBy`',
      reason: 'Docs list the columns and "the final string is optional".',
    },
    {
      question: 'Tie-break for equal sort values',
      choice:
        "`knobs.shuffleTies`: hash of (criteria minus startRow/numberOfResults, id) — differs per search, fixed across its pages; otherwise id in the first term's direction",
      reason: 'No secondary key documented; the gateway must cope with any tie order.',
    },
    {
      question: 'Exact 400 codes and messages',
      choice:
        '`fieldErrors` keyed `search.<name>` with `[couldNotConvert]search.<name>` / `[invalid]search.<name>`; unbindable POST bodies (non-object, unknown property in `search`, wrong JSON type) → `generalErrors: [{code: "[invalidJSON]"}]`; POST without `search` uses defaults',
      reason: "FusionAuth's `[code]field` style; the codes themselves are invented.",
    },
    {
      question: 'GET parameter names',
      choice:
        'The bare names of the docs (`start`, `message`, …); unknown ones ignored; empty = absent',
      reason: "As the docs' example URL.",
    },
    {
      question: 'Empty result: `eventLogs: []` or no key?',
      choice: '`[]` is sent',
      reason: 'Unknown; the adapters accept an absent list too.',
    },
    {
      question: '`GET …/{id}` with a non-Long id',
      choice: '400 `fieldErrors.{eventLogId|auditLogId}` `[couldNotConvert]…`',
      reason:
        "A conversion failure in FusionAuth's binding; unknown ids → 404, empty body (documented).",
    },
    {
      question: '`X-FusionAuth-TenantId`',
      choice:
        'With `tenantId` configured the key is locked to that tenant: another tenant in the header → 401. Results are never filtered by it',
      reason: 'Event logs are global; how a tenant-locked key scopes audit logs is undocumented.',
    },
    {
      question: 'Rate limiting',
      choice: 'None (429 only via injected faults)',
      reason: 'None documented for these admin APIs.',
    },
    {
      question: 'Unknown path',
      choice: '404, empty body, after the 401 check',
      reason: 'Matches the documented empty 404.',
    },
  ],
};
