import { describe, expect, it } from "vitest";
import { chaukasSpanId, chaukasTraceId } from "./openai-ids.js";

describe("ids from the SDK's ids", () => {
  it("keeps the SDK's trace id hex and the first 16 hex digits of a span id", () => {
    expect(chaukasTraceId("trace_0af7651916cd43dd8448eb211c80319c")).toBe(
      "0af7651916cd43dd8448eb211c80319c",
    );
    expect(chaukasSpanId("span_b7ad6b7169203331aabbccdd")).toBe("b7ad6b7169203331");
  });

  it("makes fresh W3C ids for ids of another shape or all zeros", () => {
    for (const id of ["my-trace", "trace_XYZ", `trace_${"0".repeat(32)}`]) {
      expect(chaukasTraceId(id)).toMatch(/^(?!0+$)[0-9a-f]{32}$/);
    }
    for (const id of ["span_1", "custom", `span_${"0".repeat(24)}`]) {
      expect(chaukasSpanId(id)).toMatch(/^(?!0+$)[0-9a-f]{16}$/);
    }
  });
});
