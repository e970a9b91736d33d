// The OTLP exporter's option checks (sending is tested against a receiver in test/).
import { ChaukasValidationError } from "@chaukas/client";
import { describe, expect, it } from "vitest";
import { createOtlpExporter } from "./otlp-exporter.js";

function thrownBy(fn: () => unknown): ChaukasValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ChaukasValidationError) return error;
    throw error;
  }
  throw new Error("expected a ChaukasValidationError");
}

describe("createOtlpExporter deadline", () => {
  it("tells the processor its deadline, so an attempt is cut when the request is", () => {
    expect(createOtlpExporter({ timeoutMs: 1234 }).timeoutMs).toBe(1234);
    expect(createOtlpExporter().timeoutMs).toBe(10_000);
  });
});

describe("createOtlpExporter headers", () => {
  it.each([
    ["a record", { authorization: "Bearer k\r\nx-injected: 1" }],
    ["[name, value] pairs", [["authorization", "Bearer k\nx-injected: 1"]]],
  ] as [string, HeadersInit][])("refuses CR/LF in %s, naming the header", (_, headers) => {
    const error = thrownBy(() => createOtlpExporter({ headers }));
    expect(error.field).toBe("headers.authorization");
    expect(error.message).toContain("without CR, LF or NUL");
    expect(error.message).not.toContain("x-injected");
  });

  it("refuses a header name that is not an HTTP token", () => {
    expect(thrownBy(() => createOtlpExporter({ headers: { "x team": "a" } })).field).toBe(
      'headers["x team"]',
    );
  });
});
