import { describe, expect, it } from "vitest";
import { requestContent, responseContent, responseFailure } from "./call-content.js";

describe("requestContent", () => {
  const params = { name: "search", arguments: { q: "refunds" }, _meta: { traceparent: "00-…" } };

  it("keeps the params without _meta when inputs are recorded", () => {
    expect(requestContent(params, true)).toEqual({ name: "search", arguments: { q: "refunds" } });
  });

  it("keeps only the name or URI when inputs are not recorded", () => {
    expect(requestContent(params, false)).toEqual({ name: "search" });
    expect(requestContent({ uri: "docs://a", _meta: {} }, false)).toEqual({ uri: "docs://a" });
  });

  it("copies leniently: what JSON cannot carry is described, not refused", () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 40; i++) deep = { next: deep };
    const content = requestContent(
      { name: "upload", arguments: { file: new Uint8Array(12), deep } },
      true,
    ) as { arguments: { file: string; deep: unknown } };
    expect(content.arguments.file).toBe("[12 bytes]");
    expect(JSON.stringify(content.arguments.deep)).toContain('"[too deep]"');
  });

  it("records nothing for missing or empty params", () => {
    expect(requestContent(undefined, true)).toBeUndefined();
    expect(requestContent({ _meta: {} }, true)).toBeUndefined();
    expect(requestContent({ arguments: { q: 1 } }, false)).toBeUndefined();
  });
});

describe("responseContent", () => {
  it("is the result only when outputs are recorded", () => {
    const response = { id: 1, result: { content: [] } };
    expect(responseContent(response, true)).toEqual({ content: [] });
    expect(responseContent(response, false)).toBeUndefined();
  });
});

describe("responseFailure", () => {
  it("is undefined for a successful result", () => {
    expect(responseFailure({ id: 1, result: { content: [] } }, true)).toBeUndefined();
    expect(responseFailure({ id: 1, result: { isError: false } }, true)).toBeUndefined();
  });

  it("carries a JSON-RPC error's message and code always, its data only with outputs", () => {
    const response = { id: 1, error: { code: -32602, message: "bad uri", data: { uri: "x" } } };
    expect(responseFailure(response, true)).toEqual({
      error: { message: "bad uri", code: -32602 },
      output: { data: { uri: "x" } },
    });
    expect(responseFailure(response, false)).toEqual({
      error: { message: "bad uri", code: -32602 },
    });
  });

  it("names a malformed JSON-RPC error rather than failing on it", () => {
    expect(responseFailure({ id: 1, error: {} }, true)).toEqual({
      error: { message: "JSON-RPC error" },
    });
  });

  it("takes a tool error's text as its message only when outputs are recorded", () => {
    const result = {
      isError: true,
      content: [
        { type: "image", data: "…" },
        { type: "text", text: "index is offline" },
      ],
    };
    expect(responseFailure({ id: 1, result }, true)).toEqual({
      error: { message: "index is offline" },
      output: result,
    });
    expect(responseFailure({ id: 1, result }, false)).toEqual({
      error: { message: "the tool returned a result with isError: true" },
    });
  });
});
