import { MIN_TIME_AFTER_TOKEN_MS } from '../../../src/http/createRateLimitGate';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { createCircuitBreaker } from '../../../src/http/createCircuitBreaker';
import type { HttpClient, HttpClientOptions } from '../../../src/http/createHttpClient';
import { createHttpClient } from '../../../src/http/createHttpClient';
import type { TokenBucket } from '../../../src/http/createTokenBucket';
import { createTokenBucket } from '../../../src/http/createTokenBucket';
import { AuditgraphError } from '../../../src/model/errors';
import type { ScriptedServer, Step } from './startScriptedServer';
import { createGate, held, ok, startScriptedServer, status } from './startScriptedServer';
import { T0, createFakeTime, until } from './fakeClocks';

let server: ScriptedServer | undefined;
let client: HttpClient | undefined;
let time = createFakeTime();

async function start(steps: readonly Step[], options: Partial<HttpClientOptions> = {}) {
  server = await startScriptedServer(steps);
  client = createHttpClient({
    baseUrl: `${server.url}/api`,
    sourceId: 'src-a',
    now: time.now,
    sleep: time.sleep,
    random: () => 0.5,
    ...options,
  });
  return { server, client };
}

async function failureOf(promise: Promise<unknown>): Promise<AuditgraphError> {
  const outcome = await promise.then(
    () => new Error('expected a failure'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof AuditgraphError)) throw outcome;
  return outcome;
}

beforeEach(() => {
  time = createFakeTime();
});

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

