import { MAX_JSON_DEPTH } from "@chaukas/client";
import { describe, expect, it } from "vitest";
// The client's own check of JSON input, which is not exported.
import { toJsonObject } from "../../client/src/validation/struct.js";
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
    expect(toJsonContent(undefined)).toBeUndefined();
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

  it("is the client's lenient conversion otherwise: cycles, depth and odd values as it records them", () => {
    const message: Record<string, unknown> = { text: "hi", at: new Date(0) };
    message.self = message;
    expect(toJsonContent(message)).toEqual({
      text: "hi",
      at: "1970-01-01T00:00:00.000Z",
      self: "[circular]",
    });
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < MAX_JSON_DEPTH + 5; i++) deep = { deep };
    const json = toJsonContent(deep);
    expect(() => toJsonObject(json, "request")).not.toThrow();
    expect(JSON.stringify(json)).toContain("[too deep]");
  });
});
