import { isIP } from 'node:net';
import fc from 'fast-check';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG, DEMO_SOURCE_IDS } from '../support/demoConfig';
import { send, type RawRequest, type RawResponse } from '../unit/server/httpTestClient';

/**
 * Issue 5 part 7, reliability matrix S1–S8 and S10: bad input and attacks against the whole
 * service. Every one must end in a clear error with a code, reach no upstream, and leave the
 * server healthy. FAULT_REPORT=1 prints what each got, for the closing note.
 */

/** The fuzz runs of each property: enough to find a crash, few enough to stay fast. */
const RUNS = 100;

interface Row {
  readonly attack: string;
  readonly http: string;
  readonly code: string;
  readonly upstream: number;
}

const rows: Row[] = [];
let app: Auditgraph;
let upstreamRequests = 0;
const logs: string[] = [];

beforeAll(async () => {
  app = await startAuditgraph(DEMO_CONFIG, {
    log: (line) => logs.push(line),
    onUpstreamRequest: () => {
      upstreamRequests += 1;
    },
  });
});

afterAll(async () => {
  await app.close();
  if (process.env['FAULT_REPORT'] === '1') console.log(toTable(rows));
});

// -------------------------------------------------------------------------------------------

interface Answer {
  readonly status: number;
  readonly code: string | undefined;
  readonly body: { data?: Record<string, any> | null; errors?: readonly any[] } | null;
  readonly upstream: number;
}

async function exchange(request: RawRequest): Promise<Answer> {
  const before = upstreamRequests;
  const response = await send(app.url, request);
  return {
    status: response.status,
    code: codeOf(response),
    body: parseBody(response),
    upstream: upstreamRequests - before,
  };
}

function post(body: unknown): RawRequest {
  return {
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  };
}

function parseBody(response: RawResponse): Answer['body'] {
  try {
    return JSON.parse(response.text) as Answer['body'];
  } catch {
    return null;
  }
}

