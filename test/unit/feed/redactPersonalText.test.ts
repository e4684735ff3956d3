import fc from 'fast-check';
import { isIP } from 'node:net';
import { REDACTED_TEXT, redactPersonalText } from '../../../src/feed/redactPersonalText';

describe('redacting email and IP addresses in free text', () => {
  it.each([
    [
      'User [ana@example.com] failed login. IP address [192.0.2.69].',
      'User [[redacted]] failed login. IP address [[redacted]].',
    ],
    ['Sent to Bo.Smith+audit@Mail.Example.co.uk, twice', 'Sent to [redacted], twice'],
    ["o'brien@example.com wrote", '[redacted] wrote'],
    ['Müller@beispiel.de', '[redacted]'],
    ['from 2001:db8::1: denied', 'from [redacted]: denied'],
    ['ip:2001:db8::1', 'ip:[redacted]'],
    ['loopback ::1 and ::ffff:192.0.2.1', 'loopback [redacted] and [redacted]'],
    ['link fe80::1%eth0', 'link [redacted]%eth0'],
    ['client 192.0.2.1:8080 then 198.51.100.7.', 'client [redacted]:8080 then [redacted].'],
    ['IPs 192.0.2.1, 198.51.100.7', 'IPs [redacted], [redacted]'],
    ['GET /users/ana@example.com?notify=bo@example.com', 'GET /users/[redacted]?notify=[redacted]'],
  ])('redacts %j', (text, redacted) => {
    expect(redactPersonalText(text)).toBe(redacted);
  });

  it.each([
    'Rotated signing key',
    'Error::Foo at 12:30:45',
    'MAC 00:1a:2b:3c:4d:5e',
    'version 1.2.3.4.5 and v1.2.3.4',
    'host 256.1.1.1',
    'Updated the application with Id [3c219e58-ed0e-4b18-ad48-f4f92793ae32]',
    'deadbeef cafe:babe',
  ])('leaves %j as it is', (text) => {
    expect(redactPersonalText(text)).toBe(text);
  });

  it('leaves no valid IPv4 address or email behind, whatever surrounds it', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 8 }),
        fc.oneof(
          fc.ipV4(),
          // `/ = ? &` are valid in a local part but taken as the end of a path or query before an
          // address, so that `/users/ana@example.com` keeps its path.
          fc
            .emailAddress()
            .filter((email) => !/[/=?&]/.test(email.slice(0, email.lastIndexOf('@')))),
        ),
        fc.string({ maxLength: 8 }),
        (before, personal, after) => {
          const redacted = redactPersonalText(`${before} ${personal} ${after}`);
          expect(redacted).not.toContain(` ${personal} `);
          expect(redacted).toContain(REDACTED_TEXT);
        },
      ),
    );
  });

  it('redacts every IPv6 address standing as a word', () => {
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        expect(isIP(address)).toBe(6);
        expect(redactPersonalText(`from ${address} denied`)).toBe('from [redacted] denied');
      }),
    );
  });

  it('takes time linear in the length of hostile text', () => {
    const hostile = [
      `${'a'.repeat(200_000)} x@`,
      `${'a.'.repeat(100_000)}@`,
      `${'1:'.repeat(100_000)}`,
      `${'1.'.repeat(100_000)}`,
    ];
    const started = Date.now();
    for (const text of hostile) redactPersonalText(text);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
