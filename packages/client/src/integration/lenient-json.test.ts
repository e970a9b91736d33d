import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, toJsonObject } from "../validation/struct.js";
import { toLenientJson, toLenientJsonObject } from "./lenient-json.js";

describe("toLenientJson", () => {
  it("records what the client would refuse instead of failing", () => {
    const cycle: Record<string, unknown> = { name: "loop" };
    cycle.self = cycle;
    class Point {
      constructor(readonly x: number) {}
    }
    const json = toLenientJson({
      bytes: new Uint8Array(12),
      when: new Date(0),
      bad: new Date("x"),
      url: new URL("https://example.com/a"),
      error: new TypeError("nope"),
      map: new Map([["k", 1]]),
      set: new Set([1, 2]),
      big: 10n,
      inf: Number.POSITIVE_INFINITY,
      list: [1, undefined, () => 1],
      fn: () => 1,
      cycle,
      point: new Point(3),
    });
    expect(json).toEqual({
      bytes: "[12 bytes]",
      when: "1970-01-01T00:00:00.000Z",
      bad: "Invalid Date",
      url: "https://example.com/a",
      error: { name: "TypeError", message: "nope" },
      map: { k: 1 },
      set: [1, 2],
      big: "10",
      inf: "Infinity",
      list: [1, null, null],
      cycle: { name: "loop", self: "[circular]" },
      point: { x: 3 },
    });
    // A value met twice but not inside itself is no cycle: both copies are kept.
    const shared = { k: 1 };
    expect(toLenientJson({ a: shared, b: shared })).toEqual({ a: { k: 1 }, b: { k: 1 } });
    const proto = toLenientJson(JSON.parse('{"__proto__": "plain"}')) as object;
    expect(Object.keys(proto)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
  });

  it("stops at the client's depth, so the result is always accepted by a builder", () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < MAX_JSON_DEPTH + 5; i++) deep = { deep };
    const json = toLenientJsonObject(deep)!;
    expect(() => toJsonObject(json, "x")).not.toThrow();
    expect(JSON.stringify(json)).toContain("[too deep]");
  });

  it("wraps a non-object under a key, describes what the caller asks, and has no form for undefined", () => {
    expect(toLenientJsonObject("text", "output")).toEqual({ output: "text" });
    expect(toLenientJsonObject(undefined)).toBeUndefined();
    const described = toLenientJson(
      { type: "image", image: "aGVsbG8=" },
      {
        describe: (key, value) => (key === "image" ? `[${String(value).length} chars]` : undefined),
      },
    );
    expect(described).toEqual({ type: "image", image: "[8 chars]" });
  });
});
