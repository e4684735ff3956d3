import type { AuditEvent, Json, SourceRef } from '../../../src/model/AuditEvent';
import { AuditgraphError } from '../../../src/model/errors';
import type { FastlyRecordWire } from '../../../src/providers/fastly/fastlyWire';
import {
  toFastlyAuditEvent,
  toFastlyCategory,
  toFastlyOutcome,
} from '../../../src/providers/fastly/toFastlyAuditEvent';

const SOURCE: SourceRef = { id: 'fastly-prod', kind: 'fastly' };

/** providers.md §1, the example of the list response. */
const DOCS_EXAMPLE: FastlyRecordWire = {
  id: '4KqZ8wXcR2bT1mNa9pLsYe',
  type: 'event',
  attributes: {
    admin: false,
    created_at: '2026-03-02T09:14:27Z',
    customer_id: '7hQm2sVbN4xLp0aRt8Kc3d',
    description: 'Version 18 was activated',
    event_type: 'version.activate',
    ip: '198.51.100.23',
    metadata: { version_number: 18 },
    service_id: '2xPq9LmZk4VbN7cR1tWs0a',
    user_id: '9bYt3KcQ1mZx8LpV2rNs6e',
    token_id: '5cVn8QmR2kLx0ZpT7bWs1a',
  },
};

/** The go-fastly recording of a real response (2019), verbatim. */
const GO_FASTLY_FIXTURE: FastlyRecordWire = {
  id: '5ua9a8p7hThd5G9K1PmrRf',
  type: 'event',
  attributes: {
    customer_id: '76eo17QE8I25lqXy9uJqbd',
    description: 'Version 52 was created',
    event_type: 'version.create',
    ip: '73.93.140.51, 73.93.140.51',
    metadata: { version_number: 52, service_id: '7i6HN3TK9wS159v2gPAZ8A', number: 52 },
    service_id: '7i6HN3TK9wS159v2gPAZ8A',
    user_id: '48R7uE14gWaqdDSjVMLzKO',
    created_at: '2019-05-11T17:53:06Z',
    admin: false,
  },
};

function record(attributes: Partial<FastlyRecordWire['attributes']>): FastlyRecordWire {
  return {
    id: 'AbCdEfGhIjKlMnOpQrStUv',
    type: 'event',
    attributes: { created_at: '2026-03-02T09:14:27Z', event_type: 'user.login', ...attributes },
  };
}

