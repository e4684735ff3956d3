import { parseRetryAfter, readRetryAfterMs } from '../../../src/http/readRetryAfter';

const NOW = Date.UTC(2026, 10, 22, 9, 0, 0);
const inSeconds = (seconds: number) => new Date(NOW + seconds * 1000).toUTCString();

describe('readRetryAfterMs', () => {
  it.each([
    ['Retry-After in seconds', { 'retry-after': '1' }, 1_000],
    ['Retry-After as an HTTP date', { 'retry-after': inSeconds(30) }, 30_000],
    ['Retry-After in the past', { 'retry-after': inSeconds(-30) }, 0],
    ['retry-after-ms', { 'retry-after-ms': '1500' }, 1_500],
    ["Cloudflare's x-ratelimit-reset as a date", { 'x-ratelimit-reset': inSeconds(5) }, 5_000],
    ['x-ratelimit-reset in seconds', { 'x-ratelimit-reset': '7' }, 7_000],
    ['x-ratelimit-reset in epoch seconds', { 'x-ratelimit-reset': String(NOW / 1000 + 9) }, 9_000],
    [
      "Fastly's Fastly-RateLimit-Reset",
      { 'fastly-ratelimit-reset': String(NOW / 1000 + 60) },
      60_000,
    ],
    [
      'the largest of several hints',
      { 'retry-after': '2', 'x-ratelimit-reset': inSeconds(4) },
      4_000,
    ],
    ['the first of repeated headers', { 'retry-after': ['3', '9'] }, 3_000],
    [
      'Retry-After: 999999 as sent (the client clamps it)',
      { 'retry-after': '999999' },
      999_999_000,
    ],
    [
      'Retry-After as an HTTP date in the year 9999 as sent',
      { 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' },
      Date.UTC(9999, 11, 31, 23, 59, 59) - NOW,
    ],
    ['no hint', {}, null],
    ['an unreadable hint', { 'retry-after': 'soon', 'fastly-ratelimit-reset': 'x' }, null],
    ['a negative Retry-After as no hint', { 'retry-after': '-5' }, null],
    ['a fractional Retry-After as no hint', { 'retry-after': '1.5' }, null],
    ['digits that are no HTTP date as no hint', { 'retry-after': '1 2 3' }, null],
    ['a negative x-ratelimit-reset as no hint', { 'x-ratelimit-reset': '-30' }, null],
    ['a negative Fastly-RateLimit-Reset as no hint', { 'fastly-ratelimit-reset': '-1' }, null],
  ])('reads %s', (_case, headers, expected) => {
    expect(readRetryAfterMs(headers, NOW)).toBe(expected);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120],
    [' 5 ', 5],
    [inSeconds(2.5), 2],
    ['', null],
    [undefined, null],
    ['-5', null],
    ['+5', null],
    ['2.5', null],
    ['in a minute', null],
  ])('reads %p as %p seconds', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});
