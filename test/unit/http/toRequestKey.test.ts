import type { RequestIdentity } from '../../../src/http/toRequestKey';
import { toRequestKey } from '../../../src/http/toRequestKey';

const SECRET = 'Bearer sk-live-aaaaaaaaaaaaaaaaaaaa';

const REQUEST: RequestIdentity = {
  method: 'GET',
  path: '/client/v4/accounts/acc/audit_logs?page=1&token=query-secret',
  headers: { authorization: SECRET, accept: 'application/json' },
  body: undefined,
  acceptStatuses: undefined,
};

describe('toRequestKey', () => {
  it('is a SHA-256 that holds no part of the credential, the path or the query', () => {
    const key = toRequestKey(REQUEST);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    for (const part of ['sk-live', 'aaaaaaaa', 'audit_logs', 'query-secret']) {
      expect(key).not.toContain(part);
    }
  });

  it('is the same for header names in any case and any order', () => {
    const reordered = { Accept: 'application/json', AUTHORIZATION: SECRET };
    expect(toRequestKey({ ...REQUEST, headers: reordered })).toBe(toRequestKey(REQUEST));
  });

  it('is the same for accepted statuses in any order', () => {
    const one = toRequestKey({ ...REQUEST, acceptStatuses: [404, 410] });
    expect(toRequestKey({ ...REQUEST, acceptStatuses: [410, 404] })).toBe(one);
  });

  it.each<[string, Partial<RequestIdentity>]>([
    ['the method', { method: 'POST' }],
    ['the path', { path: '/client/v4/accounts/acc/audit_logs?page=2&token=query-secret' }],
    ['the credential', { headers: { authorization: `${SECRET}b`, accept: 'application/json' } }],
    ['another header', { headers: { authorization: SECRET, accept: 'text/html' } }],
    ['the body', { body: '{"q":1}' }],
    ['the accepted statuses', { acceptStatuses: [404] }],
  ])('differs when %s differs', (_what, change) => {
    expect(toRequestKey({ ...REQUEST, ...change })).not.toBe(toRequestKey(REQUEST));
  });

  it('tells an empty body from no body', () => {
    expect(toRequestKey({ ...REQUEST, body: '' })).not.toBe(toRequestKey(REQUEST));
  });
});
