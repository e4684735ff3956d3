import type * as Crypto from 'node:crypto';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import type { FeedCursor } from '../../../src/feed/createCursorCodec';
import { AuditgraphError } from '../../../src/model/errors';

// Records the HMAC work the codec does, to show that some refusals come before any.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof Crypto>('node:crypto');
  return { ...actual, createHmac: jest.fn(actual.createHmac) };
});

const SECRET = 'pinned-cursor-secret-for-tests';
const DAY_MS = 24 * 60 * 60 * 1000;
/** The codec's clock: when the pinned cursors were written. */
const ISSUED_AT = 1772442871500;

function createClock(start = ISSUED_AT) {
  const clock = { ms: start, now: () => clock.ms };
  return clock;
}

const codec = createCursorCodec(SECRET, { now: () => ISSUED_AT });
const expected = {
  order: 'desc' as const,
  filterHash: 'Zq3aN8Lr0xWkVb2c',
  principalId: 'ops-dashboard',
};

const AFTER_EVENT: FeedCursor = {
  order: 'desc',
  filterHash: 'Zq3aN8Lr0xWkVb2c',
  principalId: 'ops-dashboard',
  asOfMs: 1772442871456,
  position: { ts: 1772442867000, sourceId: 'fastly', nativeId: '4KqZ8wXcR2bT1mNa9pLsYe' },
  hasPrevious: true,
};
const SCAN_POSITION: FeedCursor = {
  ...AFTER_EVENT,
  position: { ts: 1772442800002, sourceId: 'fa-audit', nativeId: null },
  hasPrevious: false,
};

// Pinned: a change to the cursor format must be deliberate (a new version prefix), since clients
// hold cursors across deployments.
const PINNED_AFTER_EVENT =
  'ag2.WyJkIiwiWnEzYU44THIweFdrVmIyYyIsInhYN1J0QUcxRFVqdXVwSE8iLDE3NzI1MjkyNzE1MDAsMTc3MjQ0Mjg3MTQ1NiwxNzcyNDQyODY3MDAwLCJmYXN0bHkiLCI0S3FaOHdYY1IyYlQxbU5hOXBMc1llIiwxXQ.RBR4Abqvz97grDkk6esPJA';
const PINNED_SCAN_POSITION =
  'ag2.WyJkIiwiWnEzYU44THIweFdrVmIyYyIsInhYN1J0QUcxRFVqdXVwSE8iLDE3NzI1MjkyNzE1MDAsMTc3MjQ0Mjg3MTQ1NiwxNzcyNDQyODAwMDAyLCJmYS1hdWRpdCIsbnVsbCwwXQ.XJP1zmOBdgWZe9HPvGNIkg';
/** A cursor of the previous format (ag1), as release 0.1 wrote it. */
const AG1_CURSOR =
  'ag1.WyJkIiwiWnEzYU44THIweFdrVmIyYyIsMTc3MjQ0Mjg3MTQ1NiwxNzcyNDQyODY3MDAwLCJmYXN0bHkiLCI0S3FaOHdYY1IyYlQxbU5hOXBMc1llIiwxXQ.mN1yIQbWYXB5HNfmFMRNSw';

function errorOf(run: () => unknown): { code: string; message: string } | null {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof AuditgraphError
      ? { code: error.code, message: error.message }
      : { code: 'NOT_AN_AUDITGRAPH_ERROR', message: String(error) };
  }
}
const codeOf = (run: () => unknown) => errorOf(run)?.code ?? null;

