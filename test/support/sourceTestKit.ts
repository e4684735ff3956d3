import type { EmulatorServer, RecordedRequest } from '../../src/emulators/startEmulatorServer';
import { createHttpClient, type HttpClient } from '../../src/http/createHttpClient';
import { AuditgraphError } from '../../src/model/errors';
import type { ListPage, Source } from '../../src/model/Source';
import { settleAuditEvent } from '../../src/model/lazyAuditEvent';

/**
 * What a source's unit tests share: one emulator per test file, an HTTP client on it, the source
 * under test, and a look at what the source asked for. Every test starts from the emulator's
 * defaults: no requests recorded, no faults queued, ties shuffled.
 */
export interface SourceTestKit<E extends EmulatorServer> {
  readonly emulator: E;
  readonly http: HttpClient;
  readonly source: Source;
  /**
   * A page with every event settled, as the feed settles an event before delivering it: the
   * mapped events, or the error of the first record that is not a valid one of its API.
   */
  listSettled(...args: Parameters<Source['list']>): Promise<ListPage>;
  /** The last request the emulator received; fails the test when there was none. */
  lastRequest(): RecordedRequest;
  /** The emulator answers the next request with a 200 and this body, as a changed upstream might. */
  respondOnce(body: unknown): void;
}

export interface SourceTestKitSetup<E extends EmulatorServer> {
  readonly startEmulator: () => Promise<E>;
  /** The id the HTTP client names in its errors. */
  readonly sourceId: string;
  /** The API's base path on the emulator (Cloudflare's `/client/v4`); none by default. */
  readonly basePath?: string;
  readonly createSource: (http: HttpClient, emulator: E) => Source;
}

/** Registers the hooks that start and stop the kit; its members are there from `beforeAll` on. */
export function useSourceTestKit<E extends EmulatorServer>(
  setup: SourceTestKitSetup<E>,
): SourceTestKit<E> {
  let started: { emulator: E; http: HttpClient; source: Source } | null = null;
  const current = () => {
    if (started === null) throw new Error('the source test kit is used outside its tests');
    return started;
  };

  beforeAll(async () => {
    const emulator = await setup.startEmulator();
    const http = createHttpClient({
      baseUrl: `${emulator.url}${setup.basePath ?? ''}`,
      sourceId: setup.sourceId,
    });
    started = { emulator, http, source: setup.createSource(http, emulator) };
  });
  afterAll(async () => {
    if (started === null) return;
    await started.http.close();
    await started.emulator.close();
  });
  beforeEach(() => {
    const { emulator } = current();
    emulator.resetRequests();
    emulator.knobs.faults.length = 0;
    emulator.knobs.shuffleTies = true;
  });

  return {
    get emulator() {
      return current().emulator;
    },
    get http() {
      return current().http;
    },
    get source() {
      return current().source;
    },
    async listSettled(...args) {
      const page = await current().source.list(...args);
      return { ...page, events: page.events.map(settleAuditEvent) };
    },
    lastRequest() {
      const request = current().emulator.requests.at(-1);
      if (request === undefined) throw new Error('no request was made');
      return request;
    },
    respondOnce(body) {
      current().emulator.knobs.faults.push({ fault: { type: 'status', status: 200, body } });
    },
  };
}

/** The AuditgraphError a promise rejects with; fails the test when it resolves or fails otherwise. */
export async function failureOf(promise: Promise<unknown>): Promise<AuditgraphError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AuditgraphError);
  return error as AuditgraphError;
}
