import { isDeepStrictEqual } from 'node:util';
import { startDemoEmulators, type Demo } from '../../src/emulators/startDemoEmulators';
import type { SourceKind } from '../../src/model/AuditEvent';
import { sourcesOf, type AnyKindSource } from '../support/demoConfig';
import {
  FRAGMENT_PATCHES,
  createResponseValidator,
  locateUpstreamSchemas,
  parseUpstreamFragment,
  pointer,
  readUpstreamFragment,
  valueAt,
  type ResponseValidator,
} from './loadUpstreamSchemas';

/**
 * Every emulator's responses — list pages, single records, and the error bodies the fragments
 * define — validated with ajv against the upstream schema fragments in shared/upstream-schemas,
 * on the demo's own generated month of data. Each schema is also shown to reject one broken
 * body, so a validator that accepts anything cannot pass.
 */

const location = locateUpstreamSchemas();
const NOW_MS = Date.UTC(2026, 2, 31, 12);
const COUNT = 240;

interface Reply {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: unknown;
}

async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

/** A deep copy of `body` changed by `change`, for the negative controls. */
function broken(body: unknown, change: (copy: any) => void): unknown {
  const copy = structuredClone(body);
  change(copy);
  return copy;
}

if (location.found) {
  describeUpstreamSchemas(location.dir);
} else if (process.env['CI'] === 'true') {
  describe('upstream schema fragments', () => {
    it('are present in CI', () => {
      throw new Error(`${location.reason}; CI must validate the emulators against them`);
    });
  });
} else {
  console.warn(`upstream schema validation skipped: ${location.reason}`);
  describe.skip(`upstream schema validation (skipped: ${location.reason})`, () => {
    it('validates every emulator response against its fragment', () => undefined);
  });
}

