import { createEventMatcher, hashFilter, normalizeFilter } from '../../../src/feed/eventFilter';
import type { EventFilterInput } from '../../../src/feed/eventFilter';
import { AuditgraphError } from '../../../src/model/errors';
import { makeEvent } from '../../support/createMemorySource';

const event = makeEvent({
  sourceId: 'cf-prod',
  kind: 'cloudflare-v2',
  nativeId: '8c2f0a6e1d9b4b7e9a31c5f2e7d04b18',
  occurredAtMs: Date.parse('2026-03-02T09:14:31Z'),
  action: 'update',
  category: 'UPDATE',
  outcome: 'SUCCESS',
  description: 'Update DNS Record',
  actor: {
    id: 'f6b5de03',
    type: 'USER',
    name: null,
    email: 'Ops@Example.com',
    token: null,
    ip: '203.0.113.7',
  },
  resource: { id: '372e6795', type: 'dns_record', name: null, product: 'dns_records' },
  request: {
    ip: null,
    method: 'PATCH',
    path: '/zones/x',
    statusCode: 200,
    userAgent: null,
    rayId: '8f1e',
  },
});
const fastlyEvent = makeEvent({
  sourceId: 'fastly',
  nativeId: 'x',
  occurredAtMs: 0,
  actor: {
    id: 'u1',
    type: 'USER',
    name: null,
    email: null,
    token: null,
    ip: '73.93.140.51, 198.51.100.4',
  },
});

describe('the event filter', () => {
  it.each<[string, EventFilterInput, boolean]>([
    ['no filter', {}, true],
    ['since, inclusive', { sinceMs: Date.parse('2026-03-02T09:14:31Z') }, true],
    ['since, after the event', { sinceMs: Date.parse('2026-03-02T09:14:31.001Z') }, false],
    ['before, exclusive', { beforeMs: Date.parse('2026-03-02T09:14:31Z') }, false],
    ['before, after the event', { beforeMs: Date.parse('2026-03-02T09:14:31.001Z') }, true],
    ['its source', { sourceIds: ['cf-prod'] }, true],
    ['another source', { sourceIds: ['fastly'] }, false],
    ['an empty list matches nothing', { sourceIds: [] }, false],
    ['its provider', { providers: ['CLOUDFLARE'] }, true],
    ['another provider', { providers: ['FASTLY', 'NIRVANA'] }, false],
    ['its action, exactly', { actions: ['update'] }, true],
    ['an action differing in case', { actions: ['Update'] }, false],
    ['its category', { categories: ['UPDATE', 'DELETE'] }, true],
    ['another category', { categories: ['AUTH'] }, false],
    ['its outcome', { outcome: 'SUCCESS' }, true],
    ['another outcome', { outcome: 'FAILURE' }, false],
    ['its actor id', { actorIds: ['f6b5de03'] }, true],
    ['another actor id', { actorIds: ['nobody'] }, false],
    ['its actor email, any case', { actorEmails: ['OPS@example.COM'] }, true],
    ['another email', { actorEmails: ['dev@example.com'] }, false],
    ['its actor type', { actorTypes: ['USER'] }, true],
    ['another actor type', { actorTypes: ['SYSTEM'] }, false],
    ['its resource type', { resourceTypes: ['dns_record'] }, true],
    ['another resource type', { resourceTypes: ['zone'] }, false],
    ['its resource id', { resourceIds: ['372e6795'] }, true],
    ['another resource id', { resourceIds: ['nope'] }, false],
    ['its IP address', { ipAddress: '203.0.113.7' }, true],
    ['a CIDR range holding it', { ipAddress: '203.0.113.0/24' }, true],
    ['a CIDR range not holding it', { ipAddress: '198.51.100.0/24' }, false],
    ['an IPv6 range', { ipAddress: '2001:db8::/32' }, false],
    ['text in the description, any case', { text: 'dns rec' }, true],
    ['text in the action', { text: 'UPD' }, true],
    ['text found nowhere', { text: 'firewall' }, false],
    [
      'every field at once',
      { sourceIds: ['cf-prod'], actions: ['update'], outcome: 'SUCCESS', text: 'dns' },
      true,
    ],
  ])('%s → %s', (_name, input, expected) => {
    expect(createEventMatcher(normalizeFilter(input))(event)).toBe(expected);
  });

  it('matches an address inside a comma-separated list (Fastly sends these)', () => {
    expect(createEventMatcher(normalizeFilter({ ipAddress: '198.51.100.0/24' }))(fastlyEvent)).toBe(
      true,
    );
  });

  it.each(['not-an-ip', '203.0.113.0/33', '203.0.113.0/24/1', '::1/129', '', '1.2.3'])(
    'refuses the IP filter %j with BAD_USER_INPUT',
    (ipAddress) => {
      expect(() => normalizeFilter({ ipAddress })).toThrow(AuditgraphError);
    },
  );

  it('refuses huge values and lists before anything is sent upstream', () => {
    expect(() => normalizeFilter({ text: 'x'.repeat(10_000) })).toThrow(/at most/);
    expect(() =>
      normalizeFilter({ actions: Array.from({ length: 500 }, (_, i) => `a${i}`) }),
    ).toThrow(/at most/);
  });

  it('hashes equal filters equally, whatever the order of list values', () => {
    expect(hashFilter(normalizeFilter({ actions: ['b', 'a', 'a'] }))).toBe(
      hashFilter(normalizeFilter({ actions: ['a', 'b'] })),
    );
    expect(hashFilter(normalizeFilter({ actions: ['a'] }))).not.toBe(
      hashFilter(normalizeFilter({ actions: ['b'] })),
    );
    expect(hashFilter(normalizeFilter({ actorEmails: ['A@x.io'] }))).toBe(
      hashFilter(normalizeFilter({ actorEmails: ['a@X.IO'] })),
    );
  });
});
