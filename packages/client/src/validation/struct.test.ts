import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, toJsonObject } from "./struct.js";
import { ChaukasValidationError } from "./validation-error.js";

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ChaukasValidationError);
    return (error as ChaukasValidationError).field;
  }
  throw new Error("expected a ChaukasValidationError");
}

describe("toJsonObject", () => {
  it("copies plain JSON, so later changes by the caller do not leak into the event", () => {
    const input = { q: "refund", k: 3, nested: { list: [1, "a", null, true] } };
    const out = toJsonObject(input, "tool_call.arguments");
    input.nested.list.push(99);
    expect(out).toEqual({ q: "refund", k: 3, nested: { list: [1, "a", null, true] } });
  });

  it("turns a Date into its ISO string and honours toJSON, and leaves undefined properties out", () => {
    const at = new Date("2025-01-02T03:04:05.000Z");
    const url = new URL("https://example.com/a");
    expect(toJsonObject({ at, url, gone: undefined }, "x")).toEqual({
      at: "2025-01-02T03:04:05.000Z",
      url: "https://example.com/a",
    });
  });

  it.each([
    ["a function", { q: [1, 2, () => 1] }, "tool_call.arguments.q[2]"],
    ["a symbol", { s: Symbol("x") }, "tool_call.arguments.s"],
    ["a bigint", { n: 1n }, "tool_call.arguments.n"],
    ["NaN", { a: { b: Number.NaN } }, "tool_call.arguments.a.b"],
    ["Infinity", { "odd key": Number.POSITIVE_INFINITY }, 'tool_call.arguments["odd key"]'],
    ["undefined in an array", { list: [undefined] }, "tool_call.arguments.list[0]"],
    ["a Map", { m: new Map() }, "tool_call.arguments.m"],
    ["an invalid Date", { d: new Date(Number.NaN) }, "tool_call.arguments.d"],
    ["an array at the top", [1, 2], "tool_call.arguments"],
    ["a string at the top", "x", "tool_call.arguments"],
  ])("rejects %s naming the path", (_, value, field) => {
    expect(fieldOf(() => toJsonObject(value, "tool_call.arguments"))).toBe(field);
  });

  it("rejects cycles and too deep nesting", () => {
    const cyclic: Record<string, unknown> = { a: {} };
    (cyclic.a as Record<string, unknown>).back = cyclic;
    expect(fieldOf(() => toJsonObject(cyclic, "metadata"))).toBe("metadata.a.back");
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < MAX_JSON_DEPTH + 1; i++) deep = { d: deep };
    expect(() => toJsonObject(deep, "metadata")).toThrow(ChaukasValidationError);
  });

  it("says what is wrong in the message", () => {
    const messageOf = (value: unknown): string => {
      try {
        toJsonObject(value, "m");
      } catch (error) {
        if (error instanceof ChaukasValidationError) return error.message;
        throw error;
      }
      return "accepted";
    };
    expect(messageOf({ a: Number.NaN })).toBe("m.a: expected a JSON value, got NaN");
    // A hole, as `new Array(2)` leaves: JSON.stringify would turn it into null.
    expect(messageOf({ a: new Array(2) })).toBe("m.a[0]: expected a JSON value, got undefined");
    expect(messageOf({ a: new Map() })).toBe(
      "m.a: expected plain JSON (an object, array or string), got an instance of Map",
    );
    expect(messageOf({ a: new Date(Number.NaN) })).toBe("m.a: invalid Date");
    expect(messageOf({ "x y": "h".repeat(1000) })).toBe("accepted");
    expect(messageOf("h".repeat(1000))).toBe(`m: expected a JSON object, got "${"h".repeat(40)}"`);
    const cyclic: unknown[] = [];
    cyclic.push({ c: cyclic });
    expect(messageOf({ list: cyclic })).toBe("m.list[0].c: cyclic reference");
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < MAX_JSON_DEPTH; i++) deep = { d: deep };
    expect(messageOf(deep)).toMatch(/^m(\.d){32}: nests deeper than 32 levels$/);
  });

  it("keeps a __proto__ key as data", () => {
    const input = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    const out = toJsonObject(input, "m");
    expect(Object.keys(out)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it("returns any JSON object unchanged (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 6 })), (value) => {
        // fc.jsonValue gives -0, which JSON has no way to tell from 0.
        const normalized = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
        expect(toJsonObject(normalized, "x")).toStrictEqual(normalized);
      }),
    );
  });

  it("names the exact path of any non-JSON value planted in JSON (property)", () => {
    const bad = fc.constantFrom<unknown>(
      Number.NaN,
      Number.NEGATIVE_INFINITY,
      10n,
      Symbol("s"),
      () => 0,
      new Set([1]),
    );
    const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(key, fc.nat(3)), { minLength: 1, maxLength: 5 }),
        bad,
        (path, value) => {
          // Build an object with `value` at `path` (numbers index arrays, strings key objects).
          let leaf: unknown = value;
          let expected = "";
          for (let i = path.length - 1; i >= 0; i--) {
            const step = path[i]!;
            if (typeof step === "number") {
              const arr: unknown[] = Array.from({ length: step + 1 }, () => 0);
              arr[step] = leaf;
              leaf = arr;
              expected = `[${step}]${expected}`;
            } else {
              leaf = { [step]: leaf };
              expected = `.${step}${expected}`;
            }
          }
          const root = { root: leaf };
          expect(fieldOf(() => toJsonObject(root, "state_update"))).toBe(
            `state_update.root${expected}`,
          );
        },
      ),
    );
  });
});
