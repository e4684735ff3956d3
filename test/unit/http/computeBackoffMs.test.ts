import fc from 'fast-check';
import { computeBackoffMs } from '../../../src/http/computeBackoffMs';

const OPTIONS = { baseMs: 100, maxMs: 1_000 };

describe('computeBackoffMs', () => {
  it('stays between 0 and min(max, base · 2^retry) for any random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (retry, draw) => {
          const delay = computeBackoffMs(retry, OPTIONS, () => draw);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(OPTIONS.maxMs, OPTIONS.baseMs * 2 ** retry));
        },
      ),
    );
  });

  it.each([
    [0, 0.999, 99],
    [1, 0.999, 199],
    [3, 0.999, 799],
    [4, 0.999, 999],
    [10, 0.5, 500],
    [2, 0, 0],
  ])('retry %i with draw %p waits %i ms', (retry, draw, expected) => {
    expect(computeBackoffMs(retry, OPTIONS, () => draw)).toBe(expected);
  });

  it('keeps the bound when a random source misbehaves', () => {
    expect(computeBackoffMs(0, OPTIONS, () => 7)).toBe(100);
    expect(computeBackoffMs(0, OPTIONS, () => -1)).toBe(0);
  });
});
