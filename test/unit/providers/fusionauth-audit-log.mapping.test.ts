import type { AuditEvent, SourceRef } from '../../../src/model/AuditEvent';
import {
  auditLogSearchResponseWireSchema,
  auditLogWireSchema,
  type AuditLogWire,
} from '../../../src/providers/fusionauth-audit-log/AuditLogWire';
import {
  toFusionAuthAuditLogAction,
  toFusionAuthAuditLogAuditEvent,
  toFusionAuthAuditLogCategory,
  toFusionAuthAuditLogResource,
} from '../../../src/providers/fusionauth-audit-log/toFusionAuthAuditLogAuditEvent';

const source: SourceRef = { id: 'fa-audit', kind: 'fusionauth-audit-log' };
const map = (record: unknown): AuditEvent =>
  toFusionAuthAuditLogAuditEvent(auditLogWireSchema.parse(record), source);

describe('toFusionAuthAuditLogAuditEvent', () => {
  it('maps the first providers.md example (changes under data, JSON strings)', () => {
    const record: AuditLogWire = {
      id: 9051,
      insertInstant: 1772442871456,
      insertUser: 'admin@example.com',
      message:
        'Updated the application with Id [3c219e58-ed0e-4b18-ad48-f4f92793ae32] and name [Pied Piper]',
      reason: 'FusionAuth User Interface',
      data: { newValue: '{"name":"Pied Piper"}', oldValue: '{"name":"PP"}' },
      tenantId: '6c9e9669-9670-4f85-9f16-8396c2206f7f',
    };
    const expected: AuditEvent = {
      sourceId: 'fa-audit',
      kind: 'fusionauth-audit-log',
      provider: 'FUSIONAUTH',
      nativeId: '9051',
      occurredAtMs: 1772442871456,
      action: 'Updated the application',
      category: 'UPDATE',
      outcome: 'UNKNOWN',
      description:
        'Updated the application with Id [3c219e58-ed0e-4b18-ad48-f4f92793ae32] and name [Pied Piper]',
      actor: {
        id: null,
        type: 'USER',
        name: null,
        email: 'admin@example.com',
        token: null,
        ip: null,
      },
      resource: {
        id: '3c219e58-ed0e-4b18-ad48-f4f92793ae32',
        type: 'application',
        name: 'Pied Piper',
        product: null,
      },
      request: null,
      changes: { before: { name: 'PP' }, after: { name: 'Pied Piper' } },
      metadata: {
        reason: 'FusionAuth User Interface',
        tenantId: '6c9e9669-9670-4f85-9f16-8396c2206f7f',
      },
      raw: record,
    };
    expect(toFusionAuthAuditLogAuditEvent(record, source)).toEqual(expected);
  });

  it('maps the second providers.md example (no changes, no resource, no tenant)', () => {
    const record = {
      id: 9050,
      insertInstant: 1772442800002,
      insertUser: 'ops@example.com',
      message: 'Rotated signing key',
    };
    expect(map(record)).toEqual({
      sourceId: 'fa-audit',
      kind: 'fusionauth-audit-log',
      provider: 'FUSIONAUTH',
      nativeId: '9050',
      occurredAtMs: 1772442800002,
      action: 'Rotated signing key',
      category: 'UPDATE',
      outcome: 'UNKNOWN',
      description: 'Rotated signing key',
      actor: {
        id: null,
        type: 'USER',
        name: null,
        email: 'ops@example.com',
        token: null,
        ip: null,
      },
      resource: null,
      request: null,
      changes: null,
      metadata: null,
      raw: record,
    });
  });

  it('maps the FusionAuth docs example, whose "newValue:" typo key is only data', () => {
    const record = {
      data: { externalId: '_applicationA' },
      'newValue:': '{"name": "bar"}',
      oldValue: '{"name": "foo"}',
      reason: 'Because I like to change things.',
      id: 3,
      insertInstant: 1471796483322,
      insertUser: 'user@fusionauth.io',
      message: 'Changed Application',
    };
    const event = map(record);
    expect(event.action).toBe('Changed Application');
    expect(event.category).toBe('UPDATE');
    expect(event.changes).toEqual({ before: { name: 'foo' }, after: null });
    expect(event.metadata).toEqual({ reason: 'Because I like to change things.' });
    expect(event.raw).toEqual(record);
  });

  it.each<[string, Record<string, unknown>, AuditEvent['changes']]>([
    [
      'top-level objects',
      { oldValue: { ttl: 60 }, newValue: { ttl: 120 } },
      { before: { ttl: 60 }, after: { ttl: 120 } },
    ],
    [
      'top-level JSON strings',
      { oldValue: '{"ttl":60}', newValue: '[1,2]' },
      { before: { ttl: 60 }, after: [1, 2] },
    ],
    [
      'values under data',
      { data: { oldValue: { a: 1 }, newValue: '{"a":2}' } },
      { before: { a: 1 }, after: { a: 2 } },
    ],
    [
      'only a new value',
      { newValue: { email: 'x@example.com' } },
      { before: null, after: { email: 'x@example.com' } },
    ],
    [
      'only an old value under data',
      { data: { oldValue: 'medium' } },
      { before: 'medium', after: null },
    ],
    [
      'plain strings, kept',
      { oldValue: 'medium', newValue: 'high' },
      { before: 'medium', after: 'high' },
    ],
    ['a numeric string, kept as text', { newValue: '123' }, { before: null, after: '123' }],
    ['broken JSON text, kept as text', { newValue: '{"a":' }, { before: null, after: '{"a":' }],
    ['scalars', { oldValue: false, newValue: 3 }, { before: false, after: 3 }],
    [
      'both placements: the top level wins',
      { newValue: 'top', data: { newValue: 'nested', oldValue: 'old' } },
      { before: 'old', after: 'top' },
    ],
    ['no values at all', {}, null],
    ['null values', { newValue: null, oldValue: null }, null],
    ['data without values', { data: { externalId: 'x' } }, null],
  ])('reads changes from %s', (_case, fields, changes) => {
    const event = map({
      id: 1,
      insertInstant: 1,
      insertUser: 'a@example.com',
      message: 'Updated',
      ...fields,
    });
    expect(event.changes).toEqual(changes);
  });

  it.each<[string, Record<string, unknown>, AuditEvent['metadata']]>([
    [
      'reason and tenant at the top level',
      { reason: 'CI deploy key', tenantId: 't-1' },
      { reason: 'CI deploy key', tenantId: 't-1' },
    ],
    [
      'reason under data',
      { data: { reason: 'FusionAuth User Interface' } },
      { reason: 'FusionAuth User Interface' },
    ],
    ['only a tenant', { tenantId: 't-2' }, { tenantId: 't-2' }],
    ['neither', {}, null],
  ])('reads metadata from %s', (_case, fields, metadata) => {
    const event = map({ id: 1, insertInstant: 1, message: 'Updated', ...fields });
    expect(event.metadata).toEqual(metadata);
  });

  it.each<[string | undefined, AuditEvent['actor']]>([
    [
      'richard@piedpiper.com',
      { id: null, type: 'USER', name: null, email: 'richard@piedpiper.com', token: null, ip: null },
    ],
    [
      'Richard Hendricks',
      { id: null, type: 'USER', name: 'Richard Hendricks', email: null, token: null, ip: null },
    ],
    ['', null],
    [undefined, null],
  ])('reads the actor from insertUser %p', (insertUser, actor) => {
    const event = map({
      id: 1,
      insertInstant: 1,
      message: 'Updated',
      ...(insertUser === undefined ? {} : { insertUser }),
    });
    expect(event.actor).toEqual(actor);
  });
});

