import { createCircuitBreaker } from '../../../src/http/createCircuitBreaker';
import type { CircuitState } from '../../../src/http/createCircuitBreaker';
import type { HttpClient, HttpClientOptions } from '../../../src/http/createHttpClient';
import { createHttpClient } from '../../../src/http/createHttpClient';
import { createTokenBucket } from '../../../src/http/createTokenBucket';
import type { AttemptEnd, AttemptStart, HttpObserver } from '../../../src/http/HttpObserver';
import type { ScriptedServer, Step } from './startScriptedServer';
import { createFakeTime } from './fakeClocks';
import { createGate, held, ok, startScriptedServer, status } from './startScriptedServer';

/** What an observer heard, in order. */
type Heard =
  | { readonly type: 'attempt'; readonly start: AttemptStart; end?: AttemptEnd }
  | { readonly type: 'rate-limit'; readonly outcome: string; readonly waitMs: number }
  | { readonly type: 'retry'; readonly after: string; readonly delayMs: number }
  | { readonly type: 'coalesced' }
  | { readonly type: 'circuit'; readonly from: CircuitState; readonly to: CircuitState };

function createRecordingObserver(): { observer: HttpObserver; heard: Heard[] } {
  const heard: Heard[] = [];
  return {
    heard,
    observer: {
      attempt: (start) => {
        const entry: Heard = { type: 'attempt', start };
        heard.push(entry);
        return (end) => {
          entry.end = end;
        };
      },
      rateLimit: (outcome, waitMs) => heard.push({ type: 'rate-limit', outcome, waitMs }),
      retry: (after, delayMs) => heard.push({ type: 'retry', after, delayMs }),
      coalesced: () => heard.push({ type: 'coalesced' }),
      circuit: (from, to) => heard.push({ type: 'circuit', from, to }),
    },
  };
}

let server: ScriptedServer | undefined;
let client: HttpClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function start(steps: readonly Step[], options: Partial<HttpClientOptions>) {
  server = await startScriptedServer(steps);
  client = createHttpClient({
    baseUrl: server.url,
    sourceId: 'fastly',
    random: () => 0.5,
    ...options,
  });
  return client;
}

describe('the HTTP client tells its observer', () => {
  it('of each attempt with its number, status and outcome, and of the retry between them', async () => {
    const time = createFakeTime();
    const { observer, heard } = createRecordingObserver();
    const http = await start([status(503), ok({ n: 1 })], { ...time, observer });
    await http.requestJson('/events?actor=bob@example.com');
    const kinds = heard.map((entry) => entry.type);
    expect(kinds).toEqual(['attempt', 'retry', 'attempt']);
    const [first, retry, second] = heard;
    expect(first).toMatchObject({
      start: { method: 'GET', attempt: 1, rateLimitWaitMs: 0 },
      end: { status: 503, outcome: 'transient' },
    });
    expect(retry).toMatchObject({ after: 'transient' });
    expect(second).toMatchObject({
      start: { attempt: 2 },
      end: { status: 200, outcome: 'answered', error: null },
    });
    // Nothing of the request's path or query reaches the observer.
    expect(JSON.stringify(heard)).not.toContain('bob@example.com');
  });

  it('of a failure no retry mends, with its error', async () => {
    const { observer, heard } = createRecordingObserver();
    const http = await start([status(404)], { observer });
    await expect(http.requestJson('/events')).rejects.toMatchObject({
      code: 'SOURCE_BAD_RESPONSE',
    });
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({
      end: { status: 404, outcome: 'failed', error: { code: 'SOURCE_BAD_RESPONSE' } },
    });
  });

  it('of how long each attempt waited for the rate limiter, and of a refusal', async () => {
    const time = createFakeTime();
    const { observer, heard } = createRecordingObserver();
    const rateLimiter = createTokenBucket({ capacity: 1, refillPerSecond: 2, ...time });
    const http = await start([ok(), ok()], { ...time, observer, rateLimiter });
    await http.requestJson('/a');
    await http.requestJson('/b');
    // The third finds an empty bucket and a deadline it cannot wait for.
    await expect(http.requestJson('/c', { deadlineAt: time.now() + 100 })).rejects.toMatchObject({
      code: 'SOURCE_RATE_LIMITED',
    });
    expect(heard.filter((entry) => entry.type === 'rate-limit')).toEqual([
      { type: 'rate-limit', outcome: 'granted', waitMs: 0 },
      { type: 'rate-limit', outcome: 'granted', waitMs: 500 },
      { type: 'rate-limit', outcome: 'refused', waitMs: 0 },
    ]);
    expect(
      heard
        .filter((entry) => entry.type === 'attempt')
        .map((entry) => entry.type === 'attempt' && entry.start.rateLimitWaitMs),
    ).toEqual([0, 500]);
  });

  it('of a call that joined an identical one under way', async () => {
    const { observer, heard } = createRecordingObserver();
    const gate = createGate();
    const http = await start([held(gate, ok())], { observer });
    const first = http.requestJson('/same');
    const second = http.requestJson('/same');
    gate.open();
    await Promise.all([first, second]);
    // One attempt for both callers (whenever it goes), and the second one told it joined.
    expect(heard.map((entry) => entry.type).sort()).toEqual(['attempt', 'coalesced']);
  });
});

describe('the circuit breaker tells of each move', () => {
  it('closed → open → half-open (when the probe goes) → closed, and → open again on a failed probe', () => {
    const time = createFakeTime();
    const moves: string[] = [];
    const breaker = createCircuitBreaker({
      failureThreshold: 2,
      openMs: 1_000,
      now: time.now,
      onTransition: (from, to) => moves.push(`${from}→${to}`),
    });
    breaker.admit('fastly').settle('failure');
    expect(moves).toEqual([]);
    breaker.admit('fastly').settle('failure');
    expect(moves).toEqual(['closed→open']);
    time.advance(1_000);
    // Half-open by the clock, but nothing has moved for anyone until a call probes it.
    expect(moves).toEqual(['closed→open']);
    breaker.admit('fastly').settle('failure');
    expect(moves).toEqual(['closed→open', 'open→half-open', 'half-open→open']);
    time.advance(1_000);
    breaker.admit('fastly').settle('success');
    expect(moves).toEqual([
      'closed→open',
      'open→half-open',
      'half-open→open',
      'open→half-open',
      'half-open→closed',
    ]);
  });
});