describe('toFastlyAuditEvent', () => {
  it.each<[string, FastlyRecordWire, AuditEvent]>([
    [
      'the example of providers.md',
      DOCS_EXAMPLE,
      {
        sourceId: 'fastly-prod',
        kind: 'fastly',
        provider: 'FASTLY',
        nativeId: '4KqZ8wXcR2bT1mNa9pLsYe',
        occurredAtMs: Date.UTC(2026, 2, 2, 9, 14, 27),
        action: 'version.activate',
        category: 'UPDATE',
        outcome: 'UNKNOWN',
        description: 'Version 18 was activated',
        actor: {
          id: '9bYt3KcQ1mZx8LpV2rNs6e',
          type: 'USER',
          name: null,
          email: null,
          token: { id: '5cVn8QmR2kLx0ZpT7bWs1a', name: null },
          ip: '198.51.100.23',
        },
        resource: { id: '2xPq9LmZk4VbN7cR1tWs0a', type: 'service', name: null, product: null },
        request: {
          ip: '198.51.100.23',
          method: null,
          path: null,
          statusCode: null,
          userAgent: null,
          rayId: null,
        },
        changes: null,
        metadata: { version_number: 18 },
        // A parsed record is JSON; its wire type only says `unknown` of extra keys.
        raw: DOCS_EXAMPLE as unknown as Json,
      },
    ],
    [
      'the go-fastly recording, whose ip is a repeated list',
      GO_FASTLY_FIXTURE,
      {
        sourceId: 'fastly-prod',
        kind: 'fastly',
        provider: 'FASTLY',
        nativeId: '5ua9a8p7hThd5G9K1PmrRf',
        occurredAtMs: Date.UTC(2019, 4, 11, 17, 53, 6),
        action: 'version.create',
        category: 'CREATE',
        outcome: 'UNKNOWN',
        description: 'Version 52 was created',
        actor: {
          id: '48R7uE14gWaqdDSjVMLzKO',
          type: 'USER',
          name: null,
          email: null,
          token: null,
          ip: '73.93.140.51',
        },
        resource: { id: '7i6HN3TK9wS159v2gPAZ8A', type: 'service', name: null, product: null },
        request: {
          ip: '73.93.140.51',
          method: null,
          path: null,
          statusCode: null,
          userAgent: null,
          rayId: null,
        },
        changes: null,
        metadata: { version_number: 52, service_id: '7i6HN3TK9wS159v2gPAZ8A', number: 52 },
        // A parsed record is JSON; its wire type only says `unknown` of extra keys.
        raw: GO_FASTLY_FIXTURE as unknown as Json,
      },
    ],
  ])('maps %s', (_name, input, expected) => {
    expect(toFastlyAuditEvent(input, SOURCE)).toEqual(expected);
  });

  it('keeps the record itself as raw', () => {
    expect(toFastlyAuditEvent(DOCS_EXAMPLE, SOURCE).raw).toBe(DOCS_EXAMPLE);
  });

  it.each([
    ['absent', record({})],
    [
      'null',
      record({
        admin: null,
        customer_id: null,
        description: null,
        ip: null,
        metadata: null,
        service_id: null,
        user_id: null,
        token_id: null,
      }),
    ],
    ['empty', record({ description: '', ip: '', service_id: '', user_id: '', token_id: '' })],
  ])('states nothing it was not told when optional fields are %s', (_how, input) => {
    expect(toFastlyAuditEvent(input, SOURCE)).toMatchObject({
      description: null,
      actor: null,
      resource: null,
      request: null,
      changes: null,
      metadata: null,
    });
  });

  it('names a token without a user, and no actor type it was not told', () => {
    expect(toFastlyAuditEvent(record({ token_id: 'TOKEN' }), SOURCE).actor).toEqual({
      id: null,
      type: null,
      name: null,
      email: null,
      token: { id: 'TOKEN', name: null },
      ip: null,
    });
  });

  it('takes an admin event as Fastly staff, whoever the user id is', () => {
    const event = toFastlyAuditEvent(
      record({ admin: true, user_id: 'STAFF', event_type: 'customer_feature.create' }),
      SOURCE,
    );
    expect(event.actor).toMatchObject({ id: 'STAFF', type: 'PROVIDER_ADMIN' });
  });

  it.each([
    ['2026-03-02T09:14:27Z', Date.UTC(2026, 2, 2, 9, 14, 27)],
    ['2026-03-02T09:14:27.5Z', Date.UTC(2026, 2, 2, 9, 14, 27, 500)],
    ['2026-03-02T09:14:27.123456Z', Date.UTC(2026, 2, 2, 9, 14, 27, 123)],
    ['2026-03-02T11:14:27+02:00', Date.UTC(2026, 2, 2, 9, 14, 27)],
  ])('reads created_at %s at millisecond precision', (createdAt, ms) => {
    expect(toFastlyAuditEvent(record({ created_at: createdAt }), SOURCE).occurredAtMs).toBe(ms);
  });

  it.each(['yesterday', '2026-03-02', '2026-02-30T00:00:00Z', ''])(
    'refuses the record whose created_at is %p',
    (createdAt) => {
      let failure: unknown;
      try {
        toFastlyAuditEvent(record({ created_at: createdAt }), SOURCE);
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(AuditgraphError);
      expect(failure).toMatchObject({
        code: 'SOURCE_BAD_RESPONSE',
        details: { sourceId: 'fastly-prod' },
      });
      expect((failure as Error).message).toContain('fastly-prod');
    },
  );
});

describe('the category and outcome of a Fastly event type', () => {
  it.each([
    ['user.login', 'AUTH', 'UNKNOWN'],
    ['user.logout', 'AUTH', 'UNKNOWN'],
    ['user.login_failure', 'AUTH', 'FAILURE'],
    ['two_factor_auth.disable', 'AUTH', 'UNKNOWN'],
    ['service.create', 'CREATE', 'UNKNOWN'],
    ['version.clone', 'CREATE', 'UNKNOWN'],
    ['version.copy_destination', 'CREATE', 'UNKNOWN'],
    ['version.activate', 'UPDATE', 'UNKNOWN'],
    ['tls.activation.disable', 'UPDATE', 'UNKNOWN'],
    ['user.password_update', 'UPDATE', 'UNKNOWN'],
    ['rule_status.upsert', 'UPDATE', 'UNKNOWN'],
    ['waf.ruleset.deploy_failure', 'UPDATE', 'FAILURE'],
    ['token.destroy', 'DELETE', 'UNKNOWN'],
    ['acl.delete', 'DELETE', 'UNKNOWN'],
    ['invoice.payment', 'OTHER', 'UNKNOWN'],
    ['invoice.failed_payment', 'OTHER', 'FAILURE'],
    ['alerts.definition.test', 'OTHER', 'UNKNOWN'],
    ['tls.certificate.expiration_email', 'OTHER', 'UNKNOWN'],
    ['service.purge_all', 'OTHER', 'UNKNOWN'],
    ['something.new', 'OTHER', 'UNKNOWN'],
  ])('%s is %s with outcome %s', (eventType, category, outcome) => {
    expect(toFastlyCategory(eventType)).toBe(category);
    expect(toFastlyOutcome(eventType)).toBe(outcome);
  });
});
