import { describe, expect, it } from "vitest";
import { fieldsOf, finiteNumber, nonEmptyString, tokenCount } from "./framework-values.js";

describe("framework values", () => {
  it("reads an object's fields, and no fields of anything else", () => {
    expect(fieldsOf({ a: 1 })).toEqual({ a: 1 });
    for (const value of [null, undefined, 3, "text"]) expect(fieldsOf(value)).toEqual({});
  });

  it("keeps token counts that are non-negative int32s only", () => {
    expect(tokenCount(0)).toBe(0);
    expect(tokenCount(2 ** 31 - 1)).toBe(2 ** 31 - 1);
    for (const value of [-1, 1.5, 2 ** 31, Number.NaN, "3", null]) {
      expect(tokenCount(value)).toBeUndefined();
    }
  });

  it("keeps finite numbers and non-empty strings only", () => {
    expect(finiteNumber(0.2)).toBe(0.2);
    expect(finiteNumber(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(finiteNumber("0.2")).toBeUndefined();
    expect(nonEmptyString("a")).toBe("a");
    expect(nonEmptyString("")).toBeUndefined();
    expect(nonEmptyString(1)).toBeUndefined();
  });
});