describe('the audit log action, category and resource', () => {
  it.each([
    [
      'Updated the application with Id [3c21] and name [Pied Piper]',
      'Updated the application',
      'UPDATE',
    ],
    ['Created the user with Id [9a1b]', 'Created the user', 'CREATE'],
    ['Deleted the group with Id [g] and name [Admins]', 'Deleted the group', 'DELETE'],
    ['Created the API key with Id [k]', 'Created the API key', 'CREATE'],
    ['Rotated signing key', 'Rotated signing key', 'UPDATE'],
    ['Updated the system configuration', 'Updated the system configuration', 'UPDATE'],
    ['Reset the password of the user with Id [u]', 'Reset the password of the user', 'UPDATE'],
    ['Exported the audit log.', 'Exported the audit log', 'READ'],
    ['Impersonated the user with Id [u]', 'Impersonated the user', 'AUTH'],
    ['Audit Log 1', 'Audit Log 1', 'OTHER'],
    ['[scripted] bulk import', '[scripted] bulk import', 'OTHER'],
  ])('reads %p as action %p, category %s', (message, action, category) => {
    expect(toFusionAuthAuditLogAction(message)).toBe(action);
    expect(toFusionAuthAuditLogCategory(action)).toBe(category);
  });

  it.each([
    [
      'Updated the application with Id [3c219e58-ed0e-4b18-ad48-f4f92793ae32] and name [Pied Piper]',
      {
        id: '3c219e58-ed0e-4b18-ad48-f4f92793ae32',
        type: 'application',
        name: 'Pied Piper',
        product: null,
      },
    ],
    ['Created the API key with Id [k1]', { id: 'k1', type: 'api_key', name: null, product: null }],
    [
      'Updated the identity provider with Id [i] and name [Okta]',
      { id: 'i', type: 'identity_provider', name: 'Okta', product: null },
    ],
    [
      'Reset the password of the user with Id [u]',
      { id: 'u', type: 'user', name: null, product: null },
    ],
    ['Something with Id [z]', { id: 'z', type: null, name: null, product: null }],
    ['Rotated signing key', null],
    ['Changed Application', null],
  ])('reads the resource of %p', (message, resource) => {
    expect(toFusionAuthAuditLogResource(message)).toEqual(resource);
  });
});

describe('the audit log wire schemas', () => {
  it.each([
    ['a string id', { id: '1', insertInstant: 1, message: 'm' }],
    ['a missing instant', { id: 1, message: 'm' }],
    ['a seconds string instant', { id: 1, insertInstant: '1772442871', message: 'm' }],
    ['data that is not an object', { id: 1, insertInstant: 1, message: 'm', data: 'x' }],
  ])('rejects an entry with %s', (_case, value) => {
    expect(auditLogWireSchema.safeParse(value).success).toBe(false);
  });

  it('accepts any JSON as newValue and oldValue', () => {
    expect(
      auditLogWireSchema.safeParse({
        id: 1,
        insertInstant: 1,
        message: 'm',
        newValue: [{ a: null }],
        oldValue: 42,
      }).success,
    ).toBe(true);
  });

  it('reads a search response without a list as no entries', () => {
    expect(auditLogSearchResponseWireSchema.parse({ total: 0 }).auditLogs).toBeUndefined();
  });
});
