import { createRetryBudget, RETRY_BUDGET_DEFAULTS } from '../../../src/http/createRetryBudget';
import { createFakeTime } from './fakeClocks';

/** Spends every credit there is, as an upstream that always fails would make the client do. */
function spendAll(budget: { trySpend(): boolean }): number {
  let spent = 0;
  while (budget.trySpend()) spent += 1;
  return spent;
}

describe('createRetryBudget', () => {
  it('starts with the credit of one quiet second: a new client can retry its first failure', () => {
    const time = createFakeTime();
    const budget = createRetryBudget({ now: time.now });
    budget.recordFirstAttempt();
    expect(spendAll(budget)).toBe(1);
  });

  it('has nothing to spend before any first attempt earned it', () => {
    const budget = createRetryBudget({ now: createFakeTime().now });
    expect(budget.trySpend()).toBe(false);
  });

  it('earns one retry per five first attempts at the default ratio', () => {
    const time = createFakeTime();
    const budget = createRetryBudget({ now: time.now });
    budget.recordFirstAttempt();
    spendAll(budget);
    for (let i = 0; i < 4; i += 1) budget.recordFirstAttempt();
    expect(budget.trySpend()).toBe(false);
    budget.recordFirstAttempt();
    expect(spendAll(budget)).toBe(1);
  });

  it('earns minPerSecond credits per quiet second, so a quiet source can still retry', () => {
    const time = createFakeTime();
    const budget = createRetryBudget({ minPerSecond: 2, now: time.now });
    budget.recordFirstAttempt();
    spendAll(budget);
    time.advance(1_500);
    budget.recordFirstAttempt();
    expect(spendAll(budget)).toBe(3);
  });

  it('holds no more than maxTokens after a long quiet spell', () => {
    const time = createFakeTime();
    const budget = createRetryBudget({ maxTokens: 4, now: time.now });
    budget.recordFirstAttempt();
    time.advance(3_600_000);
    budget.recordFirstAttempt();
    expect(spendAll(budget)).toBe(4);
  });

  it('allows at most ratio × first attempts at steady traffic: the floor is not added on top (R7)', () => {
    const time = createFakeTime();
    const budget = createRetryBudget({ now: time.now });
    let retries = 0;
    // Ten calls per second, every one failing: the floor alone would earn 0.1 per call.
    for (let call = 0; call < 1_000; call += 1) {
      budget.recordFirstAttempt();
      retries += spendAll(budget);
      time.advance(100);
    }
    // The first call's quiet second earns 1, each later call 0.2: 1 + 999 × 0.2 = 200.8.
    expect(retries).toBe(200);
  });

  it('has the defaults R7 asks for', () => {
    expect(RETRY_BUDGET_DEFAULTS).toEqual({ ratio: 0.2, maxTokens: 10, minPerSecond: 1 });
  });

  it.each([
    ['ratio', -0.1],
    ['ratio', Number.NaN],
    ['maxTokens', 0.5],
    ['maxTokens', Number.POSITIVE_INFINITY],
    ['minPerSecond', -1],
  ])('refuses %s = %p at construction', (name, value) => {
    expect(() => createRetryBudget({ [name]: value })).toThrow(name);
  });
});