describe('the cursor codec', () => {
  it('encodes a position after an event to the pinned literal', () => {
    expect(codec.encode(AFTER_EVENT)).toBe(PINNED_AFTER_EVENT);
    expect(codec.decode(PINNED_AFTER_EVENT, expected)).toEqual({
      ...AFTER_EVENT,
      expiresAtMs: ISSUED_AT + DAY_MS,
    });
  });

  it('encodes a scan position (no event to name) to the pinned literal', () => {
    expect(codec.encode(SCAN_POSITION)).toBe(PINNED_SCAN_POSITION);
    expect(codec.decode(PINNED_SCAN_POSITION, expected)).toEqual({
      ...SCAN_POSITION,
      expiresAtMs: ISSUED_AT + DAY_MS,
    });
  });

  it('refuses a cursor of the previous format (ag1), saying to start again', () => {
    expect(errorOf(() => codec.decode(AG1_CURSOR, expected))).toEqual({
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(/earlier version.*start again without `after`/),
    });
  });

  it('refuses a cursor signed with another secret', () => {
    const foreign = createCursorCodec('another-secret-of-another-server', {
      now: () => ISSUED_AT,
    }).encode(AFTER_EVENT);
    expect(errorOf(() => codec.decode(foreign, expected))).toEqual({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('is not valid'),
    });
  });

  it('refuses a cursor whose payload was changed, even by one character', () => {
    const cursor = codec.encode(AFTER_EVENT);
    const [version, payload, mac] = cursor.split('.') as [string, string, string];
    const json = Buffer.from(payload, 'base64url').toString('utf8').replace('fastly', 'fastlz');
    const tampered = `${version}.${Buffer.from(json).toString('base64url')}.${mac}`;
    expect(codeOf(() => codec.decode(tampered, expected))).toBe('BAD_USER_INPUT');
  });

  it('refuses a cursor whose expiry was pushed back, since the expiry is signed too', () => {
    const cursor = codec.encode(AFTER_EVENT);
    const [version, payload, mac] = cursor.split('.') as [string, string, string];
    const json = Buffer.from(payload, 'base64url')
      .toString('utf8')
      .replace(String(ISSUED_AT + DAY_MS), String(ISSUED_AT + 365 * DAY_MS));
    const tampered = `${version}.${Buffer.from(json).toString('base64url')}.${mac}`;
    expect(tampered).not.toBe(cursor);
    expect(codeOf(() => codec.decode(tampered, expected))).toBe('BAD_USER_INPUT');
  });

  it('refuses a cursor made for another order or another filter', () => {
    const cursor = codec.encode(AFTER_EVENT);
    expect(codeOf(() => codec.decode(cursor, { ...expected, order: 'asc' }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(() => codec.decode(cursor, { ...expected, filterHash: 'other' }))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('refuses a cursor made for another client, and names no client in it', () => {
    const cursor = codec.encode(AFTER_EVENT);
    expect(errorOf(() => codec.decode(cursor, { ...expected, principalId: 'intruder' }))).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'the cursor was made for another client; start again without `after`',
    });
    const payload = Buffer.from(cursor.split('.')[1]!, 'base64url').toString('utf8');
    expect(payload).not.toContain('ops-dashboard');
  });

  it('accepts a cursor until its ttl has passed since the first page, then refuses it as expired', () => {
    const clock = createClock();
    const shortLived = createCursorCodec(SECRET, { ttlMs: 60_000, now: clock.now });
    const cursor = shortLived.encode(AFTER_EVENT);
    clock.ms = ISSUED_AT + 59_999;
    expect(shortLived.decode(cursor, expected).expiresAtMs).toBe(ISSUED_AT + 60_000);
    clock.ms = ISSUED_AT + 60_000;
    expect(errorOf(() => shortLived.decode(cursor, expected))).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'the cursor has expired; start again without `after`',
    });
  });

  it('expires a day after the first page by default', () => {
    const clock = createClock();
    const daily = createCursorCodec(SECRET, { now: clock.now });
    const cursor = daily.encode(AFTER_EVENT);
    clock.ms = ISSUED_AT + DAY_MS - 1;
    expect(codeOf(() => daily.decode(cursor, expected))).toBeNull();
    clock.ms = ISSUED_AT + DAY_MS;
    expect(codeOf(() => daily.decode(cursor, expected))).toBe('BAD_USER_INPUT');
  });

  it("keeps the traversal's expiry on later pages, so a replayed page gives the same cursor", () => {
    const clock = createClock();
    const daily = createCursorCodec(SECRET, { now: clock.now });
    const first = daily.decode(daily.encode(AFTER_EVENT), expected);
    clock.ms = ISSUED_AT + 3_600_000;
    const later = { ...SCAN_POSITION, expiresAtMs: first.expiresAtMs };
    const text = daily.encode(later);
    clock.ms = ISSUED_AT + 7_200_000;
    expect(daily.encode(later)).toBe(text);
    expect(daily.decode(text, expected).expiresAtMs).toBe(ISSUED_AT + DAY_MS);
  });

  it('checks its options when it is made', () => {
    for (const ttlMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createCursorCodec(SECRET, { ttlMs })).toThrow(/ttlMs/);
    }
    expect(() => createCursorCodec('short')).toThrow(/at least 16 bytes/);
  });

  it('refuses a huge cursor before doing any HMAC work on it', () => {
    const hmacCalls = jest.mocked(createHmac);
    hmacCalls.mockClear();
    for (const prefix of ['ag2', 'ag1']) {
      expect(
        codeOf(() => codec.decode(`${prefix}.${'A'.repeat(100_000)}.${'B'.repeat(22)}`, expected)),
      ).toBe('BAD_USER_INPUT');
    }
    expect(hmacCalls).not.toHaveBeenCalled();
    // The recorder does see the codec's HMAC work when there is some.
    codec.decode(PINNED_AFTER_EVENT, expected);
    expect(hmacCalls).toHaveBeenCalled();
  });

  it('turns any string into either a cursor or BAD_USER_INPUT, never another failure', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.base64String(),
          fc.constant('ag1..'),
          fc.constant('ag2..'),
          fc.string().map((tail) => `ag2.${tail}`),
        ),
        (text) => {
          const code = codeOf(() => codec.decode(text, expected));
          expect(code).toBe('BAD_USER_INPUT');
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('round-trips any position, for any client', () => {
    fc.assert(
      fc.property(
        fc.record({
          order: fc.constantFrom('asc' as const, 'desc' as const),
          filterHash: fc.string({ maxLength: 16 }),
          principalId: fc.string({ maxLength: 40 }),
          asOfMs: fc.nat(),
          position: fc.record({
            ts: fc.nat(),
            sourceId: fc.string({ maxLength: 40 }),
            nativeId: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
          }),
          hasPrevious: fc.boolean(),
        }),
        (cursor) => {
          expect(codec.decode(codec.encode(cursor), cursor)).toEqual({
            ...cursor,
            expiresAtMs: ISSUED_AT + DAY_MS,
          });
        },
      ),
    );
  });

  it('round-trips the positions of lagging sources, and keeps them under the length limit for six sources with long ids', () => {
    const position = (ts: number) => ({
      ts,
      sourceId: 'cloudflare-production-account',
      nativeId: '0f3c9a7e-5b1d-4c2e-9a8f-6d4b2e1c0a9f',
    });
    const cursor: FeedCursor = {
      ...AFTER_EVENT,
      expiresAtMs: ISSUED_AT + DAY_MS,
      lagging: [
        { sourceId: 'fusionauth-audit-log-prod', stoodAt: null },
        ...Array.from({ length: 5 }, (_, i) => ({
          sourceId: `lagging-source-number-${i}`,
          stoodAt: position(1772442800000 + i),
        })),
      ],
    };
    const text = codec.encode(cursor);
    expect(codec.decode(text, expected)).toEqual(cursor);
    expect(text.length).toBeLessThanOrEqual(2048);
  });

  it('refuses a lagging list that is not one auditgraph writes, even when signed', () => {
    const sign = (payload: unknown[]) => {
      // Sign a hand-made payload with the real secret, as a bug or an old release could.
      const body = `ag2.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      const mac = createHmac('sha256', SECRET).update(body).digest().subarray(0, 16);
      return `${body}.${mac.toString('base64url')}`;
    };
    // The principal tag of `ops-dashboard`, taken from a cursor the codec wrote.
    const tag = (
      JSON.parse(Buffer.from(PINNED_AFTER_EVENT.split('.')[1]!, 'base64url').toString()) as [
        string,
        string,
        string,
      ]
    )[2];
    const base = ['d', expected.filterHash, tag, ISSUED_AT + DAY_MS, 1, 2, 'fastly', 'x', 1];
    expect(codec.decode(sign(base), expected).position).toEqual({
      ts: 2,
      sourceId: 'fastly',
      nativeId: 'x',
    });
    expect(codeOf(() => codec.decode(sign([...base, []]), expected))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => codec.decode(sign([...base, [[1]]]), expected))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => codec.decode(sign([...base, [['a', 1.5, 'b', null]]]), expected))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(() => codec.decode(sign(base.slice(0, 8)), expected))).toBe('BAD_USER_INPUT');
    expect(codec.decode(sign([...base, [['a']]]), expected).lagging).toEqual([
      { sourceId: 'a', stoodAt: null },
    ]);
  });

  it('accepts only the canonical spelling of the signature, not the variants that decode alike', () => {
    const cursor = codec.encode(AFTER_EVENT);
    const last = cursor[cursor.length - 1]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The last character carries 2 signature bits and 4 spare ones: its 15 siblings decode alike.
    const index = alphabet.indexOf(last);
    const siblings = [...alphabet].filter((char, i) => char !== last && i >> 4 === index >> 4);
    expect(siblings).toHaveLength(15);
    for (const sibling of siblings) {
      const variant = `${cursor.slice(0, -1)}${sibling}`;
      expect(Buffer.from(variant.split('.')[2]!, 'base64url')).toEqual(
        Buffer.from(cursor.split('.')[2]!, 'base64url'),
      );
      expect(codeOf(() => codec.decode(variant, expected))).toBe('BAD_USER_INPUT');
    }
  });
});
