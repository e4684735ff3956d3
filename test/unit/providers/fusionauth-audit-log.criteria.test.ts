import { normalizeFilter, type EventFilterInput } from '../../../src/feed/eventFilter';
import { toFusionAuthAuditLogCriteria } from '../../../src/providers/fusionauth-audit-log/fusionAuthAuditLogPushdown';
import {
  toFusionAuthAuditLogAction,
  toFusionAuthAuditLogAuditEvent,
} from '../../../src/providers/fusionauth-audit-log/toFusionAuthAuditLogAuditEvent';

describe('toFusionAuthAuditLogCriteria', () => {
  it('sends nothing without a filter', () => {
    expect(toFusionAuthAuditLogCriteria(undefined)).toEqual({});
  });

  it.each<[string, EventFilterInput, Record<string, string>]>([
    [
      'one email, lower-cased, as user=*email*',
      { actorEmails: ['Ana@Example.COM'] },
      { user: '*ana@example.com*' },
    ],
    ['two emails: nothing', { actorEmails: ['a@example.com', 'b@example.com'] }, {}],
    ['an email with `*`: nothing', { actorEmails: ['a*@example.com'] }, {}],
    [
      'text, lower-cased, as message=*text*',
      { text: 'Updated the Application' },
      { message: '*updated the application*' },
    ],
    ['text with `*`: nothing', { text: 'updated*application' }, {}],
    ['text with a backslash: nothing', { text: 'c:\\temp' }, {}],
    [
      'both',
      { actorEmails: ['a@example.com'], text: 'rotated' },
      { user: '*a@example.com*', message: '*rotated*' },
    ],
    [
      'actions, resources, outcome: nothing',
      { actions: ['Rotated signing key'], resourceIds: ['x'], outcome: 'UNKNOWN' },
      {},
    ],
  ])('sends %s', (_case, input, criteria) => {
    expect(toFusionAuthAuditLogCriteria(normalizeFilter(input))).toEqual(criteria);
  });
});

/*
 * Why `message=*text*` is a superset of the text filter, which matches the description OR the
 * action: the action is always a piece of the message, whatever the message.
 */
describe('the audit log action, as the message=*text* pushdown relies on it', () => {
  it.each([
    'Updated the application with Id [3c21] and name [Pied Piper]',
    '  Rotated signing key.  ',
    '[x] only brackets',
    'Deleted the API key with Id [k1]: revoked by [ops]',
    'Reset the password of the user with Id [u1]',
    '',
    '   ',
    'Ünïcödé Σ [x]',
  ])('is a piece of the message %p', (message) => {
    expect(message).toContain(toFusionAuthAuditLogAction(message));
    const event = toFusionAuthAuditLogAuditEvent(
      { id: 1, insertInstant: 0, message },
      { id: 'fa', kind: 'fusionauth-audit-log' },
    );
    expect(event.description?.toLowerCase()).toContain(event.action.toLowerCase());
  });

  it('gives an actor email only when insertUser is that email', () => {
    const event = (insertUser: string) =>
      toFusionAuthAuditLogAuditEvent(
        { id: 1, insertInstant: 0, message: 'x', insertUser },
        { id: 'fa', kind: 'fusionauth-audit-log' },
      );
    expect(event('Ana@Example.com').actor?.email).toBe('Ana@Example.com');
    expect(event('Ana Smith').actor?.email).toBeNull();
    expect(event('ana smith <ana@example.com>').actor?.email).toBeNull();
  });
});
