import { describe, expect, it } from "vitest";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { createIntegrationGuard } from "./integration-guard.js";
import { createOpenCalls, EVICTED_CALL, OPEN_CALLS_DEFAULTS } from "./open-calls.js";

describe("createOpenCalls", () => {
  it("evicts the oldest open call beyond maxOpenCalls, and reports it", () => {
    const told: [string, string][] = [];
    const guard = createIntegrationGuard<string>((error, where) =>
      told.push([(error as Error).message, where]),
    );
    const evicted: string[] = [];
    const calls = createOpenCalls<string, string>(
      2,
      guard,
      (call) => evicted.push(call),
      (call) => call,
    );
    calls.open("a", "call a");
    calls.open("b", "call b");
    calls.open("b", "call b again"); // reopening a key is not a new call
    expect(evicted).toEqual([]);
    calls.open("c", "call c");
    expect(evicted).toEqual(["call a"]);
    expect(calls.get("a")).toBeUndefined();
    expect(calls.size).toBe(2);
    expect(told).toEqual([[`${EVICTED_CALL.message} (call a)`, "maxOpenCalls"]]);
    expect(guard.failed).toBe(1);
    expect(calls.close("b")).toBe("call b again");
    calls.open("d", "call d");
    expect(evicted).toEqual(["call a"]);
  });

  it("an evict that throws is counted too, and the call is still gone", () => {
    const guard = createIntegrationGuard<string>();
    const calls = createOpenCalls<number, number>(
      1,
      guard,
      () => {
        throw new Error("refused");
      },
      String,
    );
    calls.open(1, 1);
    calls.open(2, 2);
    expect(calls.get(1)).toBeUndefined();
    expect(guard.failed).toBe(2);
  });

  it("refuses a maxOpenCalls that is not a positive integer, naming it", () => {
    const guard = createIntegrationGuard<string>();
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => createOpenCalls(bad, guard, () => {}, String)).toThrow(ChaukasValidationError);
    }
    expect(() => createOpenCalls(0, guard, () => {}, String)).toThrow(/maxOpenCalls/);
    expect(OPEN_CALLS_DEFAULTS.maxOpenCalls).toBe(1000);
  });
});
