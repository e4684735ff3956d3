import type { AuditEvent, SourceRef } from '../../../src/model/AuditEvent';
import {
  nirvanaAuditLogListWireSchema,
  nirvanaAuditLogWireSchema,
  type NirvanaAuditLogWire,
} from '../../../src/providers/nirvana/NirvanaAuditLogWire';
import { parseRfc3339 } from '../../../src/providers/nirvana/parseRfc3339';
import {
  toNirvanaAuditEvent,
  toNirvanaCategory,
} from '../../../src/providers/nirvana/toNirvanaAuditEvent';

const source: SourceRef = { id: 'nirvana', kind: 'nirvana' };

const vmCreated: NirvanaAuditLogWire = {
  id: '7d3f2a10-4b5c-4e8f-9a01-23456789abcd',
  action: 'vm.created',
  actor: { id: '0f1e2d3c-4b5a-4697-8877-665544332211', name: 'Alice Smith', type: 'user' },
  client_ip: '203.0.113.9',
  created_at: '2026-03-02T09:14:29Z',
  method: 'POST',
  path: '/v1/compute/vms',
  status_code: 202,
  user_agent: 'nirvana-cli/1.98.1',
  target: { id: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d', type: 'vm' },
};

const apiKeyDeleted: NirvanaAuditLogWire = {
  id: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  action: 'api_key.deleted',
  actor: { id: 'ak_2b3c4d5e', name: null, type: 'api_key' },
  client_ip: '198.51.100.4',
  created_at: '2026-03-02T09:14:29Z',
  method: 'DELETE',
  path: '/v1/api_keys/ak_9f8e7d6c',
  status_code: 204,
  user_agent: 'NirvanaLabs/Go 1.60.0',
  target: null,
};

describe('toNirvanaAuditEvent', () => {
  it.each<[string, NirvanaAuditLogWire, AuditEvent]>([
    [
      'a user creating a VM',
      vmCreated,
      {
        sourceId: 'nirvana',
        kind: 'nirvana',
        provider: 'NIRVANA',
        nativeId: '7d3f2a10-4b5c-4e8f-9a01-23456789abcd',
        occurredAtMs: Date.UTC(2026, 2, 2, 9, 14, 29),
        action: 'vm.created',
        category: 'CREATE',
        outcome: 'SUCCESS',
        description: null,
        actor: {
          id: '0f1e2d3c-4b5a-4697-8877-665544332211',
          type: 'USER',
          name: 'Alice Smith',
          email: null,
          token: null,
          ip: '203.0.113.9',
        },
        resource: {
          id: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
          type: 'vm',
          name: null,
          product: null,
        },
        request: {
          ip: '203.0.113.9',
          method: 'POST',
          path: '/v1/compute/vms',
          statusCode: 202,
          userAgent: 'nirvana-cli/1.98.1',
          rayId: null,
        },
        changes: null,
        metadata: null,
        raw: vmCreated,
      },
    ],
    [
      'an API key deleting a key, with a null target',
      apiKeyDeleted,
      {
        sourceId: 'nirvana',
        kind: 'nirvana',
        provider: 'NIRVANA',
        nativeId: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
        occurredAtMs: Date.UTC(2026, 2, 2, 9, 14, 29),
        action: 'api_key.deleted',
        category: 'DELETE',
        outcome: 'SUCCESS',
        description: null,
        actor: {
          id: 'ak_2b3c4d5e',
          type: 'API_KEY',
          name: null,
          email: null,
          token: null,
          ip: '198.51.100.4',
        },
        resource: null,
        request: {
          ip: '198.51.100.4',
          method: 'DELETE',
          path: '/v1/api_keys/ak_9f8e7d6c',
          statusCode: 204,
          userAgent: 'NirvanaLabs/Go 1.60.0',
          rayId: null,
        },
        changes: null,
        metadata: null,
        raw: apiKeyDeleted,
      },
    ],
  ])('maps the providers.md example of %s', (_case, record, expected) => {
    expect(toNirvanaAuditEvent(record, source)).toEqual(expected);
  });

  it.each([
    [200, 'SUCCESS'],
    [202, 'SUCCESS'],
    [304, 'SUCCESS'],
    [400, 'FAILURE'],
    [403, 'FAILURE'],
    [422, 'FAILURE'],
    [500, 'FAILURE'],
  ] as const)('reads status %i as %s', (status_code, outcome) => {
    expect(toNirvanaAuditEvent({ ...vmCreated, status_code }, source).outcome).toBe(outcome);
  });

  it('says UNKNOWN outcome and leaves the request fields null when the entry states none', () => {
    const record = nirvanaAuditLogWireSchema.parse({
      id: 'x',
      action: 'vm.updated',
      created_at: '2026-03-02T09:14:29Z',
    });
    const event = toNirvanaAuditEvent(record, source);
    expect(event.outcome).toBe('UNKNOWN');
    expect(event.request).toBeNull();
    expect(event.actor).toBeNull();
    expect(event.resource).toBeNull();
  });

  it('leaves an absent actor name and an absent target null', () => {
    const withoutTarget: Record<string, unknown> = { ...vmCreated };
    delete withoutTarget.target;
    const record = nirvanaAuditLogWireSchema.parse({
      ...withoutTarget,
      actor: { id: 'u1', type: 'user' },
    });
    const event = toNirvanaAuditEvent(record, source);
    expect(event.actor?.name).toBeNull();
    expect(event.resource).toBeNull();
  });

  it('keeps an actor of an unknown type, with no type', () => {
    const event = toNirvanaAuditEvent(
      { ...vmCreated, actor: { id: 'svc-1', name: 'scheduler', type: 'service_account' } },
      source,
    );
    expect(event.actor).toMatchObject({ id: 'svc-1', type: null, name: 'scheduler' });
  });

  it.each([
    ['2026-03-02T09:14:29.123Z', Date.UTC(2026, 2, 2, 9, 14, 29, 123)],
    ['2026-03-02T09:14:29.123456789Z', Date.UTC(2026, 2, 2, 9, 14, 29, 123)],
    ['2026-03-02T09:14:29.9999Z', Date.UTC(2026, 2, 2, 9, 14, 29, 999)],
    ['2026-03-02T09:14:29.5Z', Date.UTC(2026, 2, 2, 9, 14, 29, 500)],
    ['2026-03-02T11:14:29+02:00', Date.UTC(2026, 2, 2, 9, 14, 29)],
    ['2026-03-02T04:44:29.010-04:30', Date.UTC(2026, 2, 2, 9, 14, 29, 10)],
    ['2026-03-02t09:14:29z', Date.UTC(2026, 2, 2, 9, 14, 29)],
  ])('places created_at %s at its millisecond', (created_at, ms) => {
    expect(toNirvanaAuditEvent({ ...vmCreated, created_at }, source).occurredAtMs).toBe(ms);
  });

  it.each([
    '2026-03-02',
    '2026-03-02T09:14:29',
    '2026-02-30T09:14:29Z',
    '2026-03-02T24:00:00Z',
    'yesterday',
    '1772442869',
    '',
  ])('refuses the created_at %p', (created_at) => {
    expect(() => toNirvanaAuditEvent({ ...vmCreated, created_at }, source)).toThrow(/not RFC 3339/);
    expect(nirvanaAuditLogWireSchema.safeParse({ ...vmCreated, created_at }).success).toBe(false);
  });
});

describe('parseRfc3339', () => {
  it.each([
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2023-02-29T00:00:00Z', null],
    ['2016-12-31T23:59:60Z', Date.UTC(2016, 11, 31, 23, 59, 59, 999)],
    ['2026-03-02 09:14:29Z', Date.UTC(2026, 2, 2, 9, 14, 29)],
    ['2026-13-02T09:14:29Z', null],
    ['2026-03-02T09:14:29+24:00', null],
  ])('reads %p as %p', (text, expected) => {
    expect(parseRfc3339(text)).toBe(expected);
  });
});

describe('toNirvanaCategory', () => {
  it.each([
    ['vm.created', 'CREATE'],
    ['api_key.created', 'CREATE'],
    ['vm.updated', 'UPDATE'],
    ['volume.attached', 'UPDATE'],
    ['vm.restarted', 'UPDATE'],
    ['vpc.deleted', 'DELETE'],
    ['user.login', 'AUTH'],
    ['audit_logs.listed', 'READ'],
    ['vm.migrated', 'OTHER'],
    ['something', 'OTHER'],
  ])('files %s under %s', (action, category) => {
    expect(toNirvanaCategory(action)).toBe(category);
  });
});

describe('the Nirvana wire schemas', () => {
  it.each([
    ['a numeric id', { ...vmCreated, id: 7 }],
    ['an empty id', { ...vmCreated, id: '' }],
    ['no action', { ...vmCreated, action: undefined }],
    ['a target without an id', { ...vmCreated, target: { type: 'vm' } }],
    ['a fractional status', { ...vmCreated, status_code: 200.5 }],
  ])('rejects an entry with %s', (_case, value) => {
    expect(nirvanaAuditLogWireSchema.safeParse(value).success).toBe(false);
  });

  it('accepts a list with null cursors and keeps unknown entry keys', () => {
    const parsed = nirvanaAuditLogListWireSchema.parse({
      items: [{ ...vmCreated, region: 'us-sea-1' }],
      pagination: { next_cursor: null, previous_cursor: null, total_count: 1 },
    });
    expect(parsed.items[0]).toEqual({ ...vmCreated, region: 'us-sea-1' });
  });

  it('rejects a list without pagination', () => {
    expect(nirvanaAuditLogListWireSchema.safeParse({ items: [] }).success).toBe(false);
  });
});
