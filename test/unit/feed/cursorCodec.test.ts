import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { createCursorCodec } from '../../../src/feed/createCursorCodec';
import type { FeedCursor } from '../../../src/feed/createCursorCodec';
import { AuditgraphError } from '../../../src/model/errors';

const SECRET = 'pinned-cursor-secret-for-tests';
const codec = createCursorCodec(SECRET);
const expected = { order: 'desc' as const, filterHash: 'Zq3aN8Lr0xWkVb2c' };

const AFTER_EVENT: FeedCursor = {
  order: 'desc',
  filterHash: 'Zq3aN8Lr0xWkVb2c',
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
  'ag1.WyJkIiwiWnEzYU44THIweFdrVmIyYyIsMTc3MjQ0Mjg3MTQ1NiwxNzcyNDQyODY3MDAwLCJmYXN0bHkiLCI0S3FaOHdYY1IyYlQxbU5hOXBMc1llIiwxXQ.mN1yIQbWYXB5HNfmFMRNSw';
const PINNED_SCAN_POSITION =
  'ag1.WyJkIiwiWnEzYU44THIweFdrVmIyYyIsMTc3MjQ0Mjg3MTQ1NiwxNzcyNDQyODAwMDAyLCJmYS1hdWRpdCIsbnVsbCwwXQ.oOcNKyfgQWoPCSiqcCPqcw';

function codeOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof AuditgraphError ? error.code : 'NOT_AN_AUDITGRAPH_ERROR';
  }
}

describe('the cursor codec', () => {
  it('encodes a position after an event to the pinned literal', () => {
    expect(codec.encode(AFTER_EVENT)).toBe(PINNED_AFTER_EVENT);
    expect(codec.decode(PINNED_AFTER_EVENT, expected)).toEqual(AFTER_EVENT);
  });

  it('encodes a scan position (no event to name) to the pinned literal', () => {
    expect(codec.encode(SCAN_POSITION)).toBe(PINNED_SCAN_POSITION);
    expect(codec.decode(PINNED_SCAN_POSITION, expected)).toEqual(SCAN_POSITION);
  });

  it('refuses a cursor signed with another secret', () => {
    const foreign = createCursorCodec('another-secret-of-another-server').encode(AFTER_EVENT);
    expect(codeOf(() => codec.decode(foreign, expected))).toBe('BAD_USER_INPUT');
  });

  it('refuses a cursor whose payload was changed, even by one character', () => {
    const cursor = codec.encode(AFTER_EVENT);
    const [version, payload, mac] = cursor.split('.') as [string, string, string];
    const json = Buffer.from(payload, 'base64url').toString('utf8').replace('fastly', 'fastlz');
    const tampered = `${version}.${Buffer.from(json).toString('base64url')}.${mac}`;
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

  it('refuses a huge cursor before doing any work on it', () => {
    expect(
      codeOf(() => codec.decode(`ag1.${'A'.repeat(100_000)}.${'B'.repeat(22)}`, expected)),
    ).toBe('BAD_USER_INPUT');
  });

  it('turns any string into either a cursor or BAD_USER_INPUT, never another failure', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.base64String(),
          fc.constant('ag1..'),
        ),
        (text) => {
          const code = codeOf(() => codec.decode(text, expected));
          expect(code).toBe('BAD_USER_INPUT');
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('round-trips any position', () => {
    fc.assert(
      fc.property(
        fc.record({
          order: fc.constantFrom('asc' as const, 'desc' as const),
          filterHash: fc.string({ maxLength: 16 }),
          asOfMs: fc.nat(),
          position: fc.record({
            ts: fc.nat(),
            sourceId: fc.string({ maxLength: 40 }),
            nativeId: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
          }),
          hasPrevious: fc.boolean(),
        }),
        (cursor) => {
          expect(codec.decode(codec.encode(cursor), cursor)).toEqual(cursor);
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
      const body = `ag1.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      const mac = createHmac('sha256', SECRET).update(body).digest().subarray(0, 16);
      return `${body}.${mac.toString('base64url')}`;
    };
    const base = ['d', expected.filterHash, 1, 2, 'fastly', 'x', 1];
    expect(codeOf(() => codec.decode(sign([...base, []]), expected))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => codec.decode(sign([...base, [[1]]]), expected))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => codec.decode(sign([...base, [['a', 1.5, 'b', null]]]), expected))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codec.decode(sign([...base, [['a']]]), expected).lagging).toEqual([
      { sourceId: 'a', stoodAt: null },
    ]);
  });
});