function describeUpstreamSchemas(dir: string): void {
  let demo: Demo;
  const source = (kind: SourceKind): AnyKindSource => sourcesOf(demo).find((s) => s.kind === kind)!;

  beforeAll(async () => {
    demo = await startDemoEmulators({
      seed: 20260904,
      nowMs: NOW_MS,
      counts: {
        fastly: COUNT,
        'cloudflare-v1': COUNT,
        'cloudflare-v2': COUNT,
        'fusionauth-event-log': COUNT,
        'fusionauth-audit-log': COUNT,
        nirvana: COUNT,
      },
    });
    for (const emulator of demo.emulators) emulator.knobs.shuffleTies = false;
  });
  afterAll(() => demo.close());

  describe('the fragment patches', () => {
    it.each(FRAGMENT_PATCHES.map((patch) => [patch.file, patch.pointer, patch] as const))(
      '%s %s still corrects the fragment',
      (file, at, patch) => {
        const original = readOriginal(dir, file, at);
        expect(isDeepStrictEqual(original, patch.value)).toBe(false);
      },
    );
  });

  describe('Fastly: fastly-events.derived-from-fastly-js.json', () => {
    let document: unknown;
    let list: ResponseValidator;
    let get: ResponseValidator;
    const events = (query: string) => {
      const fastly = source('fastly');
      return call(`${fastly.baseUrl}/events?${query}`, {
        headers: { 'Fastly-Key': fastly.token! },
      });
    };

    beforeAll(() => {
      document = readUpstreamFragment(dir, 'fastly-events.derived-from-fastly-js.json');
      list = createResponseValidator(
        document,
        pointer('paths', '/events', 'get', 'responses', '200', 'schema'),
      );
      get = createResponseValidator(
        document,
        pointer('paths', '/events/{event_id}', 'get', 'responses', '200', 'schema'),
      );
    });

    it('every page of GET /events conforms, in the documented content type', async () => {
      const contentType = valueAt(document, '/responseContentType');
      let pages = 0;
      for (let page = 1; ; page += 1) {
        const reply = await events(`page%5Bnumber%5D=${page}&page%5Bsize%5D=100`);
        expect(reply.status).toBe(200);
        expect(reply.contentType).toBe(contentType);
        expect(list(reply.body)).toEqual([]);
        pages += 1;
        if ((reply.body as any).links.next === undefined) break;
      }
      expect(pages).toBe(Math.ceil(COUNT / 100));
    });

    it('a filtered page, a newest-first page and a page past the end conform', async () => {
      for (const query of [
        'filter[event_type]=user.login&filter[created_at][gte]=2026-03-10',
        'sort=-created_at&page[size]=7',
        'page[number]=99',
      ]) {
        const reply = await events(query);
        expect(reply.status).toBe(200);
        expect(list(reply.body)).toEqual([]);
      }
    });

    it('GET /events/{event_id} conforms for a sample of events', async () => {
      const fastly = source('fastly');
      const { body } = await events('page[size]=100');
      for (const event of (body as any).data.filter((_: unknown, i: number) => i % 9 === 0)) {
        const reply = await call(`${fastly.baseUrl}/events/${event.id as string}`, {
          headers: { 'Fastly-Key': fastly.token! },
        });
        expect(reply.status).toBe(200);
        expect(get(reply.body)).toEqual([]);
      }
    });

    it('the schema accepts the go-fastly recording of the real API and rejects a broken page', async () => {
      const recording = valueAt(
        parseUpstreamFragment(dir, 'go-fastly-fixture-get_events.excerpt.json'),
        '/response_body',
      );
      expect(list(recording)).toEqual([]);
      const { body } = await events('page[size]=3');
      expect(
        list(broken(body, (copy) => (copy.data[0].attributes.created_at = 'last Tuesday'))),
      ).not.toEqual([]);
      expect(list(broken(body, (copy) => (copy.data[1].type = 'events')))).not.toEqual([]);
    });
  });

  describe('Cloudflare v1: cloudflare-v1-audit_logs-{path,components}.openapi.json', () => {
    const OPERATION = pointer('paths', '/accounts/{account_identifier}/audit_logs', 'get');
    let document: unknown;
    let envelope: ResponseValidator;
    let record: ResponseValidator;
    let resultInfo: ResponseValidator;
    let failure: ResponseValidator;
    let verbatimFailure: ResponseValidator;
    /**
     * The 200 schema is a oneOf whose first branch (the one typing `result` as audit logs) wants
     * `errors` to be an object, so every real body passes through the second, generic branch,
     * which admits any `result`: the records are checked against p6kdMXuf_audit-logs one by
     * one, and the emulator's `result_info` (an UNCONFIRMED addition) against the generic
     * p6kdMXuf_result_info.
     */
    const list = (body: any): string[] => [
      ...envelope(body),
      ...(Array.isArray(body?.result) ? body.result : []).flatMap((item: unknown, i: number) =>
        record(item).map((error) => `/result/${i}${error}`),
      ),
      ...resultInfo(body?.result_info).map((error) => `/result_info${error}`),
    ];
    const auditLogs = (query: string, headers?: Record<string, string>) => {
      const v1 = source('cloudflare-v1');
      return call(`${v1.baseUrl}/accounts/${v1.accountId!}/audit_logs?${query}`, {
        headers: headers ?? { Authorization: `Bearer ${v1.token!}` },
      });
    };

    beforeAll(() => {
      // Two excerpts of one openapi.json: the path's `$ref`s point into the components.
      document = {
        paths: readUpstreamFragment(dir, 'cloudflare-v1-audit_logs-path.openapi.json'),
        components: {
          schemas: readUpstreamFragment(dir, 'cloudflare-v1-audit_logs-components.openapi.json'),
        },
      };
      const response = (status: string) =>
        `${OPERATION}${pointer('responses', status, 'content', 'application/json', 'schema')}`;
      const component = (name: string) =>
        createResponseValidator(document, pointer('components', 'schemas', name));
      envelope = createResponseValidator(document, response('200'));
      verbatimFailure = createResponseValidator(document, response('4XX'));
      record = component('p6kdMXuf_audit-logs');
      resultInfo = component('p6kdMXuf_result_info');
      failure = component('p6kdMXuf_api-response-common-failure');
    });

    it('every page of the list conforms, the empty page past the end too', async () => {
      for (let page = 1; page <= Math.ceil(COUNT / 100) + 1; page += 1) {
        const reply = await auditLogs(`per_page=100&page=${page}&direction=asc`);
        expect(reply.status).toBe(200);
        expect(reply.contentType).toBe('application/json');
        expect(list(reply.body)).toEqual([]);
      }
    });

    it('a filtered page conforms, and a broken one does not', async () => {
      const reply = await auditLogs('action.type=login&hide_user_logs=false&per_page=5');
      expect(list(reply.body)).toEqual([]);
      expect(list(broken(reply.body, (copy) => (copy.success = 'yes')))).not.toEqual([]);
      const { body } = await auditLogs('per_page=5');
      expect(list(broken(body, (copy) => (copy.result[0].actor.type = 'robot')))).not.toEqual([]);
      expect(list(broken(body, (copy) => (copy.result[0].when = 'soon')))).not.toEqual([]);
    });

    it.each<[string, string, Record<string, string> | undefined, number]>([
      ['a bad parameter', 'per_page=0', undefined, 400],
      ['no credential', '', {}, 400],
      ['a wrong token', '', { Authorization: 'Bearer not-the-token' }, 403],
    ])(
      'the failure envelope of %s conforms to api-response-common-failure',
      async (_case, query, headers, status) => {
        const reply = await auditLogs(query, headers);
        expect(reply.status).toBe(status);
        expect(reply.contentType).toBe('application/json');
        expect(failure(reply.body)).toEqual([]);
      },
    );

    it('the failure envelopes of another account and of an unknown path conform too', async () => {
      const v1 = source('cloudflare-v1');
      const headers = { Authorization: `Bearer ${v1.token!}` };
      for (const [path, status] of [
        [`/accounts/${'0'.repeat(32)}/audit_logs`, 403],
        ['/accounts/not-an-account/audit_logs', 404],
        ['/no/such/route', 404],
      ] as const) {
        const reply = await call(`${v1.baseUrl}${path}`, { headers });
        expect(reply.status).toBe(status);
        expect(failure(reply.body)).toEqual([]);
      }
    });

    it('the verbatim 4XX schema admits no failure envelope at all, which is why it is not used', async () => {
      // Its allOf joins the success collection (oneOf: `result` an array, or `success: true`)
      // with the failure (`success: false`, `result: null`): nothing meets both.
      const reply = await auditLogs('per_page=0');
      expect(failure(reply.body)).toEqual([]);
      expect(verbatimFailure(reply.body)).not.toEqual([]);
    });
  });

  describe('Cloudflare v2: cloudflare-v2-logs-audit.reconstructed.json', () => {
    let list: ResponseValidator;
    let failure: ResponseValidator;
    const audit = (query: string, token?: string) => {
      const v2 = source('cloudflare-v2');
      return call(`${v2.baseUrl}/accounts/${v2.accountId!}/logs/audit?${query}`, {
        headers: { Authorization: `Bearer ${token ?? v2.token!}` },
      });
    };
    const WINDOW = 'since=2026-02-01&before=2026-04-01';

    beforeAll(() => {
      const document = readUpstreamFragment(dir, 'cloudflare-v2-logs-audit.reconstructed.json');
      list = createResponseValidator(document, pointer('responses', '200', 'schema'));
      failure = createResponseValidator(document, pointer('responses', '4XX', 'schema'));
    });

    it('every page of a cursor chain conforms, the last one without a cursor too', async () => {
      let cursor: string | undefined;
      let pages = 0;
      do {
        const query = `${WINDOW}&limit=100${cursor === undefined ? '' : `&cursor=${cursor}`}`;
        const reply = await audit(query);
        expect(reply.status).toBe(200);
        expect(reply.contentType).toBe('application/json');
        expect(list(reply.body)).toEqual([]);
        cursor = (reply.body as any).result_info.cursor as string | undefined;
        pages += 1;
      } while (cursor !== undefined && pages < 10);
      expect(pages).toBe(Math.ceil(COUNT / 100));
    });

    it('a filtered page conforms, and a broken one does not', async () => {
      const reply = await audit(`${WINDOW}&action_type.not=view&actor_type=user&limit=5`);
      expect(list(reply.body)).toEqual([]);
      expect(list(broken(reply.body, (copy) => (copy.result[0].actor.type = 'robot')))).not.toEqual(
        [],
      );
      expect(list(broken(reply.body, (copy) => (copy.result_info.cursor = 7)))).not.toEqual([]);
      expect(list(broken(reply.body, (copy) => (copy.result[0].id = 'x'.repeat(33))))).not.toEqual(
        [],
      );
    });

    it.each<[string, string, string | undefined, number]>([
      ['no window', 'limit=5', undefined, 400],
      ['a bad cursor', `${WINDOW}&cursor=forged`, undefined, 400],
      ['a wrong token', WINDOW, 'not-the-token', 403],
    ])('the failure envelope of %s conforms', async (_case, query, token, status) => {
      const reply = await audit(query, token);
      expect(reply.status).toBe(status);
      expect(failure(reply.body)).toEqual([]);
      expect(failure(broken(reply.body, (copy) => (copy.errors[0].code = 'E1')))).not.toEqual([]);
    });
  });

  describe('FusionAuth: fusionauth-event-audit-log.openapi.yaml', () => {
    let document: unknown;
    const validator = (path: string, method: string, status: string) =>
      createResponseValidator(
        document,
        pointer(
          'paths',
          path,
          method,
          'responses',
          status,
          'content',
          'application/json',
          'schema',
        ),
      );
    const request = (path: string, init: RequestInit = {}) => {
      const fusionAuth = source('fusionauth-event-log');
      return call(`${fusionAuth.baseUrl}${path}`, {
        ...init,
        headers: { Authorization: fusionAuth.apiKey!, 'Content-Type': 'application/json' },
      });
    };
    const post = (path: string, body: unknown) =>
      request(path, { method: 'POST', body: JSON.stringify(body) });

    beforeAll(() => {
      document = readUpstreamFragment(dir, 'fusionauth-event-audit-log.openapi.yaml');
    });

    it.each([
      ['event-log', 'eventLogs', 'eventLog'],
      ['audit-log', 'auditLogs', 'auditLog'],
    ])('%s: POST and GET searches, and retrieves, conform', async (log, listKey, itemKey) => {
      const search = validator(`/api/system/${log}/search`, 'post', '200');
      const retrieve = validator(`/api/system/${log}/{${itemKey}Id}`, 'get', '200');

      const all = await post(`/api/system/${log}/search`, { search: { numberOfResults: 1000 } });
      expect(all.status).toBe(200);
      expect(all.contentType).toBe('application/json');
      expect(search(all.body)).toEqual([]);
      const entries = (all.body as any)[listKey] as { id: number }[];
      expect(entries).toHaveLength(COUNT);

      // The GET form (documented, not in the OpenAPI) answers the same response.
      const byQuery = await request(
        `/api/system/${log}/search?numberOfResults=3&orderBy=insertInstant%20ASC`,
      );
      expect(search(byQuery.body)).toEqual([]);
      const empty = await post(`/api/system/${log}/search`, { search: { startRow: 5000 } });
      expect(search(empty.body)).toEqual([]);

      for (const entry of entries.filter((_, i) => i % 12 === 0)) {
        const reply = await request(`/api/system/${log}/${entry.id}`);
        expect(reply.status).toBe(200);
        expect(retrieve(reply.body)).toEqual([]);
      }
      expect(
        search(broken(all.body, (copy) => (copy[listKey][0].insertInstant = '2026-03-01'))),
      ).not.toEqual([]);
      expect(
        retrieve(broken({ [itemKey]: entries[0] }, (copy) => (copy[itemKey].id = 'one'))),
      ).not.toEqual([]);
    });

    it('an invalid event type is caught by the schema', async () => {
      const search = validator('/api/system/event-log/search', 'post', '200');
      const { body } = await post('/api/system/event-log/search', {
        search: { numberOfResults: 2 },
      });
      expect(search(broken(body, (copy) => (copy.eventLogs[0].type = 'Warning')))).not.toEqual([]);
    });

    it('400 bodies, field errors and general errors, conform to Errors', async () => {
      const errors = validator('/api/system/event-log/search', 'post', 'default');
      const fieldError = await post('/api/system/event-log/search', {
        search: { numberOfResults: 0 },
      });
      const generalError = await post('/api/system/audit-log/search', {
        search: { startRow: 'one' },
      });
      const badId = await request('/api/system/audit-log/not-a-long');
      for (const reply of [fieldError, generalError, badId]) {
        expect(reply.status).toBe(400);
        expect(reply.contentType).toBe('application/json');
        expect(errors(reply.body)).toEqual([]);
      }
      expect(errors(broken(fieldError.body, (copy) => (copy.fieldErrors = [])))).not.toEqual([]);
    });

    it('401 and 404 come with the empty body the docs describe, which no schema covers', async () => {
      const fusionAuth = source('fusionauth-event-log');
      const unauthorized = await call(`${fusionAuth.baseUrl}/api/system/event-log/1`, {
        headers: { Authorization: 'not-the-key' },
      });
      const notFound = await request('/api/system/event-log/987654321');
      expect([unauthorized.status, unauthorized.body]).toEqual([401, undefined]);
      expect([notFound.status, notFound.body]).toEqual([404, undefined]);
    });
  });

  describe('Nirvana: nirvana-audit-logs.derived-from-sdk.json', () => {
    let list: ResponseValidator;
    let get: ResponseValidator;
    const request = (path: string) => {
      const nirvana = source('nirvana');
      return call(`${nirvana.baseUrl}${path}`, {
        headers: { Authorization: `Bearer ${nirvana.apiKey!}` },
      });
    };

    beforeAll(() => {
      const document = readUpstreamFragment(dir, 'nirvana-audit-logs.derived-from-sdk.json');
      list = createResponseValidator(
        document,
        pointer('paths', '/v1/audit_logs', 'get', 'responses', '200', 'schema'),
      );
      get = createResponseValidator(
        document,
        pointer('paths', '/v1/audit_logs/{audit_log_id}', 'get', 'responses', '200', 'schema'),
      );
    });

    it('every page of a cursor chain conforms, and a sample of single entries', async () => {
      let cursor: string | null = null;
      const ids: string[] = [];
      do {
        const reply = await request(
          `/v1/audit_logs?limit=100${cursor === null ? '' : `&cursor=${cursor}`}`,
        );
        expect(reply.status).toBe(200);
        expect(reply.contentType).toBe('application/json');
        expect(list(reply.body)).toEqual([]);
        ids.push(...(reply.body as any).items.map((item: { id: string }) => item.id));
        cursor = (reply.body as any).pagination.next_cursor as string | null;
      } while (cursor !== null && ids.length < 10 * COUNT);
      expect(ids).toHaveLength(COUNT);

      for (const id of ids.filter((_, i) => i % 12 === 0)) {
        const reply = await request(`/v1/audit_logs/${id}`);
        expect(reply.status).toBe(200);
        expect(get(reply.body)).toEqual([]);
      }
    });

    it('filtered and ascending pages conform, and broken ones do not', async () => {
      const reply = await request('/v1/audit_logs?sort=created_at:asc&actor_type=user&limit=10');
      expect(list(reply.body)).toEqual([]);
      expect(list(broken(reply.body, (copy) => delete copy.pagination.total_count))).not.toEqual(
        [],
      );
      expect(list(broken(reply.body, (copy) => (copy.items[0].actor.type = 'robot')))).not.toEqual(
        [],
      );
      const [item] = (reply.body as any).items as unknown[];
      expect(get(broken(item, (copy) => delete copy.user_agent))).not.toEqual([]);
    });
  });
}

function readOriginal(dir: string, file: string, at: string): unknown {
  try {
    return valueAt(parseUpstreamFragment(dir, file), at);
  } catch {
    return undefined;
  }
}
