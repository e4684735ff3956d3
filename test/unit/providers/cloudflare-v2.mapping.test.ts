import type { AuditEvent, Json, SourceRef } from '../../../src/model/AuditEvent';
import type { AuditgraphError } from '../../../src/model/errors';
import type { CloudflareV2RecordWire } from '../../../src/providers/cloudflare-v2/cloudflareV2Wire';
import { toCloudflareV2AuditEvent } from '../../../src/providers/cloudflare-v2/toCloudflareV2AuditEvent';

const SOURCE: SourceRef = { id: 'cf-prod', kind: 'cloudflare-v2' };

/** providers.md §3, the example record. */
const DOCS_EXAMPLE: CloudflareV2RecordWire = {
  id: '8c2f0a6e1d9b4b7e9a31c5f2e7d04b18',
  account: { id: '4bb334f7c94c4a29a045f03944f072e5', name: 'Example Account' },
  action: {
    description: 'Update DNS Record',
    result: 'success',
    time: '2026-03-02T09:14:31Z',
    type: 'update',
  },
  actor: {
    id: 'f6b5de0326bb5182b8a4840ee01ec774',
    context: 'api_token',
    email: 'ops@example.com',
    ip_address: '203.0.113.7',
    token_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    token_name: 'terraform',
    type: 'user',
  },
  raw: {
    cf_ray_id: '8f1e2d3c4b5a6978',
    method: 'PATCH',
    status_code: 200,
    uri: '/zones/9a7806061c88ada191ed06f989cc3dac/dns_records/372e67954025e0ba6aaa6d586b9e0b59',
    user_agent: 'terraform-provider-cloudflare/5.9.0',
  },
  resource: {
    id: '372e67954025e0ba6aaa6d586b9e0b59',
    product: 'dns_records',
    request: { proxied: true },
    response: {},
    scope: 'zones',
    type: 'dns_record',
  },
  zone: { id: '9a7806061c88ada191ed06f989cc3dac', name: 'example.com' },
};

function record(fields: Partial<CloudflareV2RecordWire>): CloudflareV2RecordWire {
  return {
    id: '0123456789abcdef0123456789abcdef',
    action: { time: '2026-03-02T09:14:31Z', type: 'view' },
    ...fields,
  };
}

