import { normalizeFilter, type EventFilterInput } from '../../../src/feed/eventFilter';
import {
  CLOUDFLARE_V2_CAPABILITIES,
  CLOUDFLARE_V2_FILTER_ENCODERS,
} from '../../../src/providers/cloudflare-v2/cloudflareV2Pushdown';
import { toPushdownParams } from '../../../src/providers/shared/toPushdownParams';

const paramsOf = (input: EventFilterInput) =>
  toPushdownParams(
    CLOUDFLARE_V2_CAPABILITIES,
    normalizeFilter(input),
    CLOUDFLARE_V2_FILTER_ENCODERS,
  );

describe('the Cloudflare v2 filter parameters', () => {
  it('sends nothing without a filter, or for a filter of residual fields only', () => {
    expect(
      toPushdownParams(CLOUDFLARE_V2_CAPABILITIES, undefined, CLOUDFLARE_V2_FILTER_ENCODERS),
    ).toEqual([]);
    expect(paramsOf({ text: 'dns', sinceMs: 0, ipAddress: '192.0.2.0/24' })).toEqual([]);
  });

  it.each<[string, EventFilterInput, (readonly [string, string])[]]>([
    [
      'actions, in enum order',
      { actions: ['view', 'create'] },
      [
        ['action_type', 'create'],
        ['action_type', 'view'],
      ],
    ],
    [
      'categories as action types',
      { categories: ['READ', 'DELETE'] },
      [
        ['action_type', 'view'],
        ['action_type', 'delete'],
      ],
    ],
    [
      'actions within categories once',
      { actions: ['create', 'view'], categories: ['READ'] },
      [['action_type', 'view']],
    ],
    ['SUCCESS', { outcome: 'SUCCESS' }, [['action_result', 'success']]],
    ['FAILURE', { outcome: 'FAILURE' }, [['action_result', 'failure']]],
    [
      'actor types by their wire names',
      { actorTypes: ['PROVIDER_ADMIN', 'ACCOUNT'] },
      [
        ['actor_type', 'account'],
        ['actor_type', 'cloudflare_admin'],
      ],
    ],
    [
      'emails lower-cased',
      { actorEmails: ['Ana@Example.COM'] },
      [['actor_email', 'ana@example.com']],
    ],
    [
      'what a list keeps besides blank values',
      { resourceIds: ['', 'r1'] },
      [['resource_id', 'r1']],
    ],
    [
      'an address in canonical form',
      { ipAddress: '2001:DB8:0:0::1' },
      [['actor_ip_address', '2001:db8::1']],
    ],
    [
      'an IPv4-mapped address as IPv4',
      { ipAddress: '::ffff:192.0.2.1' },
      [['actor_ip_address', '192.0.2.1']],
    ],
    [
      'fields in a fixed order, whatever the filter',
      { resourceTypes: ['zone'], actorIds: ['u2', 'u1'], outcome: 'FAILURE' },
      [
        ['action_result', 'failure'],
        ['actor_id', 'u1'],
        ['actor_id', 'u2'],
        ['resource_type', 'zone'],
      ],
    ],
  ])('sends %s', (_what, input, expected) => {
    expect(paramsOf(input)).toEqual(expected);
  });

  it.each<[string, EventFilterInput]>([
    ['an empty list', { actorIds: [] }],
    ['only blank values', { resourceTypes: [''] }],
    ['actions outside the categories', { actions: ['create'], categories: ['DELETE'] }],
  ])('finds that nothing can match %s', (_what, input) => {
    expect(paramsOf(input)).toBeNull();
  });
});
