import type { HttpClient, HttpClientOptions } from '../../../src/http/createHttpClient';
import { createHttpClient } from '../../../src/http/createHttpClient';
import { createFakeTime, failureOf } from './fakeClocks';
import type { ScriptedServer, Step } from './startScriptedServer';
import { ok, startScriptedServer, status } from './startScriptedServer';

let server: ScriptedServer | undefined;
let client: HttpClient | undefined;
let time = createFakeTime();

async function start(steps: readonly Step[], options: Partial<HttpClientOptions> = {}) {
  server = await startScriptedServer(steps);
  client = createHttpClient({
    baseUrl: server.url,
    sourceId: 'src-a',
    now: time.now,
    sleep: time.sleep,
    random: () => 0.5,
    ...options,
  });
  return { server, client };
}

/** mulberry32: a seeded generator, so the "random" upstream is the same on every run. */
function createSeededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An upstream that fails half of its requests, at random. */
function halfFailing(requests: number, seed: number): Step[] {
  const random = createSeededRandom(seed);
  return Array.from({ length: requests }, () => (random() < 0.5 ? status(503) : ok()));
}

/** Makes `calls` calls one after the other and counts those that failed. */
async function callInTurn(client: HttpClient, calls: number): Promise<number> {
  let failed = 0;
  for (let call = 0; call < calls; call += 1) {
    await client.requestJson(`/events?call=${call}`).catch(() => {
      failed += 1;
    });
  }
  return failed;
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

describe('createHttpClient retry budget', () => {
  it('keeps upstream requests within 1.2× the calls when half of them fail (R7)', async () => {
    const { server, client } = await start(halfFailing(3_000, 7));
    const failed = await callInTurn(client, 1_000);
    expect(server.requests.length).toBeLessThanOrEqual(1_200);
    // The budget is used, not merely never reached: about 200 retries were made...
    expect(server.requests.length).toBeGreaterThan(1_150);
    // ...and calls still failed, where two retries each would have saved most of them.
    expect(failed).toBeGreaterThan(200);
  });

  it('is what bounds the retries: with an unlimited budget the same upstream gets far more', async () => {
    const { server, client } = await start(halfFailing(3_000, 7), {
      retryBudgetRatio: 10,
      retryBudgetMaxTokens: 1_000,
    });
    await callInTurn(client, 1_000);
    expect(server.requests.length).toBeGreaterThan(1_600);
  });

  it('still retries a single reset on a healthy source: exactly 2 requests (R4)', async () => {
    const steps: Step[] = [...Array<Step>(50).fill(ok()), { type: 'reset' }, ok({ n: 51 })];
    const { server, client } = await start(steps);
    await callInTurn(client, 50);
    expect((await client.requestJson('/events')).body).toEqual({ n: 51 });
    expect(server.requests).toHaveLength(52);
  });

  it('returns the transient error at once when the budget has no credit left', async () => {
    const { server, client } = await start([{ type: 'reset' }]);
    // A new client's one credit pays for the first call's retry.
    await failureOf(client.requestJson('/events'));
    expect(server.requests).toHaveLength(2);
    const error = await failureOf(client.requestJson('/events'));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(server.requests).toHaveLength(3);
    expect(time.sleeps).toEqual([50]);
  });

  it('pays for 429 waits too: without a credit the hint is reported at once', async () => {
    const { server, client } = await start([
      status(503),
      status(503),
      status(429, { 'retry-after': '1' }),
      ok(),
    ]);
    await failureOf(client.requestJson('/events'));
    const error = await failureOf(client.requestJson('/events'));
    expect(error.code).toBe('SOURCE_RATE_LIMITED');
    expect(error.details.retryAfterSeconds).toBe(1);
    expect(server.requests).toHaveLength(3);
  });

  it('lets a source that was quiet for a second retry again', async () => {
    const { server, client } = await start([
      { type: 'reset' },
      { type: 'reset' },
      { type: 'reset' },
      ok(),
    ]);
    await failureOf(client.requestJson('/events'));
    time.advance(1_000);
    await client.requestJson('/events');
    expect(server.requests).toHaveLength(4);
  });

  it.each([
    ['retryBudgetRatio', -1, /ratio/],
    ['retryBudgetMaxTokens', 0, /maxTokens/],
    ['retryBudgetMinPerSecond', Number.NaN, /minPerSecond/],
  ])('refuses %s = %p at construction', (name, value, message) => {
    expect(() =>
      createHttpClient({ baseUrl: 'http://127.0.0.1:1', sourceId: 's', [name]: value }),
    ).toThrow(message);
  });
});
