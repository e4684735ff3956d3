import type * as Crypto from 'node:crypto';
import { createDecipheriv, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { createCursorCodec, maxCursorLength } from '../../../src/feed/createCursorCodec';
import type { FeedCursor } from '../../../src/feed/createCursorCodec';
import { createSealer } from '../../../src/model/createSealer';
import { AuditgraphError } from '../../../src/model/errors';
import { MAX_NATIVE_ID_LENGTH } from '../../../src/model/nativeId';

// Records the cryptographic work the codec does, to show that some refusals come before any.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof Crypto>('node:crypto');
  return {
    ...actual,
    createHmac: jest.fn(actual.createHmac),
    createDecipheriv: jest.fn(actual.createDecipheriv),
  };
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
  'ag3.1NcA9k_E20OciQB7qiDmOzKcTMcypOZ49dB-bNAIDmczmW_6m4j7xNNGu2gODRXcco9HkWX9ldVIbDMbd8plf88skzNsloql_p29IQ_ybBCmKWD2VhKiG1dF7X_JTQpaSmfj4jxav8IoeleTSWpOmH9ldA0drNCbynRT23pUepvOlgbkQES-MfqFVwr07V2XepKsUZA';
const PINNED_SCAN_POSITION =
  'ag3.RzmC533-sRe5CayqkYXgzyJFuhPiI-I7bTSxA6gYruD4uG6V9kyiBda210xVEOlNR1B_mbUXCYOkJ_U4LB8R3Otz6R4Bubx8RpXFDgWrO_2nUpLkR0egBk2FBmjEVXZqJ9ynsfKbkAJtKKZZ0v-7Br_4M0MFPP-RSVYSkKoMy2piSU8';
/** A cursor of the format before sealing (ag2): signed, its payload readable JSON. */
const AG2_CURSOR =
  'ag2.WyJkIiwiWnEzYU44THIweFdrVmIyYyIsInhYN1J0QUcxRFVqdXVwSE8iLDE3NzI1MjkyNzE1MDAsMTc3MjQ0Mjg3MTQ1NiwxNzcyNDQyODY3MDAwLCJmYXN0bHkiLCI0S3FaOHdYY1IyYlQxbU5hOXBMc1llIiwxXQ.RBR4Abqvz97grDkk6esPJA';
/** A cursor of the first format (ag1), as release 0.1 wrote it. */
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

  it('refuses a cursor of an earlier format (ag1, ag2), saying to start again', () => {
    for (const earlier of [AG1_CURSOR, AG2_CURSOR]) {
      expect(errorOf(() => codec.decode(earlier, expected))).toEqual({
        code: 'BAD_USER_INPUT',
        message: expect.stringMatching(/earlier version.*start again without `after`/),
      });
    }
  });

  it('shows nothing of the position, the source, the provider id or the client in clear', () => {
    const cursor = codec.encode(AFTER_EVENT);
    const sealed = cursor.slice('ag3.'.length);
    const bytes = Buffer.from(sealed, 'base64url');
    for (const shown of [bytes.toString('latin1'), bytes.toString('utf8'), cursor]) {
      for (const secretPart of [
        'fastly',
        '4KqZ8wXcR2bT1mNa9pLsYe',
        '1772442867000',
        'ops-dashboard',
        'Zq3aN8Lr0xWkVb2c',
      ]) {
        expect(shown).not.toContain(secretPart);
      }
    }
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
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

  it('refuses a cursor of which any single byte was changed', () => {
    const cursor = codec.encode(AFTER_EVENT);
    const bytes = Buffer.from(cursor.slice('ag3.'.length), 'base64url');
    for (let at = 0; at < bytes.length; at += 1) {
      const tampered = Buffer.from(bytes);
      tampered[at] = (tampered[at] ?? 0) ^ 0x01;
      const text = `ag3.${tampered.toString('base64url')}`;
      expect(codeOf(() => codec.decode(text, expected))).toBe('BAD_USER_INPUT');
    }
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
    for (const maxSources of [0, -1, 1.5, Number.NaN]) {
      expect(() => createCursorCodec(SECRET, { maxSources })).toThrow(/maxSources/);
    }
  });

  it('refuses a huge cursor before doing any cryptographic work on it', () => {
    const hmacCalls = jest.mocked(createHmac);
    const decipherCalls = jest.mocked(createDecipheriv);
    hmacCalls.mockClear();
    decipherCalls.mockClear();
    for (const prefix of ['ag3', 'ag2', 'ag1']) {
      expect(codeOf(() => codec.decode(`${prefix}.${'A'.repeat(100_000)}`, expected))).toBe(
        'BAD_USER_INPUT',
      );
    }
    expect(hmacCalls).not.toHaveBeenCalled();
    expect(decipherCalls).not.toHaveBeenCalled();
    // The recorders do see the codec's work when there is some.
    codec.decode(PINNED_AFTER_EVENT, expected);
    expect(decipherCalls).toHaveBeenCalled();
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
          fc.constant('ag3.'),
          fc.string().map((tail) => `ag3.${tail}`),
          fc.base64String().map((tail) => `ag3.${tail.replace(/=/g, '')}`),
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

  it('round-trips the positions of lagging sources with long ids', () => {
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
  });

  it('reads back the longest cursor it can write: every source lagging, every id as long as allowed', () => {
    // Three UTF-8 bytes per character, and `"` escaped: the most an id of 256 characters takes.
    const longest = (seed: string) =>
      `${seed}"€`.repeat(MAX_NATIVE_ID_LENGTH).slice(0, MAX_NATIVE_ID_LENGTH);
    const sourceId = (i: number) => `s${i}`.padEnd(63, '-');
    for (const maxSources of [1, 6, 32]) {
      const sized = createCursorCodec(SECRET, { now: () => ISSUED_AT, maxSources });
      const cursor: FeedCursor = {
        ...AFTER_EVENT,
        expiresAtMs: Number.MAX_SAFE_INTEGER,
        asOfMs: Number.MAX_SAFE_INTEGER,
        position: { ts: Number.MAX_SAFE_INTEGER, sourceId: sourceId(0), nativeId: longest('a') },
        lagging: Array.from({ length: maxSources }, (_, i) => ({
          sourceId: sourceId(i),
          stoodAt: {
            ts: Number.MAX_SAFE_INTEGER,
            sourceId: sourceId(i + 1),
            nativeId: longest('b'),
          },
        })),
      };
      const text = sized.encode(cursor);
      expect(text.length).toBeLessThanOrEqual(maxCursorLength(maxSources));
      expect(sized.decode(text, expected)).toEqual(cursor);
    }
  });

  it('never writes a cursor naming more lagging sources than it reads back', () => {
    const one = createCursorCodec(SECRET, { now: () => ISSUED_AT, maxSources: 1 });
    const lagging = [
      { sourceId: 'a', stoodAt: null },
      { sourceId: 'b', stoodAt: null },
    ];
    expect(codeOf(() => one.encode({ ...AFTER_EVENT, lagging }))).toBe('INTERNAL_SERVER_ERROR');
  });

  it('refuses a lagging list that is not one auditgraph writes, even when sealed', () => {
    // Seal a hand-made payload with the real secret, as a bug or an old release could.
    const sealer = createSealer(SECRET, 'auditgraph cursors v3', { maxSealedLength: 100_000 });
    const sign = (payload: unknown[]) => `ag3.${sealer.seal(JSON.stringify(payload))}`;
    // The principal tag of `ops-dashboard`, taken from a cursor the codec wrote.
    const tag = (
      JSON.parse(sealer.open(PINNED_AFTER_EVENT.slice('ag3.'.length))!) as [string, string, string]
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

  it('accepts only the canonical spelling of a cursor, not the variants that decode alike', () => {
    const spare = (cursor: string) => {
      const bytes = cursor.length - 'ag3.'.length;
      // base64url's last character carries 6, 2 or 4 bits of data for 0, 1 or 2 trailing bytes.
      return { 0: 0, 2: 4, 3: 2 }[(bytes % 4) as 0 | 2 | 3];
    };
    const cursor = [AFTER_EVENT, SCAN_POSITION]
      .map((value) => codec.encode(value))
      .find((text) => spare(text) > 0)!;
    expect(cursor).toBeDefined();
    const last = cursor[cursor.length - 1]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const index = alphabet.indexOf(last);
    const width = 2 ** spare(cursor);
    const siblings = [...alphabet].filter(
      (char, i) => char !== last && Math.floor(i / width) === Math.floor(index / width),
    );
    expect(siblings).toHaveLength(width - 1);
    for (const sibling of siblings) {
      const variant = `${cursor.slice(0, -1)}${sibling}`;
      expect(Buffer.from(variant.slice(4), 'base64url')).toEqual(
        Buffer.from(cursor.slice(4), 'base64url'),
      );
      expect(codeOf(() => codec.decode(variant, expected))).toBe('BAD_USER_INPUT');
    }
  });
});
