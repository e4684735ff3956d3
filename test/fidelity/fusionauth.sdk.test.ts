import { EventLogType, FusionAuthClient } from '@fusionauth/typescript-client';
import { createRandom } from '../../src/emulators/dataset/createRandom';
import { createPeople } from '../../src/emulators/dataset/people';
import { generateFusionAuthAuditLogRecords } from '../../src/emulators/fusionauth/generateFusionAuthAuditLogRecords';
import { generateFusionAuthEventLogRecords } from '../../src/emulators/fusionauth/generateFusionAuthEventLogRecords';
import {
  startFusionAuthEmulator,
  type FusionAuthEmulator,
} from '../../src/emulators/fusionauth/startFusionAuthEmulator';
import type { AuditLogWire } from '../../src/providers/fusionauth-audit-log/AuditLogWire';
import type { EventLogWire } from '../../src/providers/fusionauth-event-log/EventLogWire';

/**
 * The official `@fusionauth/typescript-client` against the FusionAuth emulator, constructed as
 * a client would (`new FusionAuthClient(apiKey, host, tenantId?)`): searchEventLogs,
 * retrieveEventLog, searchAuditLogs, retrieveAuditLog. The SDK POSTs `{search: {...}}` bodies and
 * reads only `application/json` responses, so a wrong content type would show as an empty answer.
 */

const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 4) };
const TENANT_ID = '6c9e9669-9670-4f85-9f16-8396c2206f7f';

const random = createRandom(20260903);
const people = createPeople(random.fork('people'));
const eventLogs = generateFusionAuthEventLogRecords(random.fork('event'), people, WINDOW, 90);
const auditLogs = generateFusionAuthAuditLogRecords(random.fork('audit'), people, WINDOW, 80);

let emulator: FusionAuthEmulator;
let client: FusionAuthClient;

beforeAll(async () => {
  emulator = await startFusionAuthEmulator({ eventLogs, auditLogs, tenantId: TENANT_ID });
  client = new FusionAuthClient(emulator.apiKey, emulator.url);
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.resetRequests();
  emulator.knobs.shuffleTies = false;
});

const ids = (entries: readonly { id?: number }[] | undefined) => (entries ?? []).map((e) => e.id);
const newestFirst = <T>(entries: readonly T[]): T[] => [...entries].reverse();
/** What a call rejected with: the SDK throws its ClientResponse. */
async function rejectionOf(
  call: Promise<unknown>,
): Promise<{ statusCode?: number; exception?: unknown }> {
  try {
    await call;
  } catch (error) {
    return error as { statusCode?: number; exception?: unknown };
  }
  throw new Error('the call succeeded');
}
const contains = (text: string | null | undefined, part: string) =>
  typeof text === 'string' && text.toLowerCase().includes(part.toLowerCase());

