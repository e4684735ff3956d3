import type { AuditEvent, Json, SourceRef } from '../../../src/model/AuditEvent';
import type { AuditgraphError } from '../../../src/model/errors';
import { toCloudflareCategory } from '../../../src/providers/cloudflare-shared/toCloudflareCategory';
import type { CloudflareV1RecordWire } from '../../../src/providers/cloudflare-v1/cloudflareV1Wire';
import { toCloudflareV1AuditEvent } from '../../../src/providers/cloudflare-v1/toCloudflareV1AuditEvent';

const SOURCE: SourceRef = { id: 'cf-legacy', kind: 'cloudflare-v1' };

/** providers.md §2, the example record. */
const DOCS_EXAMPLE: CloudflareV1RecordWire = {
  id: 'a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607',
  action: { type: 'change_setting', result: true },
  actor: {
    id: 'f6b5de0326bb5182b8a4840ee01ec774',
    email: 'ops@example.com',
    ip: '203.0.113.7',
    type: 'user',
  },
  interface: 'API',
  metadata: { name: 'security_level', type: 'firewall', value: 'high', zone_name: 'example.com' },
  newValue: 'high',
  oldValue: 'medium',
  owner: { id: '023e105f4ecef8ad9ca31a8372d0c353' },
  resource: { id: '9a7806061c88ada191ed06f989cc3dac', type: 'zone' },
  when: '2026-03-02T09:14:31Z',
};

function record(fields: Partial<CloudflareV1RecordWire>): CloudflareV1RecordWire {
  return {
    id: 'd5b0f326-1232-4452-8858-1089bd7168ef',
    action: { type: 'add' },
    when: '2026-03-02T09:14:31Z',
    ...fields,
  };
}

describe('toCloudflareV1AuditEvent', () => {
  it('maps the example of providers.md', () => {
    const expected: AuditEvent = {
      sourceId: 'cf-legacy',
      kind: 'cloudflare-v1',
      provider: 'CLOUDFLARE',
      nativeId: 'a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607',
      occurredAtMs: Date.UTC(2026, 2, 2, 9, 14, 31),
      action: 'change_setting',
      category: 'UPDATE',
      outcome: 'SUCCESS',
      description: null,
      actor: {
        id: 'f6b5de0326bb5182b8a4840ee01ec774',
        type: 'USER',
        name: null,
        email: 'ops@example.com',
        token: null,
        ip: '203.0.113.7',
      },
      resource: { id: '9a7806061c88ada191ed06f989cc3dac', type: 'zone', name: null, product: null },
      request: {
        ip: '203.0.113.7',
        method: null,
        path: null,
        statusCode: null,
        userAgent: null,
        rayId: null,
      },
      changes: { before: 'medium', after: 'high' },
      metadata: {
        name: 'security_level',
        type: 'firewall',
        value: 'high',
        zone_name: 'example.com',
      },
      // A parsed record is JSON; its wire type only says `unknown` of extra keys.
      raw: DOCS_EXAMPLE as unknown as Json,
    };
    expect(toCloudflareV1AuditEvent(DOCS_EXAMPLE, SOURCE)).toEqual(expected);
  });

  it('keeps the record itself as raw', () => {
    expect(toCloudflareV1AuditEvent(DOCS_EXAMPLE, SOURCE).raw).toBe(DOCS_EXAMPLE);
  });

  it('states nothing it was not told when only id, action type and time are given', () => {
    expect(toCloudflareV1AuditEvent(record({}), SOURCE)).toMatchObject({
      outcome: 'UNKNOWN',
      description: null,
      actor: null,
      resource: null,
      request: null,
      changes: null,
      metadata: null,
    });
  });

  it.each<[string, Partial<CloudflareV1RecordWire>, unknown]>([
    [
      'JSON text, parsed',
      { oldValue: '{"ttl":1}', newValue: '{"ttl":300}' },
      { before: { ttl: 1 }, after: { ttl: 300 } },
    ],
    ['plain text, kept', { oldValue: 'off', newValue: 'on' }, { before: 'off', after: 'on' }],
    [
      'only a new value (an add)',
      { newValue: '{"content":"203.0.113.10"}' },
      { before: null, after: { content: '203.0.113.10' } },
    ],
    ['only an old value (a delete)', { oldValue: 'www' }, { before: 'www', after: null }],
    ['absent', {}, null],
    ['null', { oldValue: null, newValue: null }, null],
  ])('reads oldValue/newValue given as %s', (_how, fields, changes) => {
    expect(toCloudflareV1AuditEvent(record(fields), SOURCE).changes).toEqual(changes);
  });

  it.each([
    ['user', 'USER'],
    ['admin', 'PROVIDER_ADMIN'],
    ['Cloudflare', 'SYSTEM'],
    ['robot', null],
  ])('takes actor type %s as %s', (type, expected) => {
    const event = toCloudflareV1AuditEvent(record({ actor: { id: 'x', type } }), SOURCE);
    expect(event.actor?.type).toBe(expected);
  });

  it.each([
    [true, 'SUCCESS'],
    [false, 'FAILURE'],
    [null, 'UNKNOWN'],
    [undefined, 'UNKNOWN'],
  ])('takes action.result %p as %s', (result, outcome) => {
    const action = result === undefined ? { type: 'login' } : { type: 'login', result };
    expect(toCloudflareV1AuditEvent(record({ action }), SOURCE).outcome).toBe(outcome);
  });

  it('keeps a resource that has only a type', () => {
    expect(
      toCloudflareV1AuditEvent(record({ resource: { type: 'account' } }), SOURCE).resource,
    ).toEqual({
      id: null,
      type: 'account',
      name: null,
      product: null,
    });
  });

  it.each([
    ['2017-04-26T17:31:07Z', Date.UTC(2017, 3, 26, 17, 31, 7)],
    ['2017-04-26T17:31:07.25Z', Date.UTC(2017, 3, 26, 17, 31, 7, 250)],
    ['2017-04-26T17:31:07.123999Z', Date.UTC(2017, 3, 26, 17, 31, 7, 123)],
    ['2017-04-26T12:31:07-05:00', Date.UTC(2017, 3, 26, 17, 31, 7)],
  ])('reads when %s at millisecond precision', (when, ms) => {
    expect(toCloudflareV1AuditEvent(record({ when }), SOURCE).occurredAtMs).toBe(ms);
  });

  it.each(['2017-04-26', 'not a time', '2017-13-01T00:00:00Z'])(
    'refuses the record whose time is %p',
    (when) => {
      expect(() => toCloudflareV1AuditEvent(record({ when }), SOURCE)).toThrow(
        expect.objectContaining({
          code: 'SOURCE_BAD_RESPONSE',
          details: { sourceId: 'cf-legacy' },
        }) as AuditgraphError,
      );
    },
  );
});

describe('the category of a Cloudflare action type', () => {
  it.each([
    ['add', 'CREATE'],
    ['create', 'CREATE'],
    ['change_setting', 'UPDATE'],
    ['update', 'UPDATE'],
    ['rotate_API_key', 'UPDATE'],
    ['delete', 'DELETE'],
    ['view', 'READ'],
    ['view_API_key', 'READ'],
    ['login', 'AUTH'],
    ['logout', 'AUTH'],
    ['tfa_enable', 'AUTH'],
    ['purge', 'OTHER'],
    ['', 'OTHER'],
  ])('%p is %s', (type, category) => {
    expect(toCloudflareCategory(type)).toBe(category);
  });
});
