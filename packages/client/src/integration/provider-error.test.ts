import { describe, expect, it } from "vitest";
import { providerCallFailure, retryAfterMs } from "./provider-error.js";

/** Shaped as the Stainless SDKs' `RateLimitError` (status, headers, type, code, request id). */
class RateLimitError extends Error {
  readonly status = 429;
  readonly type = "requests";
  readonly code = "rate_limit_exceeded";
  readonly requestID = "req_1";
  readonly headers = new Headers({ "retry-after": "2" });
}

describe("providerCallFailure", () => {
  it("keeps an API error's status, type, code, request id and wait", () => {
    const failure = providerCallFailure(new RateLimitError("429 slow down"), true);
    expect(failure.abandoned).toBe(false);
    expect(failure.error).toMatchObject({ message: "429 slow down", code: "rate_limit_exceeded" });
    expect(failure.metadata).toEqual({
      error_kind: "RateLimitError",
      http_status: 429,
      error_type: "requests",
      request_id: "req_1",
      retry_after_ms: 2000,
    });
  });

  it("keeps only the error's kind without recordOutputs", () => {
    const failure = providerCallFailure(new RateLimitError("429 about my secret"), false);
    expect(JSON.stringify(failure)).not.toContain("secret");
    expect(failure.error.message).toBe(
      "RateLimitError (message not recorded: recordOutputs is false)",
    );
  });

  it("calls an abort by the app abandoned", () => {
    const abort = new DOMException("aborted", "AbortError");
    expect(providerCallFailure(abort, true).abandoned).toBe(true);
    class APIUserAbortError extends Error {}
    expect(providerCallFailure(new APIUserAbortError("Request was aborted."), true).abandoned).toBe(
      true,
    );
    expect(providerCallFailure("boom", true)).toMatchObject({
      error: { message: "boom" },
      abandoned: false,
    });
  });
});

describe("retryAfterMs", () => {
  const headers = (init: Record<string, string>) => new Headers(init);

  it("reads retry-after-ms first, then retry-after in seconds or as a date", () => {
    expect(retryAfterMs(headers({ "retry-after-ms": "15", "retry-after": "9" }))).toBe(15);
    expect(retryAfterMs(headers({ "retry-after": "1.5" }))).toBe(1500);
    const inTwoSeconds = new Date(Date.now() + 2000).toUTCString();
    expect(retryAfterMs(headers({ "retry-after": inTwoSeconds }))).toBeGreaterThan(0);
  });

  it("is undefined without a usable header", () => {
    expect(retryAfterMs(headers({}))).toBeUndefined();
    expect(retryAfterMs(headers({ "retry-after": "soon" }))).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
