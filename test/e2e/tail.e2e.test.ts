import { generateApiKey } from '../../src/auth/generateApiKey';
import { hashApiKey } from '../../src/auth/hashApiKey';
import type { AuditgraphConfig } from '../../src/config/types';
import type { Demo } from '../../src/emulators/startDemoEmulators';
import { startDemoEmulators } from '../../src/emulators/startDemoEmulators';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG, DEMO_SOURCE_IDS, postGraphql } from '../support/demoConfig';
import { compareEvents } from '../support/feedOrder';
import type { InsertEmulatedEvent } from '../support/insertEmulatedEvent';
import { createEventInserter } from '../support/insertEmulatedEvent';
import type { Received } from '../support/tailClients';
import { subscribeOverSse, subscribeOverWebSocket, waitFor } from '../support/tailClients';

/**
 * The live tail (`Subscription.auditEventAdded`) end to end: auditgraph in live mode against the
 * demo's emulators on loopback, real graphql-ws and graphql-sse clients, events inserted into the
 * emulators while the clients listen. Polls every 100 ms; Cloudflare v2 shows events up to 5 s late.
 */

const AUDITOR_KEY = generateApiKey(); // every source, personal data
const DASHBOARD_KEY = generateApiKey(); // every source, no personal data
const LIMITED_KEY = generateApiKey(); // fastly and nirvana only, personal data
const OTHER_KEY = generateApiKey(); // every source, personal data: another client
const THIRD_KEY = generateApiKey();
const CF_V2_LATE_SECONDS = 5;
const ALL = DEMO_SOURCE_IDS;

