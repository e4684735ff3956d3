import { normalizeFilter, type EventFilterInput } from '../../../src/feed/eventFilter';
import { toNirvanaFilterParams } from '../../../src/providers/nirvana/nirvanaPushdown';

describe('toNirvanaFilterParams', () => {
  it('sends nothing without a filter, or for a filter of time and sources only', () => {
    expect(toNirvanaFilterParams(undefined)).toEqual([]);
    expect(
      toNirvanaFilterParams(
        normalizeFilter({ sinceMs: 1, sourceIds: ['nv'], providers: ['NIRVANA'] }),
      ),
    ).toEqual([]);
  });

  it.each<[string, EventFilterInput, [string, string][]]>([
    ['one action', { actions: ['vm.created'] }, [['action', 'vm.created']]],
    ['two actions: nothing', { actions: ['vm.created', 'vm.deleted'] }, []],
    ['one actor id', { actorIds: ['ak_1'] }, [['actor_id', 'ak_1']]],
    ['actor type USER as user', { actorTypes: ['USER'] }, [['actor_type', 'user']]],
    ['actor type API_KEY as api_key', { actorTypes: ['API_KEY'] }, [['actor_type', 'api_key']]],
    ['an actor type Nirvana lacks: nothing', { actorTypes: ['SYSTEM'] }, []],
    ['SUCCESS as status_code_max=399', { outcome: 'SUCCESS' }, [['status_code_max', '399']]],
    ['FAILURE as status_code_min=400', { outcome: 'FAILURE' }, [['status_code_min', '400']]],
    ['UNKNOWN: nothing', { outcome: 'UNKNOWN' }, []],
    ['one resource type', { resourceTypes: ['vm'] }, [['target_type', 'vm']]],
    ['one resource id', { resourceIds: ['vm-1'] }, [['target_id', 'vm-1']]],
    ['an IPv4 address', { ipAddress: '198.51.100.4' }, [['client_ip', '198.51.100.4']]],
    [
      'an IPv6 address, canonical',
      { ipAddress: '2001:0DB8:0000:0000:0000:0000:0000:0001' },
      [['client_ip', '2001:db8::1']],
    ],
    [
      'an IPv6 address, first longest zero run',
      { ipAddress: '1:0:0:1:0:0:0:1' },
      [['client_ip', '1:0:0:1::1']],
    ],
    [
      'an IPv4-mapped address, as IPv4',
      { ipAddress: '::ffff:198.51.100.4' },
      [['client_ip', '198.51.100.4']],
    ],
    [
      'an IPv4-mapped address in hex, as IPv4',
      { ipAddress: '::FFFF:C633:6404' },
      [['client_ip', '198.51.100.4']],
    ],
    ['a range: nothing', { ipAddress: '198.51.100.0/24' }, []],
    ['an address with a zone: nothing', { ipAddress: 'fe80::1%eth0' }, []],
    [
      'text, emails, categories: nothing',
      { text: 'vm', actorEmails: ['a@b.c'], categories: ['CREATE'] },
      [],
    ],
    [
      'several fields, in a fixed order',
      { resourceIds: ['vm-1'], actions: ['vm.created'], outcome: 'FAILURE', actorTypes: ['USER'] },
      [
        ['action', 'vm.created'],
        ['actor_type', 'user'],
        ['status_code_min', '400'],
        ['target_id', 'vm-1'],
      ],
    ],
  ])('sends %s', (_case, input, params) => {
    expect(toNirvanaFilterParams(normalizeFilter(input))).toEqual(params);
  });
});
