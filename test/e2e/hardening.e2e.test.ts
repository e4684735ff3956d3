import { generateApiKey } from '../../src/auth/generateApiKey';
import { hashApiKey } from '../../src/auth/hashApiKey';
import type { AuditgraphConfig } from '../../src/config/types';
import type { FastlyEmulator } from '../../src/emulators/fastly/startFastlyEmulator';
import type { Demo } from '../../src/emulators/startDemoEmulators';
import { startDemoEmulators } from '../../src/emulators/startDemoEmulators';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG } from '../support/demoConfig';

/**
 * What an outside review of the live gateway found, over real HTTP against the emulators: an
 * upstream id that would make a cursor auditgraph refuses, personal data in ids and filters, an
 * inverted window.
 */

const DASHBOARD_KEY = generateApiKey();
const AUDITOR_KEY = generateApiKey();
const HOUR_MS = 60 * 60_000;

const PAGE = `query Page($first: Int, $after: String, $filter: AuditEventFilter) {
  auditEvents(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id nativeId source { id } resource { id key } redacted } }
    pageInfo { hasNextPage endCursor }
    sources { source { id } state message }
  }
}`;

describe('the live gateway against hostile upstream data and probing clients', () => {
  let demo: Demo;
  let app: Auditgraph;
  let fastly: FastlyEmulator;
  let upstreamRequests = 0;
  const nowMs = Date.now();

  beforeAll(async () => {
    const small = 30;
    demo = await startDemoEmulators({
      seed: 12,
      nowMs,
      counts: {
        fastly: small,
        'cloudflare-v1': small,
        'cloudflare-v2': small,
        'fusionauth-event-log': small,
        'fusionauth-audit-log': small,
        nirvana: small,
      },
    });
    fastly = demo.emulators.find((emulator) => emulator.name === 'fastly') as FastlyEmulator;
    const config: AuditgraphConfig = {
      ...DEMO_CONFIG,
      mode: 'live',
      sources: demo.sources,
      cursorSecret: 'a-hardening-cursor-secret-of-32-chars',
      auth: {
        apiKeys: [
          { id: 'dashboard', sha256: hashApiKey(DASHBOARD_KEY), sources: ['*'], permissions: [] },
          { id: 'auditor', sha256: hashApiKey(AUDITOR_KEY), sources: ['*'], permissions: ['pii'] },
        ],
        jwt: null,
        allowUnauthenticated: false,
      },
    };
    app = await startAuditgraph(config, {
      log: () => undefined,
      onUpstreamRequest: () => {
        upstreamRequests += 1;
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await demo?.close();
  });

  async function post(key: string, variables: Record<string, unknown>) {
    const before = upstreamRequests;
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${key}`,
      },
      body: JSON.stringify({ query: PAGE, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: any[] };
    return { status: response.status, ...body, upstream: upstreamRequests - before };
  }

  /** A Fastly record as the API sends it, minutes ago. */
  function fastlyRecord(id: string, serviceId: string, minutesAgo: number) {
    return {
      id,
      type: 'event',
      attributes: {
        created_at: new Date(Math.floor((nowMs - minutesAgo * 60_000) / 1000) * 1000).toISOString(),
        event_type: 'service.update',
        description: 'Updated a service',
        service_id: serviceId,
        user_id: 'u-1',
        customer_id: 'c-1',
        ip: null,
        admin: false,
        token_id: null,
        metadata: {},
      },
    };
  }

  it('shows no email in ids, global ids or cursors to a client without pii, and lists what it hid', async () => {
    fastly.insert(fastlyRecord('evt-bob@corp.example', 'svc-bob@corp.example', 0.5));
    const filter = { sources: ['fastly'], since: new Date(nowMs - HOUR_MS).toISOString() };
    const dashboard = await post(DASHBOARD_KEY, { first: 1, filter });
    const node = dashboard.data.auditEvents.edges[0].node;
    expect(node.nativeId).toMatch(/^\[redacted:[A-Za-z0-9_-]{16}\]$/);
    expect(node.resource.id).toMatch(/^\[redacted:[A-Za-z0-9_-]{16}\]$/);
    expect(node.redacted).toEqual(['nativeId', 'resource.id', 'raw']);
    const everything = JSON.stringify(dashboard.data);
    const decoded = everything
      .split(/[^A-Za-z0-9_-]+/)
      .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
      .join(' ');
    for (const shown of [everything, decoded]) {
      expect(shown).not.toContain('bob');
      expect(shown).not.toContain('corp.example');
    }
    const auditor = await post(AUDITOR_KEY, { first: 1, filter });
    expect(auditor.data.auditEvents.edges[0].node).toMatchObject({
      nativeId: 'evt-bob@corp.example',
      resource: { id: 'svc-bob@corp.example' },
      redacted: [],
    });
    // The same event has the same id for both clients.
    expect(auditor.data.auditEvents.edges[0].node.id).toBe(node.id);
  });

  it('refuses a filter probing an email through resourceIds, with no upstream request', async () => {
    const answer = await post(DASHBOARD_KEY, {
      filter: { resourceIds: ['svc-bob@corp.example'] },
    });
    expect(answer.data).toBeNull();
    expect(answer.errors).toEqual([
      {
        message:
          'filter.resourceIds (a value with an email or IP address) matches personal data, which this client may not read',
        extensions: { code: 'FORBIDDEN' },
        path: ['auditEvents'],
        locations: [{ line: 2, column: 3 }],
      },
    ]);
    expect(answer.upstream).toBe(0);
  });

  it('refuses an inverted window naming both bounds, with no upstream request', async () => {
    const answer = await post(AUDITOR_KEY, {
      filter: { since: '2026-03-02T10:00:00Z', before: '2026-03-02T09:00:00Z' },
    });
    expect(answer.data).toBeNull();
    expect(answer.errors).toEqual([
      expect.objectContaining({
        message:
          'filter.since (2026-03-02T10:00:00.000Z) is later than filter.before (2026-03-02T09:00:00.000Z); since is inclusive, before exclusive',
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ]);
    expect(answer.upstream).toBe(0);
  });
  it('fails a source whose record has a 200,000-character id, and every cursor still goes on', async () => {
    // Last of the suite: the record stays in the emulator.
    fastly.insert(fastlyRecord('x'.repeat(200_000), 'svc-1', 1));
    const page1 = await post(AUDITOR_KEY, { first: 5 });
    const status = page1.data.auditEvents.sources.find((s: any) => s.source.id === 'fastly');
    expect(status).toEqual({
      source: { id: 'fastly' },
      state: 'FAILED',
      message: expect.stringContaining('does not match the Fastly events API'),
    });
    expect(page1.errors).toEqual([
      expect.objectContaining({
        extensions: { code: 'SOURCE_BAD_RESPONSE', sourceId: 'fastly' },
      }),
    ]);
    const others = page1.data.auditEvents.sources.filter((s: any) => s.source.id !== 'fastly');
    expect(others.every((s: any) => s.state === 'OK')).toBe(true);
    const cursor = page1.data.auditEvents.pageInfo.endCursor as string;
    expect(cursor.length).toBeLessThan(4_000);
    const page2 = await post(AUDITOR_KEY, { first: 5, after: cursor });
    expect(page2.errors?.some((e: any) => e.extensions.code === 'BAD_USER_INPUT')).toBe(false);
    expect(page2.data.auditEvents.edges).toHaveLength(5);
  });
});
