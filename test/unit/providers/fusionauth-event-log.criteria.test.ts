import { normalizeFilter, type EventFilterInput } from '../../../src/feed/eventFilter';
import { toFusionAuthEventLogCriteria } from '../../../src/providers/fusionauth-event-log/fusionAuthEventLogPushdown';
import { planKindPushdown } from '../../support/planKindPushdown';

describe('toFusionAuthEventLogCriteria', () => {
  it('sends nothing without a filter, or for a filter of time and sources only', () => {
    expect(toFusionAuthEventLogCriteria(undefined)).toEqual({});
    expect(
      toFusionAuthEventLogCriteria(
        normalizeFilter({ sinceMs: 1, beforeMs: 2, sourceIds: ['fa'], providers: ['FUSIONAUTH'] }),
      ),
    ).toEqual({});
  });

  it.each<[string, EventFilterInput, Record<string, string>]>([
    ['one type as type', { actions: ['Information'] }, { type: 'Information' }],
    ['outcome FAILURE as type Error', { outcome: 'FAILURE' }, { type: 'Error' }],
    ['the type Error with FAILURE', { actions: ['Error'], outcome: 'FAILURE' }, { type: 'Error' }],
    [
      'another type than Error with FAILURE: the type only',
      { actions: ['Debug'], outcome: 'FAILURE' },
      { type: 'Debug' },
    ],
    [
      'FAILURE beside two actions',
      { actions: ['Debug', 'Error'], outcome: 'FAILURE' },
      { type: 'Error' },
    ],
    ['a type in another case: nothing (type is an exact enum)', { actions: ['error'] }, {}],
    ['an action that is no type: nothing', { actions: ['vm.created'] }, {}],
    ['outcome SUCCESS or UNKNOWN: nothing', { outcome: 'UNKNOWN' }, {}],
    ['text, lower-cased, as *text*', { text: 'Webhook [HTTPS' }, { message: '*webhook [https*' }],
    ['text a type name holds: nothing', { text: 'ERR' }, {}],
    ['text that spans a type name: *text*', { text: 'errors' }, { message: '*errors*' }],
    ['text with `*`: nothing', { text: 'a*b' }, {}],
    ['text with a backslash: nothing', { text: 'a\\b' }, {}],
    ['text with LIKE wildcards: *text*', { text: '100%_x' }, { message: '*100%_x*' }],
    [
      'fields the event log lacks: nothing',
      { actorEmails: ['a@b.c'], ipAddress: '192.0.2.1', resourceIds: ['1'] },
      {},
    ],
  ])('sends %s', (_case, input, criteria) => {
    expect(toFusionAuthEventLogCriteria(normalizeFilter(input))).toEqual(criteria);
  });

  it('sends a field exactly when the pushdown table plans it', () => {
    const filter = normalizeFilter({ actions: ['Debug'], outcome: 'FAILURE', text: 'lambda' });
    expect(planKindPushdown('fusionauth-event-log', filter)).toEqual({
      actions: 'pushed',
      outcome: 'residual',
      text: 'narrowed',
    });
    expect(toFusionAuthEventLogCriteria(filter)).toEqual({ type: 'Debug', message: '*lambda*' });
  });
});
