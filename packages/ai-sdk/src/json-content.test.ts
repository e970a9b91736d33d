import { MAX_JSON_DEPTH, toJsonObject } from "@chaukas/client";
import { describe, expect, it } from "vitest";
import { toJsonContent } from "./json-content.js";

describe("toJsonContent", () => {
  it("keeps plain JSON as it is", () => {
    const value = {
      role: "user",
      content: [{ type: "text", text: "hi" }],
      n: 1,
      ok: true,
      x: null,
    };
    expect(toJsonContent(value)).toEqual(value);
  });

  it("wraps a value that is not an object, as a Struct field needs one", () => {
    expect(toJsonContent("sunny")).toEqual({ value: "sunny" });
    expect(toJsonContent([1, 2])).toEqual({ value: [1, 2] });
    expect(toJsonContent(undefined)).toEqual({});
  });

  it("describes file bytes instead of copying them", () => {
    const content = { type: "file", data: new Uint8Array(2048), mediaType: "image/png" };
    expect(toJsonContent(content)).toEqual({
      type: "file",
      data: "[2048 bytes]",
      mediaType: "image/png",
    });
    expect(toJsonContent({ buffer: new ArrayBuffer(3) })).toEqual({ buffer: "[3 bytes]" });
  });

  it("describes inline file data given as base64 or a data: URL, and keeps links", () => {
    const base64 = "iVBORw0KGgo".repeat(1000);
    expect(
      toJsonContent({
        content: [
          { type: "text", text: "What is in this picture?" },
          { type: "image", image: base64, mediaType: "image/png" },
          { type: "image", image: "https://example.com/cat.png" },
          {
            type: "file",
            data: `data:application/pdf;base64,${base64}`,
            mediaType: "application/pdf",
          },
          { type: "file", data: { type: "data", data: base64 }, mediaType: "image/png" },
        ],
      }),
    ).toEqual({
      content: [
        { type: "text", text: "What is in this picture?" },
        { type: "image", image: "[11000 characters of inline data]", mediaType: "image/png" },
        { type: "image", image: "https://example.com/cat.png" },
        {
          type: "file",
          data: "[11028 characters of inline data]",
          mediaType: "application/pdf",
        },
        {
          type: "file",
          data: { type: "data", data: "[11000 characters of inline data]" },
          mediaType: "image/png",
        },
      ],
    });
  });

  it("turns URLs, dates, errors, bigints and odd numbers into JSON", () => {
    expect(
      toJsonContent({
        url: new URL("https://example.com/a.png"),
        at: new Date(0),
        bad: new Date(Number.NaN),
        error: new TypeError("boom"),
        big: 12n,
        inf: Number.POSITIVE_INFINITY,
      }),
    ).toEqual({
      url: "https://example.com/a.png",
      at: "1970-01-01T00:00:00.000Z",
      bad: "Invalid Date",
      error: { name: "TypeError", message: "boom" },
      big: "12",
      inf: "Infinity",
    });
  });

  it("drops undefined and functions from objects, and makes them null in arrays", () => {
    expect(toJsonContent({ a: undefined, f: () => 1, list: [undefined, 1] })).toEqual({
      list: [null, 1],
    });
  });

  it("marks cycles and keeps the rest", () => {
    const message: Record<string, unknown> = { text: "hi" };
    message.self = message;
    expect(toJsonContent(message)).toEqual({ text: "hi", self: "[circular]" });
    const shared = { k: 1 };
    expect(toJsonContent({ a: shared, b: shared })).toEqual({ a: { k: 1 }, b: { k: 1 } });
  });

  it("stops at the client's nesting limit, so the client accepts the result", () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < MAX_JSON_DEPTH + 5; i++) deep = { deep };
    const json = toJsonContent(deep);
    expect(() => toJsonObject(json, "request")).not.toThrow();
    expect(JSON.stringify(json)).toContain("[too deep]");
  });

  it("converts Maps, Sets and class instances with toJSON", () => {
    class Decimal {
      toJSON() {
        return "1.50";
      }
    }
    expect(
      toJsonContent({ map: new Map([["a", 1]]), set: new Set(["x"]), price: new Decimal() }),
    ).toEqual({ map: { a: 1 }, set: ["x"], price: "1.50" });
  });

  it("keeps a __proto__ key as a plain key", () => {
    const json = toJsonContent(JSON.parse('{"__proto__": {"polluted": true}}'));
    expect(Object.keys(json)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
  });
});
