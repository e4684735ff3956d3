import { get } from 'node:http';
import { Client } from 'undici';
import type { EmulatorServer } from '../../../src/emulators/startEmulatorServer';
import { startEmulatorServer } from '../../../src/emulators/startEmulatorServer';

/**
 * The fault knobs of the emulator harness that the end-to-end fault tests lean on: each must do
 * to a client exactly what its name says, or those tests would prove nothing.
 */

const BODY = { items: [1, 2, 3], next: null };
const PAYLOAD = JSON.stringify(BODY);

let emulator: EmulatorServer;

beforeEach(async () => {
  emulator = await startEmulatorServer({
    name: 'harness',
    routes: [
      { method: 'GET', pattern: '/items', handle: () => ({ status: 200, body: BODY }) },
      { method: 'GET', pattern: '/other', handle: () => ({ status: 200, body: { other: true } }) },
    ],
    authenticate: () => null,
    notFound: () => ({ status: 404 }),
  });
});
afterEach(() => emulator.close());

interface RawResponse {
  readonly status: number;
  readonly contentLength: string | undefined;
  readonly received: string;
  /** Whether the whole message arrived (Node's `IncomingMessage.complete`). */
  readonly complete: boolean;
  readonly headersAfterMs: number;
}

/** A GET on a fresh connection that reports what arrived, even when the response breaks off. */
function rawGet(path: string): Promise<RawResponse> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const request = get(`${emulator.url}${path}`, { agent: false }, (response) => {
      const headersAfterMs = Date.now() - started;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', () => undefined);
      response.on('close', () =>
        resolve({
          status: response.statusCode ?? 0,
          contentLength: response.headers['content-length'],
          received: Buffer.concat(chunks).toString('utf8'),
          complete: response.complete,
          headersAfterMs,
        }),
      );
    });
    request.on('error', reject);
  });
}

/** Polls until `read` returns `expected`, or gives up after `withinMs` and returns what it saw. */
async function settle<T>(read: () => T, expected: T, withinMs = 2_000): Promise<T> {
  const until = Date.now() + withinMs;
  let value = read();
  while (value !== expected && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    value = read();
  }
  return value;
}

describe('the hang fault', () => {
  it('sends nothing, not even the headers, for delayMs, then answers as usual', async () => {
    emulator.knobs.faults.push({ fault: { type: 'hang', delayMs: 300 } });
    const response = await rawGet('/items');
    expect(response.headersAfterMs).toBeGreaterThanOrEqual(280);
    expect(response).toMatchObject({ status: 200, complete: true, received: PAYLOAD });
  });

  it('stops waiting as soon as the client gives up, leaving no response pending', async () => {
    emulator.knobs.faults.push({ fault: { type: 'hang', delayMs: 30_000 } });
    const client = new Client(emulator.url);
    const started = Date.now();
    await expect(
      client.request({ path: '/items', method: 'GET', signal: AbortSignal.timeout(100) }),
    ).rejects.toThrow();
    await client.close();
    expect(await settle(() => emulator.pendingResponses(), 0)).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await rawGet('/items')).toMatchObject({ status: 200, received: PAYLOAD });
  });
});

describe('the slow-body fault', () => {
  it('sends the headers at once and holds the body back for delayMs', async () => {
    emulator.knobs.faults.push({ fault: { type: 'slow-body', delayMs: 300 } });
    const started = Date.now();
    const response = await rawGet('/items');
    expect(response.headersAfterMs).toBeLessThan(250);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(response).toMatchObject({ status: 200, complete: true, received: PAYLOAD });
  });

  it('stops holding the body back as soon as the client gives up', async () => {
    emulator.knobs.faults.push({ fault: { type: 'slow-body', delayMs: 30_000 } });
    const client = new Client(emulator.url);
    const response = await client.request({
      path: '/items',
      method: 'GET',
      signal: AbortSignal.timeout(150),
    });
    expect(response.statusCode).toBe(200);
    await expect(response.body.text()).rejects.toThrow();
    await client.close();
    expect(await settle(() => emulator.pendingResponses(), 0)).toBe(0);
  });
});

describe('the truncated-body fault', () => {
  it('declares one byte more than the whole body it sends, then closes the connection', async () => {
    emulator.knobs.faults.push({ fault: { type: 'truncated-body' } });
    const response = await rawGet('/items');
    expect(response).toMatchObject({
      status: 200,
      contentLength: String(Buffer.byteLength(PAYLOAD) + 1),
      // What arrived parses, which is the point: only the length says it is not all there.
      received: PAYLOAD,
      complete: false,
    });
  });

  it('sends only the first `bytes` of the body when asked', async () => {
    emulator.knobs.faults.push({ fault: { type: 'truncated-body', bytes: 5 } });
    const response = await rawGet('/items');
    expect(response).toMatchObject({ received: PAYLOAD.slice(0, 5), complete: false });
  });

  it('makes undici fail the body instead of returning what arrived', async () => {
    emulator.knobs.faults.push({ fault: { type: 'truncated-body' } });
    const client = new Client(emulator.url);
    const response = await client.request({ path: '/items', method: 'GET' });
    await expect(response.body.text()).rejects.toThrow();
    await client.close();
  });
});

describe('fault rules', () => {
  it('apply to the paths under pathPrefix only, for `times` requests', async () => {
    emulator.knobs.faults.push({
      fault: { type: 'status', status: 503, body: { error: 'down' } },
      pathPrefix: '/other',
      times: 2,
    });
    expect(await rawGet('/items')).toMatchObject({ status: 200 });
    expect(await rawGet('/other')).toMatchObject({ status: 503, received: '{"error":"down"}' });
    expect(await rawGet('/other')).toMatchObject({ status: 503 });
    expect(await rawGet('/other')).toMatchObject({ status: 200, received: '{"other":true}' });
    expect(emulator.knobs.faults).toEqual([]);
  });
});

describe('connection accounting', () => {
  it('counts keep-alive connections until the client closes them', async () => {
    const client = new Client(emulator.url);
    const response = await client.request({ path: '/items', method: 'GET' });
    await response.body.text();
    expect(emulator.openConnections()).toBe(1);
    expect(emulator.pendingResponses()).toBe(0);
    await client.close();
    expect(await settle(() => emulator.openConnections(), 0)).toBe(0);
  });

  it('counts a response in progress as pending until it finishes', async () => {
    emulator.knobs.faults.push({ fault: { type: 'hang', delayMs: 200 } });
    const answered = rawGet('/items');
    expect(await settle(() => emulator.pendingResponses(), 1)).toBe(1);
    await answered;
    expect(await settle(() => emulator.pendingResponses(), 0)).toBe(0);
  });
});
