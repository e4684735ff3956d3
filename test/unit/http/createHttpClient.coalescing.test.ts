import { setTimeout as sleepFor } from 'node:timers/promises';
import { createCircuitBreaker } from '../../../src/http/createCircuitBreaker';
import type { HttpClient, HttpClientOptions } from '../../../src/http/createHttpClient';
import { createHttpClient } from '../../../src/http/createHttpClient';
import type { TokenBucket } from '../../../src/http/createTokenBucket';
import { createHeldTime, failureOf, T0, until } from './fakeClocks';
import type { ScriptedServer, Step } from './startScriptedServer';
import { createGate, held, ok, startScriptedServer, status } from './startScriptedServer';

let server: ScriptedServer | undefined;
let client: HttpClient | undefined;
let time = createHeldTime();

/** A client on the held clock that records each upstream request and each coalesced join. */
async function start(steps: readonly Step[], options: Partial<HttpClientOptions> = {}) {
  server = await startScriptedServer(steps);
  const sent: string[] = [];
  const joined: string[] = [];
  client = createHttpClient({
    baseUrl: `${server.url}/api`,
    sourceId: 'src-a',
    now: time.now,
    sleep: time.sleep,
    random: () => 0.5,
    onRequest: ({ path }) => sent.push(path),
    onCoalesced: ({ path }) => joined.push(path),
    ...options,
  });
  return { server, client, sent, joined };
}

/** A rate limiter that hands out every token at once and counts them. */
function createCountingLimiter(): TokenBucket & { readonly taken: () => number } {
  let taken = 0;
  return {
    acquire: () => {
      taken += 1;
      return Promise.resolve();
    },
    pauseUntil: () => undefined,
    readyInMs: () => 0,
    taken: () => taken,
  };
}

beforeEach(() => {
  time = createHeldTime();
});