function codeOf(response: RawResponse): string | undefined {
  const code: unknown = parseBody(response)?.errors?.[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

async function expectHealthy(): Promise<void> {
  expect((await send(app.url, { path: '/healthz' })).status).toBe(200);
}

/** Sends one attack, records it, and checks the three promises: a code, no upstream, healthy. */
async function expectRefused(
  attack: string,
  request: RawRequest,
  expected: { readonly status: number | readonly number[]; readonly code: string },
): Promise<Answer> {
  const answer = await exchange(request);
  rows.push({
    attack,
    http: String(answer.status),
    code: answer.code ?? '—',
    upstream: answer.upstream,
  });
  const statuses: readonly number[] =
    typeof expected.status === 'number' ? [expected.status] : expected.status;
  expect({ attack, status: answer.status, code: answer.code, upstream: answer.upstream }).toEqual({
    attack,
    status: statuses.includes(answer.status) ? answer.status : statuses,
    code: expected.code,
    upstream: 0,
  });
  // Nullable fields come back null beside their errors; nothing else may.
  expect(Object.values(answer.body?.data ?? {}).filter((value) => value !== null)).toEqual([]);
  await expectHealthy();
  return answer;
}

/** What a fuzz property saw over all its runs, as one row of the report. */
function createFuzzTally(attack: string) {
  const statuses = new Set<number>();
  const codes = new Set<string>();
  let upstream = 0;
  let runs = 0;
  return {
    add(answer: Answer): void {
      runs += 1;
      statuses.add(answer.status);
      codes.add(answer.code ?? (answer.body?.data ? 'data' : '—'));
      upstream += answer.upstream;
    },
    report(): void {
      rows.push({
        attack: `${attack} (${runs} fuzzed)`,
        http: [...statuses].sort().join('/'),
        code: [...codes].sort().join(', '),
        upstream,
      });
    },
  };
}

function toTable(table: readonly Row[]): string {
  const cells = table.map((row) => [row.attack, row.http, row.code, String(row.upstream)]);
  const head = ['attack', 'HTTP', 'code', 'upstream requests'];
  const widths = head.map((title, i) =>
    Math.max(title.length, ...cells.map((line) => (line[i] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    `| ${values.map((value, i) => value.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

// -------------------------------------------------------------------------------------------

const PAGE = `query Page($first: Int, $after: String, $filter: AuditEventFilter, $orderBy: AuditEventOrder) {
  auditEvents(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    edges { cursor node { id } }
    pageInfo { endCursor }
  }
}`;

const BY_ID = 'query One($id: ID!) { auditEvent(id: $id) { id } node(id: $id) { id } }';

const KB100 = 'x'.repeat(100 * 1024);

/** The ids of the demo's sources: an id naming none of them is looked up nowhere. */
const DEMO_IDS: readonly string[] = DEMO_SOURCE_IDS;

const ENUMS = {
  AuditProvider: ['FASTLY', 'CLOUDFLARE', 'FUSIONAUTH', 'NIRVANA'],
  AuditCategory: ['CREATE', 'READ', 'UPDATE', 'DELETE', 'AUTH', 'OTHER'],
  AuditOutcome: ['SUCCESS', 'FAILURE', 'UNKNOWN'],
  ActorType: ['USER', 'API_KEY', 'ACCOUNT', 'SYSTEM', 'PROVIDER_ADMIN'],
  AuditEventOrder: ['OCCURRED_AT_DESC', 'OCCURRED_AT_ASC'],
} as const;

describe('the attack suite: the server is up and counts upstream requests', () => {
  it('answers a valid page with events, reading the upstreams (so a count of 0 below means something)', async () => {
    const answer = await exchange(post({ query: PAGE, variables: { first: 5 } }));
    expect(answer.status).toBe(200);
    expect(answer.body?.errors).toBeUndefined();
    expect(answer.body?.data?.['auditEvents'].edges).toHaveLength(5);
    expect(answer.upstream).toBeGreaterThan(0);
  });
});

describe('S1: page sizes', () => {
  it.each<[string, unknown]>([
    ['first: 0', 0],
    ['first: -1', -1],
    ['first: 101', 101],
    ['first: 10^9', 1_000_000_000],
    ['first: 2^31 - 1', 2 ** 31 - 1],
    ['first: 2^31 (not an Int)', 2 ** 31],
    ['first: 1.5', 1.5],
    ['first: "ten"', 'ten'],
  ])('refuses %s', async (attack, first) => {
    await expectRefused(attack, post({ query: PAGE, variables: { first } }), {
      status: [200, 400],
      code: 'BAD_USER_INPUT',
    });
  });

  it('refuses first and last together: there is no last', async () => {
    const answer = await expectRefused(
      'first and last together',
      post({ query: '{ auditEvents(first: 5, last: 5) { edges { cursor } } }' }),
      { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
    );
    expect(JSON.stringify(answer.body)).not.toMatch(/did you mean/i);
  });

  it('refuses first: 101 as a literal', async () => {
    await expectRefused(
      'first: 101 as a literal',
      post({ query: '{ auditEvents(first: 101) { edges { cursor } } }' }),
      { status: [200, 400], code: 'BAD_USER_INPUT' },
    );
  });
});

describe('S2: malformed, tampered and foreign cursors', () => {
  let cursor: string;
  let foreign: string;
  beforeAll(async () => {
    const page = await exchange(post({ query: PAGE, variables: { first: 3 } }));
    cursor = page.body?.data?.['auditEvents'].pageInfo.endCursor as string;
    // The same query on another instance: a real cursor, signed with another secret.
    const other = await startAuditgraph(DEMO_CONFIG, { log: () => undefined });
    try {
      const response = await send(other.url, post({ query: PAGE, variables: { first: 3 } }));
      foreign = JSON.parse(response.text).data.auditEvents.pageInfo.endCursor as string;
    } finally {
      await other.close();
    }
  });

  const flip = (text: string, index: number) => {
    const at = index < 0 ? text.length + index : index;
    const replacement = text[at] === 'A' ? 'B' : 'A';
    return `${text.slice(0, at)}${replacement}${text.slice(at + 1)}`;
  };

  it.each<[string, () => string]>([
    ['a random string', () => 'not-a-cursor'],
    ['an empty string', () => ''],
    ['bad base64', () => 'ag1.!!!!.AAAAAAAAAAAAAAAAAAAAAA'],
    // Not the last character: of its 6 bits only 2 are the MAC's, the other 4 are padding.
    ['a bad HMAC (one character of it changed)', () => flip(cursor, -5)],
    ['a tampered payload (one character changed)', () => flip(cursor, 6)],
    [
      'the signature of another cursor',
      () => `${cursor.split('.').slice(0, 2).join('.')}.${foreign.split('.')[2]}`,
    ],
    ['a cursor of another instance (another secret)', () => foreign],
    ['a 100 KB cursor', () => `${cursor}${KB100}`],
  ])('refuses %s', async (attack, after) => {
    expect(cursor).toMatch(/^ag\d+\./);
    expect(foreign).toMatch(/^ag\d+\./);
    expect(foreign).not.toBe(cursor);
    await expectRefused(
      `cursor: ${attack}`,
      post({ query: PAGE, variables: { first: 3, after: after() } }),
      { status: [200, 400], code: 'BAD_USER_INPUT' },
    );
  });

  it.each<[string, Record<string, unknown>]>([
    ['another filter', { filter: { actions: ['user.login'] } }],
    ['another order', { orderBy: 'OCCURRED_AT_ASC' }],
  ])('refuses a cursor used with %s', async (name, variables) => {
    await expectRefused(
      `cursor: used with ${name}`,
      post({ query: PAGE, variables: { first: 3, after: cursor, ...variables } }),
      { status: [200, 400], code: 'BAD_USER_INPUT' },
    );
  });
});

describe('invalid dates, CIDRs and huge strings', () => {
  it.each<[string, Record<string, unknown>]>([
    ['since: "yesterday"', { since: 'yesterday' }],
    ['since: month 13', { since: '2026-13-01T00:00:00Z' }],
    ['before: 30 February', { before: '2026-02-30T12:00:00Z' }],
    ['since: hour 25', { since: '2026-03-01T25:00:00Z' }],
    ['since: a date without a time', { since: '2026-03-01' }],
    ['since: a number', { since: 1_772_000_000 }],
    ['ipAddress: /33', { ipAddress: '10.0.0.0/33' }],
    ['ipAddress: IPv6 /129', { ipAddress: '2001:db8::/129' }],
    ['ipAddress: two prefixes', { ipAddress: '10.0.0.0/8/8' }],
    ['ipAddress: octet 256', { ipAddress: '256.0.0.1' }],
    ['ipAddress: empty prefix', { ipAddress: '10.0.0.0/' }],
    ['ipAddress: a host name', { ipAddress: 'example.com' }],
    ['filter.text: 100 KB', { text: KB100 }],
    ['filter.actions: a 100 KB value', { actions: [KB100] }],
    ['filter.actions: 101 values', { actions: Array.from({ length: 101 }, (_, i) => `a${i}`) }],
    ['filter.sources: an unknown source', { sources: ['no-such-source'] }],
  ])('refuses %s', async (attack, filter) => {
    await expectRefused(attack, post({ query: PAGE, variables: { filter } }), {
      status: [200, 400],
      code: 'BAD_USER_INPUT',
    });
  });

  it('refuses a 100 KB string written into the query itself', async () => {
    await expectRefused(
      'filter.text: a 100 KB literal in the query',
      post({ query: `{ auditEvents(filter: { text: "${KB100}" }) { edges { cursor } } }` }),
      { status: [200, 400], code: 'BAD_USER_INPUT' },
    );
  });

  it('refuses a 100 KB id', async () => {
    await expectRefused(
      'auditEvent(id): 100 KB',
      post({ query: BY_ID, variables: { id: KB100 } }),
      {
        status: [200, 400],
        code: 'BAD_USER_INPUT',
      },
    );
  });
});

describe('S3, S5, S6, S7, S10: query bombs', () => {
  const fragmentExplosion = (levels: number) =>
    `{ ...F0 } ${Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F${levels} on Query { auditSources { id } }`;

  it.each<[string, string, string]>([
    [
      'depth 20 (nested fragments)',
      `{ ${'... on Query { '.repeat(19)}auditSources { id }${' }'.repeat(19)} }`,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'depth 20 (nested fields)',
      `{ ${'auditEvents { edges { node { '.repeat(7)}id${' } } }'.repeat(7)} }`,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      '50 aliases of auditEvents',
      `{ ${Array.from({ length: 50 }, (_, i) => `a${i}: auditEvents(first: 1) { edges { cursor } }`).join(' ')} }`,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      '60 directives',
      `{ ${'... on Query @include(if: true) { __typename } '.repeat(60)}}`,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      '5,000 @include directives',
      `{ auditEvents { edges { cursor ${'@include(if: true) '.repeat(5_000)}} } }`,
      'GRAPHQL_PARSE_FAILED',
    ],
    ['20,000 tokens', `{ ${'auditSources { id } '.repeat(5_000)}}`, 'GRAPHQL_PARSE_FAILED'],
    [
      'a fragment cycle',
      '{ ...A } fragment A on Query { auditEvents { edges { cursor } } ...B } fragment B on Query { ...A }',
      'GRAPHQL_VALIDATION_FAILED',
    ],
    ['a fragment explosion (2^40 selections)', fragmentExplosion(40), 'GRAPHQL_VALIDATION_FAILED'],
    [
      'cost: 12 aliased pages of 100',
      `{ ${Array.from({ length: 12 }, (_, i) => `a${i}: auditEvents(first: 100) { edges { cursor } }`).join(' ')} }`,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'a misspelt field',
      '{ auditEvents { edges { node { actr { name } } } } }',
      'GRAPHQL_VALIDATION_FAILED',
    ],
  ])('refuses %s', async (attack, query, code) => {
    const answer = await expectRefused(attack, post({ query }), { status: 400, code });
    expect(JSON.stringify(answer.body)).not.toMatch(/did you mean/i);
  });

  it('refuses the cost of pages whose size comes in a variable', async () => {
    const query = `query Pages($n: Int) { ${Array.from({ length: 12 }, (_, i) => `a${i}: auditEvents(first: $n) { edges { cursor } }`).join(' ')} }`;
    await expectRefused(
      'cost: 12 aliased pages of $n = 100',
      post({ query, variables: { n: 100 } }),
      {
        status: 400,
        code: 'GRAPHQL_VALIDATION_FAILED',
      },
    );
  });
});

describe('S4, S6, S8: requests that are not GraphQL over HTTP', () => {
  const query = '{ auditEvents(first: 1) { edges { cursor } } }';
  const padded = (bytes: number) =>
    JSON.stringify({ query, variables: { pad: 'x'.repeat(bytes) } });

  it.each<[string, RawRequest, number | readonly number[], string]>([
    ['a batched JSON array', post([{ query }, { query }]), 400, 'BAD_REQUEST'],
    [
      'POST text/plain (CSRF)',
      {
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ query }),
      },
      400,
      'BAD_REQUEST',
    ],
    [
      'POST a form (CSRF)',
      {
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `query=${encodeURIComponent(query)}`,
      },
      400,
      'BAD_REQUEST',
    ],
    [
      'POST application/xml',
      {
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/xml' },
        body: '<query/>',
      },
      400,
      'BAD_REQUEST',
    ],
    [
      'POST JSON in latin1',
      {
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json; charset=latin1' },
        body: JSON.stringify({ query }),
      },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'POST invalid JSON',
      {
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json' },
        body: '{"query":',
      },
      400,
      'BAD_REQUEST',
    ],
    [
      'GET without a preflight header (CSRF)',
      { path: `/graphql?query=${encodeURIComponent(query)}` },
      400,
      'BAD_REQUEST',
    ],
    [
      'PUT',
      {
        method: 'PUT',
        path: '/graphql',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      },
      405,
      'METHOD_NOT_ALLOWED',
    ],
    ['a 2 MB body', post(JSON.parse(padded(2 * 1024 * 1024))), 413, 'PAYLOAD_TOO_LARGE'],
    [
      'a 2 MB chunked body',
      {
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json' },
        body: padded(2 * 1024 * 1024),
        chunked: true,
      },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
  ])('refuses %s', async (attack, request, status, code) => {
    await expectRefused(attack, request, { status, code });
  });
});

// -------------------------------------------------------------------------------------------
// Fuzzing: any value a client can send for an argument is a value or a coded error, never a 500,
// and an invalid one reaches no upstream.

/** Strings that no validator here takes for a date-time, an address or an enum value. */
const junkString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ minLength: 513, maxLength: 2_000 }),
);

const notOneOf = (values: readonly string[]) =>
  fc
    .oneof(junkString, fc.constantFrom(...values.map((v) => v.toLowerCase())))
    .filter((value) => !values.includes(value));

/** Values of the wrong type for a String or ID (a number is a valid ID, so only non-integers). */
const notAString = fc.oneof(
  fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** A list a [String!] field refuses: a wrong item, a null item, a value too long, too many. */
const badStringList = fc.oneof(
  fc.array(notAString, { minLength: 1, maxLength: 3 }),
  fc
    .tuple(fc.string({ maxLength: 5 }), fc.constant(null))
    .map(([value, nothing]) => [value, nothing]),
  fc.array(fc.string({ minLength: 513, maxLength: 1_000 }), { minLength: 1, maxLength: 2 }),
  fc.array(fc.string({ maxLength: 3 }), { minLength: 101, maxLength: 150 }),
);

const isAddressLike = (value: string) => value.split('/').some((part) => isIP(part.trim()) !== 0);

const badDate = fc.oneof(
  junkString.filter((value) => !/^\d{4}-\d{2}-\d{2}T/.test(value)),
  fc.integer(),
  fc.boolean(),
);

/** One invalid value for one filter field at a time, so each case is refused for one reason. */
const badFilter = fc.oneof(
  fc.record({ since: badDate }),
  fc.record({ before: badDate }),
  fc.record({
    sources: fc.oneof(
      badStringList,
      fc
        .array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 3 })
        .filter((ids) => ids.some((id) => !DEMO_IDS.includes(id))),
    ),
  }),
  fc.record({ providers: fc.array(notOneOf(ENUMS.AuditProvider), { minLength: 1, maxLength: 3 }) }),
  fc.record({ actions: badStringList }),
  fc.record({
    categories: fc.array(notOneOf(ENUMS.AuditCategory), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ outcome: fc.oneof(notOneOf(ENUMS.AuditOutcome), fc.integer()) }),
  fc.record({ actorIds: badStringList }),
  fc.record({ actorEmails: badStringList }),
  fc.record({ actorTypes: fc.array(notOneOf(ENUMS.ActorType), { minLength: 1, maxLength: 3 }) }),
  fc.record({ resourceTypes: badStringList }),
  fc.record({ resourceIds: badStringList }),
  fc.record({
    ipAddress: fc.oneof(
      junkString.filter((value) => !isAddressLike(value)),
      fc.ipV4().map((ip) => `${ip}/${33 + (ip.length % 60)}`),
      fc.ipV6().map((ip) => `${ip}/${129 + (ip.length % 60)}`),
      notAString,
    ),
  }),
  fc.record({ text: fc.oneof(fc.string({ minLength: 513, maxLength: 5_000 }), notAString) }),
  fc.record({ noSuchField: fc.string() }),
  fc.constant('not an object'),
);

const badFirst = fc.oneof(
  fc.integer({ max: 0 }),
  fc.integer({ min: 101 }),
  fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER),
  junkString,
  fc.boolean(),
);

const badAfter = fc.oneof(
  junkString,
  fc
    .tuple(
      fc.base64String({ minLength: 4, maxLength: 200 }),
      fc.base64String({ minLength: 22, maxLength: 24 }),
    )
    .map(
      ([body, mac]) =>
        `ag1.${body.replace(/[+/=]/g, '_')}.${mac.replace(/[+/=]/g, '-').slice(0, 22)}`,
    ),
  fc.integer(),
  fc.boolean(),
);

const badOrder = fc.oneof(notOneOf(ENUMS.AuditEventOrder), fc.integer(), fc.boolean());

const encodeId = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');

const strangerId = fc.oneof(
  junkString,
  fc.base64String({ maxLength: 200 }),
  fc
    .tuple(
      fc.string({ maxLength: 20 }).filter((id) => !DEMO_IDS.includes(id)),
      fc.string({ maxLength: 30 }),
      fc.integer(),
    )
    .map(([source, nativeId, ms]) => encodeId(['AuditEvent', source, nativeId, ms])),
  fc
    .tuple(fc.constantFrom('Node', 'auditEvent', ''), fc.jsonValue())
    .map((parts) => encodeId(parts)),
  fc.jsonValue().map((value) => encodeId(value)),
);

describe('fuzzed arguments (fast-check)', () => {
  const fuzz = async (
    attack: string,
    arbitrary: fc.Arbitrary<Record<string, unknown>>,
    query: string,
    accept: (answer: Answer) => boolean = (answer) => answer.code === 'BAD_USER_INPUT',
  ) => {
    const tally = createFuzzTally(attack);
    await fc.assert(
      fc.asyncProperty(arbitrary, async (variables) => {
        const answer = await exchange(post({ query, variables }));
        tally.add(answer);
        const body = JSON.stringify(answer.body).slice(0, 300);
        expect({
          status: answer.status,
          upstream: answer.upstream,
          accepted: accept(answer),
        }).toEqual({
          status: [200, 400].includes(answer.status) ? answer.status : '200 or 400',
          upstream: 0,
          accepted: true,
        });
        expect(body).not.toMatch(/INTERNAL_SERVER_ERROR/);
      }),
      { numRuns: RUNS },
    );
    tally.report();
    await expectHealthy();
  };

  it('refuses every invalid first with BAD_USER_INPUT', async () => {
    await fuzz('auditEvents(first)', fc.record({ first: badFirst }), PAGE);
  });

  it('refuses every string that is not a cursor of this server', async () => {
    await fuzz('auditEvents(after)', fc.record({ after: badAfter }), PAGE);
  });

  it('refuses every invalid filter field', async () => {
    await fuzz('auditEvents(filter)', fc.record({ filter: badFilter }), PAGE);
  });

  it('refuses every invalid orderBy', async () => {
    await fuzz('auditEvents(orderBy)', fc.record({ orderBy: badOrder }), PAGE);
  });

  it('answers any id that names no source with null or BAD_USER_INPUT', async () => {
    await fuzz(
      'auditEvent(id) / node(id)',
      fc.record({ id: strangerId }),
      BY_ID,
      (answer) =>
        answer.code === 'BAD_USER_INPUT' ||
        (answer.code === undefined &&
          answer.body?.data?.['auditEvent'] === null &&
          answer.body.data['node'] === null),
    );
  });

  it('answers a well-formed id of a configured source with an event, null or BAD_USER_INPUT, never a 500', async () => {
    const tally = createFuzzTally('auditEvent(id) of a real source, random native id');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...DEMO_SOURCE_IDS),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 2 ** 42 }),
        async (source, nativeId, ms) => {
          const id = encodeId(['AuditEvent', source, nativeId, ms]);
          const answer = await exchange(post({ query: BY_ID, variables: { id } }));
          tally.add(answer);
          expect(answer.status).toBe(200);
          // A lookup reaches the source, so upstream requests are expected here.
          expect([undefined, 'BAD_USER_INPUT']).toContain(answer.code);
        },
      ),
      { numRuns: 30 },
    );
    tally.report();
    await expectHealthy();
  });
});

describe('afterwards', () => {
  it('still answers a valid page, and logged no unexpected error', async () => {
    const answer = await exchange(post({ query: PAGE, variables: { first: 2 } }));
    expect(answer.status).toBe(200);
    expect(answer.body?.data?.['auditEvents'].edges).toHaveLength(2);
    await expectHealthy();
    const errors = logs.filter((line) => (JSON.parse(line) as { level: string }).level === 'error');
    expect(errors).toEqual([]);
  });
});
