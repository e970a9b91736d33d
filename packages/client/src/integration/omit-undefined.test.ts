import { describe, expect, it } from "vitest";
import type { ModelInvocationStart } from "../builders/builder-types.js";
import { omitUndefined } from "./omit-undefined.js";

describe("omitUndefined", () => {
  it("leaves out undefined fields and keeps every other value, falsy ones included", () => {
    const start = omitUndefined<ModelInvocationStart>({
      provider: "openai",
      model: "gpt-4o-mini",
      temperature: 0,
      topP: undefined,
      request: undefined,
    });
    expect(start).toEqual({ provider: "openai", model: "gpt-4o-mini", temperature: 0 });
    expect(Object.keys(start)).toEqual(["provider", "model", "temperature"]);
    expect(omitUndefined<{ a?: string | null; b?: boolean }>({ a: null, b: false })).toEqual({
      a: null,
      b: false,
    });
  });

  it("keeps a __proto__ key as a plain key, not the object's prototype", () => {
    const fields = JSON.parse('{"__proto__": {"polluted": true}, "kept": 1}');
    const kept = omitUndefined<Record<string, unknown>>(fields);
    expect(Object.keys(kept)).toEqual(["__proto__", "kept"]);
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect((kept as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
