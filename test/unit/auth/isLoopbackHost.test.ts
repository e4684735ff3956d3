import { isLoopbackHost } from '../../../src/config/isLoopbackHost';
import { isUnauthenticatedAllowed } from '../../../src/auth/isUnauthenticatedAllowed';

describe('isLoopbackHost', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    'localhost',
    'LocalHost',
  ])('counts %s as loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    '0.0.0.0',
    '::',
    '128.0.0.1',
    '10.0.0.1',
    '192.0.2.1',
    '::2',
    '::ffff:10.0.0.1',
    'localhost.example.com',
    'example.com',
    '',
  ])('does not count %s as loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('isUnauthenticatedAllowed', () => {
  it.each<['demo' | 'live', string, boolean, boolean]>([
    ['demo', '127.0.0.1', false, true],
    ['demo', '0.0.0.0', false, false],
    ['demo', '0.0.0.0', true, true],
    ['live', '127.0.0.1', false, false],
    ['live', '127.0.0.1', true, false],
  ])('in %s mode on %s with allowUnauthenticated %s: %s', (mode, host, allow, allowed) => {
    expect(isUnauthenticatedAllowed({ mode, host, auth: { allowUnauthenticated: allow } })).toBe(
      allowed,
    );
  });
});