describe('toCloudflareV2AuditEvent', () => {
  it('maps the example of providers.md', () => {
    const expected: AuditEvent = {
      sourceId: 'cf-prod',
      kind: 'cloudflare-v2',
      provider: 'CLOUDFLARE',
      nativeId: '8c2f0a6e1d9b4b7e9a31c5f2e7d04b18',
      occurredAtMs: Date.UTC(2026, 2, 2, 9, 14, 31),
      action: 'update',
      category: 'UPDATE',
      outcome: 'SUCCESS',
      description: 'Update DNS Record',
      actor: {
        id: 'f6b5de0326bb5182b8a4840ee01ec774',
        type: 'USER',
        name: null,
        email: 'ops@example.com',
        token: { id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', name: 'terraform' },
        ip: '203.0.113.7',
      },
      resource: {
        id: '372e67954025e0ba6aaa6d586b9e0b59',
        type: 'dns_record',
        name: null,
        product: 'dns_records',
      },
      request: {
        ip: '203.0.113.7',
        method: 'PATCH',
        path: '/zones/9a7806061c88ada191ed06f989cc3dac/dns_records/372e67954025e0ba6aaa6d586b9e0b59',
        statusCode: 200,
        userAgent: 'terraform-provider-cloudflare/5.9.0',
        rayId: '8f1e2d3c4b5a6978',
      },
      changes: null,
      metadata: {
        account: { id: '4bb334f7c94c4a29a045f03944f072e5', name: 'Example Account' },
        zone: { id: '9a7806061c88ada191ed06f989cc3dac', name: 'example.com' },
      },
      // A parsed record is JSON; its wire type only says `unknown` of extra keys.
      raw: DOCS_EXAMPLE as unknown as Json,
    };
    expect(toCloudflareV2AuditEvent(DOCS_EXAMPLE, SOURCE)).toEqual(expected);
  });

  it('keeps the record itself as raw', () => {
    expect(toCloudflareV2AuditEvent(DOCS_EXAMPLE, SOURCE).raw).toBe(DOCS_EXAMPLE);
  });

  it('states nothing it was not told when only id, action type and time are given', () => {
    expect(toCloudflareV2AuditEvent(record({}), SOURCE)).toMatchObject({
      outcome: 'UNKNOWN',
      description: null,
      actor: null,
      resource: null,
      request: null,
      changes: null,
      metadata: null,
    });
  });

  it.each([
    ['user', 'USER'],
    ['account', 'ACCOUNT'],
    ['cloudflare_admin', 'PROVIDER_ADMIN'],
    ['system', 'SYSTEM'],
    ['robot', null],
  ])('takes actor type %s as %s', (type, expected) => {
    expect(toCloudflareV2AuditEvent(record({ actor: { id: 'x', type } }), SOURCE).actor?.type).toBe(
      expected,
    );
  });

  it.each([
    ['success', 'SUCCESS'],
    ['failure', 'FAILURE'],
    ['partial', 'UNKNOWN'],
    [null, 'UNKNOWN'],
  ])('takes action.result %p as %s', (result, outcome) => {
    const event = toCloudflareV2AuditEvent(
      record({ action: { time: '2026-03-02T09:14:31Z', type: 'create', result } }),
      SOURCE,
    );
    expect(event.outcome).toBe(outcome);
  });

  it.each([
    ['create', 'CREATE'],
    ['update', 'UPDATE'],
    ['delete', 'DELETE'],
    ['view', 'READ'],
    ['login', 'AUTH'],
    ['purge', 'OTHER'],
  ])('keeps action type %s verbatim, of category %s', (type, category) => {
    const event = toCloudflareV2AuditEvent(
      record({ action: { time: '2026-03-02T09:14:31Z', type } }),
      SOURCE,
    );
    expect(event).toMatchObject({ action: type, category });
  });

  it('names a token by its name alone when it has no id, and the address without a request', () => {
    const event = toCloudflareV2AuditEvent(
      record({ actor: { token_name: 'ci', ip_address: '2001:db8::7' } }),
      SOURCE,
    );
    expect(event.actor).toEqual({
      id: null,
      type: null,
      name: null,
      email: null,
      token: { id: null, name: 'ci' },
      ip: '2001:db8::7',
    });
    expect(event.request).toEqual({
      ip: '2001:db8::7',
      method: null,
      path: null,
      statusCode: null,
      userAgent: null,
      rayId: null,
    });
  });

  it('keeps the zone alone in metadata when there is no account, absent names as null', () => {
    const event = toCloudflareV2AuditEvent(record({ zone: { id: 'z1' } }), SOURCE);
    expect(event.metadata).toEqual({ zone: { id: 'z1', name: null } });
  });

  it.each([
    ['2024-04-26T17:31:07Z', Date.UTC(2024, 3, 26, 17, 31, 7)],
    ['2024-04-26T17:31:07.123Z', Date.UTC(2024, 3, 26, 17, 31, 7, 123)],
    ['2024-04-26T17:31:07.1234567Z', Date.UTC(2024, 3, 26, 17, 31, 7, 123)],
  ])('reads action.time %s at millisecond precision', (time, ms) => {
    const event = toCloudflareV2AuditEvent(record({ action: { time, type: 'view' } }), SOURCE);
    expect(event.occurredAtMs).toBe(ms);
  });

  it.each(['2024-04-26 17:31:07', '2024-04-26', 'soon'])(
    'refuses the record whose time is %p',
    (time) => {
      expect(() =>
        toCloudflareV2AuditEvent(record({ action: { time, type: 'view' } }), SOURCE),
      ).toThrow(
        expect.objectContaining({
          code: 'SOURCE_BAD_RESPONSE',
          details: { sourceId: 'cf-prod' },
        }) as AuditgraphError,
      );
    },
  );
});
