import { describe, expect, it } from "vitest";
import { createIntegrationGuard } from "./integration-guard.js";

describe("createIntegrationGuard", () => {
  it("returns the result, or on a throw counts it, tells onError where, and returns the fallback", () => {
    const told: [unknown, string][] = [];
    const guard = createIntegrationGuard<string>((error, hook) => told.push([error, hook]));
    expect(guard.run("a", 0, () => 42)).toBe(42);
    const boom = new Error("boom");
    expect(
      guard.run("onSpanEnd", "fallback", () => {
        throw boom;
      }),
    ).toBe("fallback");
    expect(guard.failed).toBe(1);
    expect(told).toEqual([[boom, "onSpanEnd"]]);
  });

  it("wraps callbacks; a throwing onError reaches nobody", () => {
    const guard = createIntegrationGuard(() => {
      throw new Error("handler");
    });
    const seen: number[] = [];
    const callback = guard.wrap("hook", (n: number) => {
      seen.push(n);
      if (n > 1) throw new Error("adapter");
    });
    expect(() => callback(1)).not.toThrow();
    expect(() => callback(2)).not.toThrow();
    guard.report(new Error("async"), "later");
    expect(seen).toEqual([1, 2]);
    expect(guard.failed).toBe(2);
  });

  it("reportOnce tells a condition once per key, counted once", () => {
    const told: string[] = [];
    const guard = createIntegrationGuard<string>((error) => told.push((error as Error).message));
    guard.reportOnce("no-fetch", new Error("no fetch"), "fetch");
    guard.reportOnce("no-fetch", new Error("no fetch"), "fetch");
    guard.reportOnce("no-iterator", new Error("no iterator"), "stream");
    expect(told).toEqual(["no fetch", "no iterator"]);
    expect(guard.failed).toBe(2);
  });
});