describe('createHttpClient retries', () => {
  it('retries a GET once after a reset before the headers, then succeeds (R4)', async () => {
    const { server, client } = await start([{ type: 'reset' }, ok({ n: 1 })]);
    const response = await client.requestJson('/events?page=1');
    expect(response.body).toEqual({ n: 1 });
    expect(server.requests).toHaveLength(2);
    expect(server.requests.map((r) => r.url)).toEqual(['/api/events?page=1', '/api/events?page=1']);
    // Full jitter: random 0.5 of the first ceiling (100 ms).
    expect(time.sleeps).toEqual([50]);
  });

  it('retries a GET whose body broke off midway, and never returns the part read (R5)', async () => {
    const { server, client } = await start([{ type: 'reset-mid-body' }, ok({ items: [1, 2, 3] })]);
    const response = await client.requestJson('/events');
    expect(response.body).toEqual({ items: [1, 2, 3] });
    expect(server.requests).toHaveLength(2);
  });

  it('retries on a fresh socket when the server closed the kept-alive one (R14)', async () => {
    // One connection, so the second request must go out on the socket the first left idle.
    const { server, client } = await start([ok({ n: 1 }), { type: 'reset' }, ok({ n: 2 })], {
      connections: 1,
    });
    await client.requestJson('/events');
    const second = await client.requestJson('/events');
    expect(second.body).toEqual({ n: 2 });
    expect(server.requests).toHaveLength(3);
    expect(server.requests[1]?.connection).toBe(server.requests[0]?.connection);
    expect(server.requests[2]?.connection).not.toBe(server.requests[1]?.connection);
  });

  it('gives up after 2 retries of a persistent 503: exactly 3 requests (R7)', async () => {
    // A new client's retry budget holds one credit; this test is about maxRetries, so the
    // budget is given room for both retries (the budget has tests of its own below).
    const { server, client } = await start([status(503)], { retryBudgetMinPerSecond: 10 });
    const error = await failureOf(client.requestJson('/events'));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.details).toMatchObject({ sourceId: 'src-a', upstreamStatus: 503 });
    expect(server.requests).toHaveLength(3);
    expect(time.sleeps).toEqual([50, 100]);
  });

  it('gives up at once after a persistent reset when maxRetries is 0', async () => {
    const { server, client } = await start([{ type: 'reset' }], { maxRetries: 0 });
    const error = await failureOf(client.requestJson('/events'));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(server.requests).toHaveLength(1);
  });

  it.each([500, 502, 504, 408])('retries a GET answered with %i', async (code) => {
    const { server, client } = await start([status(code), ok()]);
    await expect(client.requestJson('/events')).resolves.toMatchObject({ status: 200 });
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    [400, 'SOURCE_BAD_RESPONSE'],
    [401, 'SOURCE_AUTH_FAILED'],
    [403, 'SOURCE_AUTH_FAILED'],
    [404, 'SOURCE_BAD_RESPONSE'],
    [422, 'SOURCE_BAD_RESPONSE'],
  ])('never retries a %i: one request, %s', async (code, expected) => {
    const { server, client } = await start([status(code), ok()]);
    expect((await failureOf(client.requestJson('/events'))).code).toBe(expected);
    expect(server.requests).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it('does not retry a POST unless the caller marks it idempotent', async () => {
    const { server, client } = await start([status(503), ok({ found: 1 })]);
    const plain = await failureOf(
      client.requestJson('/search', { method: 'POST', jsonBody: { q: 1 } }),
    );
    expect(plain.code).toBe('SOURCE_UNAVAILABLE');
    expect(server.requests).toHaveLength(1);
    const marked = await client.requestJson('/search', {
      method: 'POST',
      jsonBody: { q: 1 },
      idempotent: true,
    });
    expect(marked.body).toEqual({ found: 1 });
    expect(server.requests.map((r) => r.body)).toEqual(['{"q":1}', '{"q":1}']);
  });

  it('does not retry a GET the caller marks as not idempotent', async () => {
    const { server, client } = await start([{ type: 'reset' }, ok()]);
    const error = await failureOf(client.requestJson('/events', { idempotent: false }));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(server.requests).toHaveLength(1);
  });

  it('returns an accepted status without retrying it', async () => {
    const { server, client } = await start([status(404)]);
    const response = await client.requestJson('/events/7', { acceptStatuses: [404] });
    expect(response.status).toBe(404);
    expect(server.requests).toHaveLength(1);
  });
});

describe('createHttpClient deadlines', () => {
  it('fails with SOURCE_TIMEOUT without sleeping when the backoff would pass the deadline', async () => {
    const { server, client } = await start([status(503), ok()], { random: () => 0.99 });
    const error = await failureOf(client.requestJson('/events', { deadlineAt: T0 + 50 }));
    expect(error.code).toBe('SOURCE_TIMEOUT');
    expect(error.details.sourceId).toBe('src-a');
    expect(server.requests).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it('retries within the deadline when the backoff fits', async () => {
    const { server, client } = await start([status(503), ok()]);
    await client.requestJson('/events', { deadlineAt: T0 + 1_000 });
    expect(server.requests).toHaveLength(2);
    expect(time.sleeps).toEqual([50]);
  });

  it('makes no request once the deadline has passed', async () => {
    const { server, client } = await start([ok()]);
    const error = await failureOf(client.requestJson('/events', { deadlineAt: T0 }));
    expect(error.code).toBe('SOURCE_TIMEOUT');
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ['headers that never come', { type: 'hang' } as const],
    ['a body that stalls midway', { type: 'stall-body' } as const],
  ])('abandons the socket at the deadline for %s (R2, R3)', async (_case, step) => {
    // The one test on the real clock: the deadline must close a real socket.
    const { server, client } = await start([step], {
      now: Date.now,
      sleep: (ms, signal) => sleepFor(ms, undefined, signal ? { signal } : {}),
    });
    const startedAt = Date.now();
    const error = await failureOf(client.requestJson('/events', { deadlineAt: startedAt + 200 }));
    const elapsed = Date.now() - startedAt;
    expect(error.code).toBe('SOURCE_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(2_000);
    expect(server.requests).toHaveLength(1);
    await server.closedConnection(0);
  });

  it('stops waiting and asks nothing more when the caller abandons during a backoff', async () => {
    const controller = new AbortController();
    const { server, client } = await start([status(503), ok()], {
      sleep: (_ms, signal) => {
        controller.abort();
        return signal?.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve();
      },
    });
    const error = await failureOf(client.requestJson('/events', { signal: controller.signal }));
    expect(error.code).toBe('SOURCE_TIMEOUT');
    expect(server.requests).toHaveLength(1);
  });
});

describe('createHttpClient rate limits', () => {
  it('waits a Retry-After of 1 s that fits the deadline, then succeeds (R6)', async () => {
    const { server, client } = await start([status(429, { 'retry-after': '1' }), ok({ n: 1 })]);
    const response = await client.requestJson('/events', { deadlineAt: T0 + 5_000 });
    expect(response.body).toEqual({ n: 1 });
    expect(time.sleeps).toEqual([1_000]);
    expect(server.requests).toHaveLength(2);
  });

  it('fails at once when Retry-After is 3600 s, with the five minutes it pauses for (R6)', async () => {
    const { server, client } = await start([status(429, { 'retry-after': '3600' }), ok()]);
    const error = await failureOf(client.requestJson('/events', { deadlineAt: T0 + 5_000 }));
    expect(error.code).toBe('SOURCE_RATE_LIMITED');
    expect(error.details).toMatchObject({ sourceId: 'src-a', retryAfterSeconds: 300 });
    expect(time.sleeps).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('fails at once without a deadline when the wait exceeds maxRateLimitWaitMs', async () => {
    const { server, client } = await start([status(429, { 'retry-after': '11' }), ok()]);
    const error = await failureOf(client.requestJson('/events'));
    expect(error.details.retryAfterSeconds).toBe(11);
    expect(server.requests).toHaveLength(1);
  });

  it('waits once only: a second 429 is reported with its hint', async () => {
    const { server, client } = await start([status(429, { 'retry-after': '1' })]);
    const error = await failureOf(client.requestJson('/events', { deadlineAt: T0 + 5_000 }));
    expect(error.code).toBe('SOURCE_RATE_LIMITED');
    expect(error.details.retryAfterSeconds).toBe(1);
    expect(time.sleeps).toEqual([1_000]);
    expect(server.requests).toHaveLength(2);
  });

  it('fails at once on a 429 without any hint', async () => {
    const { server, client } = await start([status(429), ok()]);
    const error = await failureOf(client.requestJson('/events'));
    expect(error.code).toBe('SOURCE_RATE_LIMITED');
    expect(error.details.retryAfterSeconds).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it("waits for Fastly's Fastly-RateLimit-Reset (epoch seconds)", async () => {
    const reset = String(Math.floor(T0 / 1000) + 2);
    const { client } = await start([status(429, { 'fastly-ratelimit-reset': reset }), ok()]);
    await client.requestJson('/events', { deadlineAt: T0 + 5_000 });
    expect(time.sleeps).toEqual([2_000]);
  });

  it("waits for Cloudflare's x-ratelimit-reset (an HTTP date)", async () => {
    const reset = new Date(T0 + 3_000).toUTCString();
    const { client } = await start([status(429, { 'x-ratelimit-reset': reset }), ok()]);
    await client.requestJson('/events', { deadlineAt: T0 + 5_000 });
    expect(time.sleeps).toEqual([3_000]);
  });
});

const inSeconds = (seconds: number) => new Date(T0 + seconds * 1000).toUTCString();
const epochSecondsIn = (seconds: number) => String(Math.floor(T0 / 1000) + seconds);

describe('createHttpClient after a 429, with the credential’s rate limiter', () => {
  /** A limiter roomy enough that only a pause can refuse a request. */
  const startLimited = (steps: readonly Step[], options: Partial<HttpClientOptions> = {}) => {
    const bucket = createTokenBucket({ capacity: 10, refillPerSecond: 10, ...time });
    return start(steps, { rateLimiter: bucket, ...options }).then((started) => ({
      ...started,
      bucket,
    }));
  };

  it.each([
    ['Retry-After: 999999', 300, { 'retry-after': '999999' }],
    ['Retry-After: 3600', 300, { 'retry-after': '3600' }],
    ['Retry-After: 301', 300, { 'retry-after': '301' }],
    ['Retry-After: 300', 300, { 'retry-after': '300' }],
    ['Retry-After: 120', 120, { 'retry-after': '120' }],
    ['Retry-After: 400 nines', 300, { 'retry-after': '9'.repeat(400) }],
    [
      'Retry-After as an HTTP date in the year 9999',
      300,
      { 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' },
    ],
    ['Retry-After as an HTTP date in 90 s', 90, { 'retry-after': inSeconds(90) }],
    ['retry-after-ms of a day', 300, { 'retry-after-ms': '86400000' }],
    ["Cloudflare's x-ratelimit-reset a day ahead", 300, { 'x-ratelimit-reset': inSeconds(86_400) }],
    [
      'x-ratelimit-reset in epoch seconds a day ahead',
      300,
      { 'x-ratelimit-reset': epochSecondsIn(86_400) },
    ],
    [
      "Fastly's Fastly-RateLimit-Reset an hour ahead",
      300,
      { 'fastly-ratelimit-reset': epochSecondsIn(3_600) },
    ],
    [
      "Fastly's Fastly-RateLimit-Reset in 42 s",
      42,
      { 'fastly-ratelimit-reset': epochSecondsIn(42) },
    ],
  ])(
    'answers %s with the %i s it pauses the credential for, asking nothing until then',
    async (_case, seconds, headers) => {
      const { server, client } = await startLimited([status(429, headers), ok({ n: 1 })]);
      const first = await failureOf(client.requestJson('/events', { deadlineAt: T0 + 5_000 }));
      expect(first.code).toBe('SOURCE_RATE_LIMITED');
      expect(first.details.retryAfterSeconds).toBe(seconds);

      const again = await failureOf(client.requestJson('/events', { deadlineAt: T0 + 5_000 }));
      expect([again.code, again.details.retryAfterSeconds]).toEqual([
        'SOURCE_RATE_LIMITED',
        seconds,
      ]);
      time.advance(seconds * 1_000 - 600);
      const late = await failureOf(client.requestJson('/events', { deadlineAt: time.now() + 500 }));
      expect([late.code, late.details.retryAfterSeconds]).toEqual(['SOURCE_RATE_LIMITED', 1]);
      expect(server.requests).toHaveLength(1);

      time.advance(600);
      const answer = await client.requestJson('/events', { deadlineAt: time.now() + 500 });
      expect(answer.body).toEqual({ n: 1 });
      expect(server.requests).toHaveLength(2);
      expect(time.sleeps).toEqual([]);
    },
  );

  it.each([
    ['no hint', {}],
    ['a negative Retry-After', { 'retry-after': '-5' }],
    ['a Retry-After that is no number and no date', { 'retry-after': 'soon' }],
    ['a garbled x-ratelimit-reset', { 'x-ratelimit-reset': 'tomorrow' }],
  ])(
    'answers a 429 with %s without a number, and lets the next call ask at once',
    async (_case, headers) => {
      const { server, client } = await startLimited([status(429, headers), ok({ n: 1 })]);
      const first = await failureOf(client.requestJson('/events', { deadlineAt: T0 + 5_000 }));
      expect(first.code).toBe('SOURCE_RATE_LIMITED');
      expect(first.details.retryAfterSeconds).toBeUndefined();
      const answer = await client.requestJson('/events', { deadlineAt: T0 + 5_000 });
      expect(answer.body).toEqual({ n: 1 });
      expect(server.requests).toHaveLength(2);
    },
  );

  it('holds a pause of maxRateLimitPauseMs at most', async () => {
    const { client } = await startLimited([status(429, { 'retry-after': '3600' }), ok()], {
      maxRateLimitPauseMs: 60_000,
    });
    const error = await failureOf(client.requestJson('/events', { deadlineAt: T0 + 5_000 }));
    expect(error.details.retryAfterSeconds).toBe(60);
    time.advance(60_000);
    await expect(
      client.requestJson('/events', { deadlineAt: time.now() + 500 }),
    ).resolves.toMatchObject({
      status: 200,
    });
  });

  it('waits a Retry-After of 1 s that fits the deadline once: the pause is that same wait', async () => {
    const { server, client } = await startLimited([
      status(429, { 'retry-after': '1' }),
      ok({ n: 1 }),
    ]);
    const response = await client.requestJson('/events', { deadlineAt: T0 + 5_000 });
    expect(response.body).toEqual({ n: 1 });
    expect(time.sleeps).toEqual([1_000]);
    expect(server.requests).toHaveLength(2);
  });

  it('reports a longer pause that began while its request was under way', async () => {
    const gate = createGate();
    const { server, client, bucket } = await startLimited([
      held(gate, status(429, { 'retry-after': '10' })),
    ]);
    const call = failureOf(client.requestJson('/events', { deadlineAt: T0 + 5_000 }));
    await until(() => server.requests.length === 1);
    // As a 429 with a longer hint on another source of the credential leaves it.
    bucket.pauseUntil(T0 + 250_000);
    gate.open();
    const error = await call;
    expect(error.details.retryAfterSeconds).toBe(250);
    expect(bucket.readyInMs()).toBe(250_000);
  });

  it('answers CIRCUIT_OPEN with the end of a pause that outlasts the open circuit', async () => {
    const breaker = createCircuitBreaker({ failureThreshold: 1, openMs: 10_000, now: time.now });
    const { server, client, bucket } = await startLimited([status(503)], {
      circuitBreaker: breaker,
      maxRetries: 0,
    });
    await failureOf(client.requestJson('/events'));
    // As a 429 on another source of the credential leaves it.
    bucket.pauseUntil(T0 + 300_000);
    const error = await failureOf(client.requestJson('/events'));
    expect(error.code).toBe('CIRCUIT_OPEN');
    expect(error.details.retryAfterSeconds).toBe(300);
    expect(server.requests).toHaveLength(1);
  });

  it('answers CIRCUIT_OPEN with its own time left when the credential is not paused', async () => {
    const breaker = createCircuitBreaker({ failureThreshold: 1, openMs: 10_000, now: time.now });
    const { client } = await startLimited([status(503)], {
      circuitBreaker: breaker,
      maxRetries: 0,
    });
    await failureOf(client.requestJson('/events'));
    const error = await failureOf(client.requestJson('/events'));
    expect([error.code, error.details.retryAfterSeconds]).toEqual(['CIRCUIT_OPEN', 10]);
  });
});

describe('createHttpClient client-side rate limit', () => {
  it('takes a token for every attempt, retries included', async () => {
    const deadlines: (number | undefined)[] = [];
    const limiter: TokenBucket = {
      acquire: (deadlineAt) => {
        deadlines.push(deadlineAt);
        return Promise.resolve();
      },
      pauseUntil: () => undefined,
      readyInMs: () => 0,
    };
    const { server, client } = await start([status(503), { type: 'reset' }, ok()], {
      rateLimiter: limiter,
      retryBudgetMinPerSecond: 10,
    });
    await client.requestJson('/events', { deadlineAt: T0 + 5_000 });
    expect(server.requests).toHaveLength(3);
    // Each token is asked for with room left for its request after it.
    const tokenBy = T0 + 5_000 - MIN_TIME_AFTER_TOKEN_MS;
    expect(deadlines).toEqual([tokenBy, tokenBy, tokenBy]);
  });

  it('waits for the token of a retry when the wait fits the deadline', async () => {
    const bucket = createTokenBucket({ capacity: 1, refillPerSecond: 10, ...time });
    const { server, client } = await start([status(503), ok()], { rateLimiter: bucket });
    await client.requestJson('/events', { deadlineAt: T0 + 5_000 });
    expect(server.requests).toHaveLength(2);
    // The backoff (50 ms), then the rest of the second token's refill (50 ms).
    expect(time.sleeps).toEqual([50, 50]);
  });

  it('fails a first attempt the limit cannot serve in time with SOURCE_RATE_LIMITED', async () => {
    const bucket = createTokenBucket({ capacity: 1, refillPerSecond: 0.01, ...time });
    const { server, client } = await start([ok()], { rateLimiter: bucket });
    await client.requestJson('/events?page=1');
    const error = await failureOf(client.requestJson('/events?page=2', { deadlineAt: T0 + 5_000 }));
    expect(error.code).toBe('SOURCE_RATE_LIMITED');
    expect(server.requests).toHaveLength(1);
  });

  it('fails a retry the limit cannot serve in time with the error of the attempt it retries', async () => {
    const bucket = createTokenBucket({ capacity: 1, refillPerSecond: 0.01, ...time });
    const breaker = createCircuitBreaker({ failureThreshold: 1, now: time.now });
    const { server, client } = await start([status(503), ok()], {
      rateLimiter: bucket,
      circuitBreaker: breaker,
    });
    const error = await failureOf(client.requestJson('/events', { deadlineAt: T0 + 5_000 }));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.details.upstreamStatus).toBe(503);
    expect(server.requests).toHaveLength(1);
    // The upstream failed, and the breaker hears so: a rate limit would have counted as neutral.
    expect(breaker.state()).toBe('open');
  });
});

describe('createHttpClient errors', () => {
  it('never puts a header value, the query string or the body into an error message', async () => {
    const steps: Step[] = [status(503), status(429, { 'retry-after': '3600' }), status(400)];
    const { client } = await start(steps, { maxRetries: 0 });
    for (let index = 0; index < steps.length; index += 1) {
      const error = await failureOf(
        client.requestJson('/events?token=query-secret', {
          headers: { authorization: 'header-secret' },
        }),
      );
      expect(error.message).toContain('src-a');
      for (const secret of ['query-secret', 'header-secret', 'upstream-body-secret']) {
        expect(error.message).not.toContain(secret);
        expect(JSON.stringify(error.details)).not.toContain(secret);
      }
    }
  });

  it.each([
    ['maxRetries', -1],
    ['backoffBaseMs', 1.5],
    ['maxRateLimitWaitMs', Number.NaN],
  ])('refuses %s = %p at construction', (name, value) => {
    expect(() =>
      createHttpClient({ baseUrl: 'http://127.0.0.1:1', sourceId: 's', [name]: value }),
    ).toThrow(name);
  });
});