describe('FusionAuth SDK: event log', () => {
  it('searches with the defaults: the 25 newest entries and the total', async () => {
    const response = await client.searchEventLogs({ search: {} });

    expect(response.statusCode).toBe(200);
    expect(response.response.total).toBe(90);
    expect(response.response.eventLogs).toEqual(newestFirst(emulator.eventLogs).slice(0, 25));
    const request = emulator.requests.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', path: '/api/system/event-log/search' });
    expect(request.headers['authorization']).toBe(emulator.apiKey);
    expect(request.headers['content-type']).toBe('application/json');
  });

  it('applies start, end, type, message, orderBy, startRow and numberOfResults', async () => {
    const start = WINDOW.fromMs + 6 * 3_600_000;
    const end = WINDOW.toMs - 6 * 3_600_000;
    const matching = emulator.eventLogs.filter(
      (entry: EventLogWire) =>
        entry.insertInstant >= start &&
        entry.insertInstant <= end &&
        entry.type === 'Error' &&
        contains(entry.message, 'webhook'),
    );
    expect(matching.length).toBeGreaterThan(3);

    const response = await client.searchEventLogs({
      search: {
        start,
        end,
        type: EventLogType.Error,
        message: 'webhook',
        orderBy: 'insertInstant ASC',
        startRow: 1,
        numberOfResults: 2,
      },
    });

    expect(response.response.total).toBe(matching.length);
    expect(response.response.eventLogs).toEqual(matching.slice(1, 3));
  });

  it('pages by startRow until the total and sees every entry exactly once', async () => {
    emulator.knobs.shuffleTies = true;
    const seen: number[] = [];
    for (let startRow = 0; ; startRow += 20) {
      const { response } = await client.searchEventLogs({
        search: { startRow, numberOfResults: 20 },
      });
      seen.push(...ids(response.eventLogs).map(Number));
      if (startRow + 20 >= (response.total ?? 0)) break;
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(ids(emulator.eventLogs));
  });

  it('retrieves one entry by its Long id', async () => {
    const entry = emulator.eventLogs[17]!;
    const response = await client.retrieveEventLog(entry.id);
    expect(response.response).toEqual({ eventLog: entry });
    expect(emulator.requests.at(-1)!.path).toBe(`/api/system/event-log/${entry.id}`);
  });

  it('rejects an unknown id with a 404 and no body', async () => {
    // An empty body (documented): the SDK parses nothing into `exception`.
    expect(await rejectionOf(client.retrieveEventLog(987_654_321))).toEqual({ statusCode: 404 });
  });

  it('rejects invalid criteria with a 400 whose Errors the SDK parses', async () => {
    await expect(client.searchEventLogs({ search: { numberOfResults: 0 } })).rejects.toMatchObject({
      statusCode: 400,
      exception: { fieldErrors: { 'search.numberOfResults': [expect.any(Object)] } },
    });
  });
});

describe('FusionAuth SDK: audit log', () => {
  it('searches by user and message, oldest first, every field as stored', async () => {
    const sample = emulator.auditLogs.find((entry) => entry.insertUser)!;
    const user = sample.insertUser!.toUpperCase();
    const word = sample.message.split(' ')[0]!;
    const matching = emulator.auditLogs.filter(
      (entry: AuditLogWire) => contains(entry.insertUser, user) && contains(entry.message, word),
    );

    const response = await client.searchAuditLogs({
      search: { user, message: word, orderBy: 'insertInstant ASC', numberOfResults: 100 },
    });

    expect(response.response.total).toBe(matching.length);
    expect(response.response.auditLogs).toEqual(matching);
  });

  it('searches a time range newest first by default', async () => {
    const start = WINDOW.fromMs + 86_400_000;
    const end = WINDOW.toMs;
    const response = await client.searchAuditLogs({
      search: { start, end, numberOfResults: 1000 },
    });
    const expected = newestFirst(
      emulator.auditLogs.filter(
        (entry) => entry.insertInstant >= start && entry.insertInstant <= end,
      ),
    );
    expect(ids(response.response.auditLogs)).toEqual(ids(expected));
  });

  it('retrieves one entry by its Long id, with its values and data', async () => {
    const entry = emulator.auditLogs.find((candidate) => candidate.newValue !== undefined)!;
    const response = await client.retrieveAuditLog(entry.id);
    expect(response.response).toEqual({ auditLog: entry });
    expect(emulator.requests.at(-1)!.path).toBe(`/api/system/audit-log/${entry.id}`);
  });

  it('rejects an unknown id with a 404 and no body', async () => {
    // An empty body (documented): the SDK parses nothing into `exception`.
    expect(await rejectionOf(client.retrieveAuditLog(987_654_321))).toEqual({ statusCode: 404 });
  });
});

describe('FusionAuth SDK: credentials', () => {
  it('sends X-FusionAuth-TenantId from the client tenant id, and the emulator honours it', async () => {
    const sameTenant = new FusionAuthClient(emulator.apiKey, emulator.url, TENANT_ID);
    await expect(sameTenant.searchAuditLogs({ search: {} })).resolves.toMatchObject({
      statusCode: 200,
    });
    expect(emulator.requests.at(-1)!.headers['x-fusionauth-tenantid']).toBe(TENANT_ID);

    const otherTenant = new FusionAuthClient(
      emulator.apiKey,
      emulator.url,
      '00000000-0000-4000-8000-000000000000',
    );
    await expect(otherTenant.searchAuditLogs({ search: {} })).rejects.toMatchObject({
      statusCode: 401,
    });
  });

  it('rejects a wrong API key with a 401 and no body', async () => {
    const wrong = new FusionAuthClient('not-the-key', emulator.url);
    // An empty body (documented): the SDK parses nothing into `exception`.
    expect(await rejectionOf(wrong.searchEventLogs({ search: {} }))).toEqual({ statusCode: 401 });
  });
});