afterEach(async () => {
  expect(client?.inFlight() ?? 0).toBe(0);
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

describe('createHttpClient coalescing', () => {
  it('sends ten identical concurrent calls once and gives each the answer', async () => {
    const gate = createGate();
    const { server, client, sent, joined } = await start([held(gate, ok({ n: 1 }))]);
    const calls = Array.from({ length: 10 }, () => client.requestJson('/events?page=1'));
    expect(client.inFlight()).toBe(1);
    gate.open();
    const answers = await Promise.all(calls);
    expect(answers.map((answer) => answer.body)).toEqual(Array(10).fill({ n: 1 }));
    expect(sent).toEqual(['/api/events?page=1']);
    expect(joined).toHaveLength(9);
    expect(server.requests).toHaveLength(1);
    expect(client.inFlight()).toBe(0);
  });

  it('sends calls that differ in query, credential, body or accepted statuses separately', async () => {
    const gate = createGate();
    const { server, client, joined } = await start([held(gate, ok())]);
    const search = (body: unknown, headers = { authorization: 'a' }) =>
      client.requestJson('/search', { method: 'POST', idempotent: true, jsonBody: body, headers });
    const calls = [
      client.requestJson('/events?page=1', { headers: { authorization: 'a' } }),
      client.requestJson('/events?page=2', { headers: { authorization: 'a' } }),
      client.requestJson('/events?page=1', { headers: { authorization: 'b' } }),
      client.requestJson('/events?page=1', {
        headers: { authorization: 'a' },
        acceptStatuses: [404],
      }),
      search({ q: 1 }),
      search({ q: 2 }),
    ];
    gate.open();
    await Promise.all(calls);
    expect(server.requests).toHaveLength(6);
    expect(joined).toEqual([]);
  });

  it('shares a POST only when the caller marks it idempotent', async () => {
    const gate = createGate();
    const { server, client } = await start([held(gate, ok())]);
    const post = (idempotent: boolean) =>
      client.requestJson('/search', { method: 'POST', jsonBody: { q: 1 }, idempotent });
    const calls = [post(false), post(false), post(true), post(true), post(true)];
    gate.open();
    await Promise.all(calls);
    // Two requests that change something are two requests; the idempotent ones are one.
    expect(server.requests).toHaveLength(3);
  });

  it('sends a call made after an identical one settled again: it shares, it never caches', async () => {
    const { server, client } = await start([ok({ n: 1 }), ok({ n: 2 })]);
    expect((await client.requestJson('/events')).body).toEqual({ n: 1 });
    expect((await client.requestJson('/events')).body).toEqual({ n: 2 });
    expect(server.requests).toHaveLength(2);
  });

  it('fails a joiner at its own deadline with SOURCE_TIMEOUT while the others get the answer', async () => {
    const gate = createGate();
    const { server, client } = await start([held(gate, ok({ n: 1 }))]);
    const leader = client.requestJson('/events');
    const joiner = client.requestJson('/events', { deadlineAt: T0 + 1_000 });
    expect(time.held.map((sleep) => sleep.ms)).toEqual([1_000]);
    time.advance(1_000);
    time.held[0]!.wake();
    const error = await failureOf(joiner);
    expect(error.code).toBe('SOURCE_TIMEOUT');
    expect(error.details.sourceId).toBe('src-a');
    gate.open();
    expect((await leader).body).toEqual({ n: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('lets a joiner abandon its wait without aborting the request the others wait for', async () => {
    const gate = createGate();
    const { server, client } = await start([held(gate, ok({ n: 1 }))]);
    const leader = client.requestJson('/events');
    const quitter = new AbortController();
    const joiner = client.requestJson('/events', { signal: quitter.signal });
    await until(() => server.requests.length === 1);
    quitter.abort();
    expect((await failureOf(joiner)).code).toBe('SOURCE_TIMEOUT');
    gate.open();
    expect((await leader).body).toEqual({ n: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('closes the socket once every caller gave up, and tells the breaker nothing', async () => {
    const breaker = createCircuitBreaker({ failureThreshold: 1, now: time.now });
    const { server, client } = await start([{ type: 'hang' }, ok({ n: 2 })], {
      circuitBreaker: breaker,
    });
    const controllers = [new AbortController(), new AbortController()];
    const calls = controllers.map((controller) =>
      client.requestJson('/events', { signal: controller.signal }),
    );
    await until(() => server.requests.length === 1);
    for (const controller of controllers) controller.abort();
    for (const call of calls) expect((await failureOf(call)).code).toBe('SOURCE_TIMEOUT');
    await server.closedConnection(0);
    expect(breaker.state()).toBe('closed');
    // Nothing is left to join: the next identical call sends a request of its own.
    expect((await client.requestJson('/events')).body).toEqual({ n: 2 });
    expect(server.requests).toHaveLength(2);
  });

  it('lets callers with later deadlines join the request under way', async () => {
    const gate = createGate();
    const { server, client, joined } = await start([held(gate, ok({ n: 1 }))]);
    const calls = [
      client.requestJson('/events', { deadlineAt: T0 + 30_000 }),
      client.requestJson('/events', { deadlineAt: T0 + 60_000 }),
      client.requestJson('/events', { deadlineAt: T0 + 45_000 }),
    ];
    expect(client.inFlight()).toBe(1);
    expect(joined).toHaveLength(2);
    await until(() => server.requests.length === 1);
    gate.open();
    for (const call of calls) expect((await call).body).toEqual({ n: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('keeps the request open past the first caller’s deadline for a later caller (real clock)', async () => {
    // The deadline of the socket itself must move: a timer set for the first caller would
    // otherwise close the request the later one waits for.
    const gate = createGate();
    const { server, client } = await start([held(gate, ok({ n: 1 }))], {
      now: Date.now,
      sleep: (ms, signal) => sleepFor(ms, undefined, signal ? { signal } : {}),
    });
    const startedAt = Date.now();
    const first = client.requestJson('/events', { deadlineAt: startedAt + 300 });
    // Joins once the request is on the wire, its timer set for the first caller.
    await until(() => server.requests.length === 1);
    const later = client.requestJson('/events', { deadlineAt: startedAt + 10_000 });
    expect((await failureOf(first)).code).toBe('SOURCE_TIMEOUT');
    await sleepFor(200);
    gate.open();
    expect((await later).body).toEqual({ n: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('takes the rate-limit tokens of the shared request only, and gives the breaker one outcome', async () => {
    const limiter = createCountingLimiter();
    const breaker = createCircuitBreaker({ failureThreshold: 2, now: time.now });
    const gate = createGate();
    const { server, client } = await start([held(gate, status(503))], {
      maxRetries: 0,
      rateLimiter: limiter,
      circuitBreaker: breaker,
    });
    const calls = Array.from({ length: 10 }, () => client.requestJson('/events'));
    gate.open();
    for (const call of calls) expect((await failureOf(call)).code).toBe('SOURCE_UNAVAILABLE');
    expect(server.requests).toHaveLength(1);
    expect(limiter.taken()).toBe(1);
    // Ten failures would have opened it; the one shared call is one failure.
    expect(breaker.state()).toBe('closed');
  });

  it('retries the shared request for all its callers, a token per attempt', async () => {
    const limiter = createCountingLimiter();
    const { server, client, sent } = await start([{ type: 'reset' }, ok({ n: 1 })], {
      rateLimiter: limiter,
    });
    const calls = Array.from({ length: 5 }, () => client.requestJson('/events'));
    // The backoff before the retry, on the held clock.
    await until(() => time.held.length === 1);
    time.held[0]!.wake();
    const answers = await Promise.all(calls);
    expect(answers.map((answer) => answer.body)).toEqual(Array(5).fill({ n: 1 }));
    expect(sent).toHaveLength(2);
    expect(server.requests).toHaveLength(2);
    expect(limiter.taken()).toBe(2);
  });
});