describe('the live tail over graphql-ws and graphql-sse', () => {
  let demo: Demo;
  let app: Auditgraph;
  let insert: InsertEmulatedEvent;
  const lines: any[] = [];
  const upstream = new Map<string, number>();
  const open: Received[] = [];

  const requestsTo = (sourceId: string) => upstream.get(sourceId) ?? 0;
  const allRequests = () => [...upstream.values()].reduce((sum, count) => sum + count, 0);
  /** Resolves once the server holds `count` subscriptions. */
  const subscribed = (count: number) =>
    waitFor(`${count} subscriptions`, () => app.tail.stats().subscriptions === count);
  /** Resolves once `n` more polls have completed. */
  const polls = async (n: number) => {
    const target = app.tail.stats().polls + n;
    await waitFor(`${n} polls`, () => app.tail.stats().polls >= target);
  };
  const track = <R extends Received>(received: R): R => {
    open.push(received);
    return received;
  };

  beforeAll(async () => {
    const nowMs = Date.now();
    const few = 5;
    demo = await startDemoEmulators({
      seed: 7,
      nowMs: nowMs - 60_000,
      counts: {
        fastly: few,
        'cloudflare-v1': few,
        'cloudflare-v2': few,
        'fusionauth-event-log': few,
        'fusionauth-audit-log': few,
        nirvana: few,
      },
    });
    insert = createEventInserter(demo);
    const key = (id: string, secret: string, sources: string[], pii: boolean) => ({
      id,
      sha256: hashApiKey(secret),
      sources,
      permissions: pii ? ['pii' as const] : [],
    });
    const config: AuditgraphConfig = {
      ...DEMO_CONFIG,
      mode: 'live',
      sources: demo.sources.map((source) =>
        source.kind === 'cloudflare-v2'
          ? { ...source, lateArrivalSeconds: CF_V2_LATE_SECONDS }
          : source,
      ),
      cursorSecret: 'a-tail-test-cursor-secret-of-32-chars',
      tail: { pollIntervalMs: 100, maxSubscriptionsPerClient: 3, maxSubscriptions: 6 },
      auth: {
        apiKeys: [
          key('auditor', AUDITOR_KEY, ['*'], true),
          key('dashboard', DASHBOARD_KEY, ['*'], false),
          key('limited', LIMITED_KEY, ['fastly', 'nirvana'], true),
          key('other', OTHER_KEY, ['*'], true),
          key('third', THIRD_KEY, ['*'], true),
        ],
        jwt: null,
        allowUnauthenticated: false,
      },
    };
    app = await startAuditgraph(config, {
      log: (line) => lines.push(JSON.parse(line)),
      onUpstreamRequest: (sourceId) => upstream.set(sourceId, requestsTo(sourceId) + 1),
    });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((received) => received.stop()));
    await subscribed(0);
    for (const emulator of demo.emulators) emulator.knobs.faults.length = 0;
  });
  afterAll(async () => {
    await app?.close();
    await demo?.close();
  });

  it('delivers every event inserted into every kind after subscribing exactly once, in time order, and audits the start', async () => {
    const tail = track(subscribeOverWebSocket(app.url, AUDITOR_KEY));
    await subscribed(1);
    const inserted = new Set<string>();
    for (let round = 0; round < 3; round += 1) {
      for (const sourceId of ALL) inserted.add(`${sourceId}/${insert(sourceId, Date.now())}`);
      await polls(1);
    }
    const ids = () => tail.events.map((event) => `${event.source.id}/${event.nativeId}`);
    await waitFor('every inserted event', () => [...inserted].every((id) => ids().includes(id)));
    await polls(3);
    const mine = tail.events.filter((event) =>
      inserted.has(`${event.source.id}/${event.nativeId}`),
    );
    expect(mine).toHaveLength(inserted.size);
    expect(new Set(ids()).size).toBe(tail.events.length);
    expect([...tail.events].sort(compareEvents)).toEqual(tail.events);
    expect(tail.errors).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'audit',
        principal: 'auditor',
        operationType: 'subscription',
        phase: 'started',
        sources: ALL,
      }),
    );
  });

  it('delivers a Cloudflare v2 event that shows up late, in order before a later event that showed up first', async () => {
    const tail = track(
      subscribeOverWebSocket(app.url, AUDITOR_KEY, {
        filter: { sources: ['fastly', 'cloudflare-v2'] },
      }),
    );
    await subscribed(1);
    const startMs = Date.now();
    const fastlyId = insert('fastly', startMs);
    // The Fastly event is held back while Cloudflare v2 may still show earlier events.
    await polls(1);
    expect(tail.events).toEqual([]);
    // Shown now, stamped a second earlier: within Cloudflare v2's late-arrival allowance.
    const lateId = insert('cloudflare-v2', startMs - 1000);
    await waitFor('both events', () => tail.events.length >= 2);
    await polls(3);
    expect(tail.events.map((event) => [event.source.id, event.nativeId])).toEqual([
      ['cloudflare-v2', lateId],
      ['fastly', fastlyId],
    ]);
  });

  it('serves two subscribers of the same scope and filter from one poller, one upstream read a poll', async () => {
    const filter = { sources: ['nirvana'] };
    const first = track(subscribeOverWebSocket(app.url, AUDITOR_KEY, { filter }));
    const second = track(subscribeOverSse(app.url, OTHER_KEY, { filter }));
    await subscribed(2);
    expect(app.tail.stats().pollers).toBe(1);
    await polls(1);
    const requestsBefore = requestsTo('nirvana');
    const pollsBefore = app.tail.stats().polls;
    const id = insert('nirvana', Date.now());
    await waitFor('the event on both', () =>
      [first, second].every((tail) => tail.events.some((event) => event.nativeId === id)),
    );
    await polls(5);
    const requests = requestsTo('nirvana') - requestsBefore;
    const done = app.tail.stats().polls - pollsBefore;
    // One request per poll (a poll under way when counting stopped may have sent one more).
    expect(requests).toBeGreaterThanOrEqual(done);
    expect(requests).toBeLessThanOrEqual(done + 1);
    // Another filter is another poller.
    track(subscribeOverWebSocket(app.url, AUDITOR_KEY, { filter: { sources: ['fastly'] } }));
    await subscribed(3);
    expect(app.tail.stats().pollers).toBe(2);
  });

  it('stops the poller when the last subscriber leaves', async () => {
    const tail = subscribeOverWebSocket(app.url, AUDITOR_KEY, { filter: { sources: ['fastly'] } });
    await subscribed(1);
    expect(app.tail.stats().pollers).toBe(1);
    await tail.stop();
    await subscribed(0);
    expect(app.tail.stats().pollers).toBe(0);
    const before = requestsTo('fastly');
    const polled = app.tail.stats().polls;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(app.tail.stats().polls).toBe(polled);
    expect(requestsTo('fastly')).toBe(before);
  });

  it('refuses subscriptions over the per-client and the total caps with TOO_MANY_SUBSCRIPTIONS', async () => {
    for (let index = 0; index < 3; index += 1) track(subscribeOverWebSocket(app.url, AUDITOR_KEY));
    await subscribed(3);
    const refused = track(subscribeOverWebSocket(app.url, AUDITOR_KEY));
    await refused.ended;
    expect(refused.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }),
    ]);
    for (let index = 0; index < 3; index += 1) track(subscribeOverSse(app.url, OTHER_KEY));
    await subscribed(6);
    const overTotal = track(subscribeOverSse(app.url, THIRD_KEY));
    await overTotal.ended;
    expect(overTotal.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('tail.maxSubscriptions'),
        extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
      }),
    ]);
    expect(app.tail.stats().subscriptions).toBe(6);
  });

  it('closes a WebSocket without a key with 4401 and one with a bad key with 4403, and answers an event stream with a bad key 401', async () => {
    const missing = track(subscribeOverWebSocket(app.url, null));
    expect(await missing.closed).toBe(4401);
    const bad = track(subscribeOverWebSocket(app.url, generateApiKey()));
    expect(await bad.closed).toBe(4403);
    const response = await fetch(`${app.url}/graphql/stream`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${generateApiKey()}`,
      },
      body: JSON.stringify({ query: 'subscription { auditEventAdded { id } }' }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      errors: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })],
    });
    expect(app.tail.stats().subscriptions).toBe(0);
  });

  it('redacts personal data for a client without the pii permission, as auditEvents does', async () => {
    const tail = track(
      subscribeOverSse(app.url, DASHBOARD_KEY, { filter: { sources: ['cloudflare-v1'] } }),
    );
    await subscribed(1);
    const id = insert('cloudflare-v1', Date.now());
    await waitFor('the event', () => tail.events.length > 0);
    const [event] = tail.events;
    const original = demo.emulators.find((emulator) => emulator.name === 'cloudflare-v1') as any;
    const record = original.records.find((candidate: any) => candidate.id === id);
    expect(record.actor.email).toMatch(/@/);
    expect(event.actor.email).toBeNull();
    expect(event.redacted).toEqual(expect.arrayContaining(['actor.email']));
    // The same event as the same client reads it by id: redacted the same way.
    const query = await postGraphql(
      app.url,
      'query($id: ID!) { auditEvent(id: $id) { actor { email } redacted } }',
      { id: event.id },
      DASHBOARD_KEY,
    );
    expect(query.data?.['auditEvent']).toEqual({
      actor: { email: event.actor.email },
      redacted: event.redacted,
    });
  });

  it('shows a client limited to some sources only theirs, and refuses a filter naming another with FORBIDDEN', async () => {
    const othersBefore = requestsTo('cloudflare-v1') + requestsTo('fusionauth-audit-log');
    const tail = track(subscribeOverWebSocket(app.url, LIMITED_KEY));
    await subscribed(1);
    const mine = [
      `fastly/${insert('fastly', Date.now())}`,
      `nirvana/${insert('nirvana', Date.now())}`,
    ];
    insert('cloudflare-v1', Date.now());
    insert('fusionauth-audit-log', Date.now());
    const ids = () => tail.events.map((event) => `${event.source.id}/${event.nativeId}`);
    await waitFor('its events', () => mine.every((id) => ids().includes(id)));
    await polls(3);
    expect(new Set(tail.events.map((event) => event.source.id))).toEqual(
      new Set(['fastly', 'nirvana']),
    );
    const forbidden = track(
      subscribeOverWebSocket(app.url, LIMITED_KEY, { filter: { sources: ['cloudflare-v1'] } }),
    );
    await forbidden.ended;
    expect(forbidden.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'FORBIDDEN' } }),
    ]);
    // Its poller asked only its own sources.
    expect(requestsTo('cloudflare-v1') + requestsTo('fusionauth-audit-log')).toBe(othersBefore);
  });

  it('announces a failing source in-band with its code and sourceId and goes on with the others', async () => {
    const nirvana = demo.emulators.find((emulator) => emulator.name === 'nirvana')!;
    const tail = track(
      subscribeOverWebSocket(app.url, AUDITOR_KEY, { filter: { sources: ['fastly', 'nirvana'] } }),
    );
    await subscribed(1);
    // Every attempt of one read fails (the first and its retries).
    nirvana.knobs.faults.push({
      fault: { type: 'status', status: 503, body: { error: { code: 'down', message: 'down' } } },
      pathPrefix: '/v1/audit_logs',
      times: 3,
    });
    const id = insert('fastly', Date.now());
    await waitFor(
      'the error and the event',
      () => tail.errors.length > 0 && tail.events.some((event) => event.nativeId === id),
    );
    expect(tail.errors[0]).toEqual(
      expect.objectContaining({
        path: ['auditEventAdded'],
        extensions: { code: 'SOURCE_UNAVAILABLE', sourceId: 'nirvana' },
      }),
    );
    // Nirvana answers again, and the tail still delivers it.
    nirvana.knobs.faults.length = 0;
    const later = insert('nirvana', Date.now());
    await waitFor('nirvana again', () => tail.events.some((event) => event.nativeId === later));
  });

  it('refuses a bad filter with BAD_USER_INPUT, over either transport, without an upstream request', async () => {
    const before = allRequests();
    const inverted = {
      filter: { since: '2026-01-02T00:00:00Z', before: '2026-01-01T00:00:00Z' },
    };
    const ws = track(subscribeOverWebSocket(app.url, AUDITOR_KEY, inverted));
    const sse = track(
      subscribeOverSse(app.url, AUDITOR_KEY, { filter: { ipAddress: 'not an address' } }),
    );
    await Promise.all([ws.ended, sse.ended]);
    for (const tail of [ws, sse]) {
      expect(tail.errors).toEqual([
        expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }),
      ]);
    }
    expect(allRequests()).toBe(before);
    expect(app.tail.stats().pollers).toBe(0);
  });

  it('streams a subscription posted to /graphql with Accept: text/event-stream, as a gateway sends it', async () => {
    const abort = new AbortController();
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      signal: abort.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${AUDITOR_KEY}`,
      },
      body: JSON.stringify({
        query: 'subscription($f: AuditEventFilter) { auditEventAdded(filter: $f) { nativeId } }',
        variables: { f: { sources: ['fastly'] } },
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await subscribed(1);
    const id = insert('fastly', Date.now());
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes(id)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    abort.abort();
    expect(text).toContain(`event: next\ndata: {"data":{"auditEventAdded":{"nativeId":"${id}"}}}`);
  });

  it('runs only subscriptions: a query sent to the subscription transports is refused with a code', async () => {
    const tail = track(subscribeOverWebSocket(app.url, AUDITOR_KEY, {}, '{ auditSources { id } }'));
    await tail.ended;
    expect(tail.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_REQUEST' } })]);
  });
});

describe('the live tail at shutdown', () => {
  it('completes every subscription, WebSocket and event stream, and the server stops', async () => {
    const app = await startAuditgraph(
      {
        ...DEMO_CONFIG,
        tail: { pollIntervalMs: 100, maxSubscriptionsPerClient: 10, maxSubscriptions: 10 },
      },
      { log: () => undefined },
    );
    const ws = subscribeOverWebSocket(app.url, null);
    const sse = subscribeOverSse(app.url, null);
    try {
      await waitFor('2 subscriptions', () => app.tail.stats().subscriptions === 2);
      await app.close();
      expect(await ws.ended).toEqual({ completed: true });
      expect(await sse.ended).toEqual({ completed: true });
      expect(app.tail.stats()).toEqual(expect.objectContaining({ subscriptions: 0, pollers: 0 }));
    } finally {
      await ws.stop();
      await sse.stop();
    }
  });
});
