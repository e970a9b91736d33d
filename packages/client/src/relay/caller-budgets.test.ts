import { describe, expect, it } from "vitest";
import { createCallerBudgets } from "./caller-budgets.js";

function clock() {
  let ms = 1_000_000;
  return {
    now: () => ms,
    advance(by: number) {
      ms += by;
    },
  };
}

describe("createCallerBudgets", () => {
  it("lets a burst through, then says how long until the next batch fits", () => {
    const time = clock();
    const budgets = createCallerBudgets({
      perSecond: 10,
      burst: 20,
      maxCallers: 10,
      now: time.now,
    });
    expect(budgets.take("alice", 15)).toBe(0);
    // 5 left; 10 more need 5 more tokens: half a second at 10 per second.
    expect(budgets.take("alice", 10)).toBe(500);
    // A refusal takes nothing: after the wait the same batch fits.
    time.advance(500);
    expect(budgets.take("alice", 10)).toBe(0);
    expect(budgets.take("alice", 1)).toBe(100);
  });

  it("keeps one bucket per caller", () => {
    const time = clock();
    const budgets = createCallerBudgets({ perSecond: 1, burst: 5, maxCallers: 10, now: time.now });
    expect(budgets.take("alice", 5)).toBe(0);
    expect(budgets.take("alice", 1)).toBeGreaterThan(0);
    expect(budgets.take("bob", 5)).toBe(0);
  });

  it("refills no higher than the burst", () => {
    const time = clock();
    const budgets = createCallerBudgets({
      perSecond: 100,
      burst: 10,
      maxCallers: 10,
      now: time.now,
    });
    expect(budgets.take("alice", 10)).toBe(0);
    time.advance(60_000);
    expect(budgets.take("alice", 10)).toBe(0);
    expect(budgets.take("alice", 1)).toBe(10);
  });

  it("forgets the least recently seen caller past maxCallers (its bucket starts full again)", () => {
    const time = clock();
    const budgets = createCallerBudgets({ perSecond: 1, burst: 5, maxCallers: 2, now: time.now });
    expect(budgets.take("alice", 5)).toBe(0);
    expect(budgets.take("bob", 5)).toBe(0);
    // Alice is seen again, so bob is now the least recent and is forgotten when carol comes.
    expect(budgets.take("alice", 1)).toBeGreaterThan(0);
    expect(budgets.take("carol", 1)).toBe(0);
    expect(budgets.take("bob", 5)).toBe(0);
  });

  it("never refuses with perSecond Infinity", () => {
    const budgets = createCallerBudgets({ perSecond: Infinity, burst: 1, maxCallers: 1 });
    for (let i = 0; i < 5; i++) expect(budgets.take(`caller-${i}`, 1000)).toBe(0);
  });
});
