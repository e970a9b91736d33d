import { Code, ConnectError } from "@connectrpc/connect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PROCESSOR_DEFAULTS } from "./processor-defaults.js";
import { backoffDelayMs, isRetryable, isSizeRejection, serverRetryAdvice } from "./retry.js";

describe("isRetryable", () => {
  it("retries only transient codes", () => {
    const retryable = [
      Code.Unavailable,
      Code.ResourceExhausted,
      Code.DeadlineExceeded,
      Code.Aborted,
      Code.Unknown,
      // connect-node's code for a connection that broke under the call (EPIPE, refused stream).
      Code.Internal,
    ];
    for (const code of Object.values(Code).filter((c) => typeof c === "number")) {
      expect(isRetryable(new ConnectError("x", code))).toBe(retryable.includes(code));
    }
  });

  it("does not retry a TLS certificate failure, which connect-node also reports as Internal", () => {
    const untrusted = Object.assign(new Error("self-signed certificate"), {
      code: "DEPTH_ZERO_SELF_SIGNED_CERT",
    });
    expect(
      isRetryable(new ConnectError("self-signed certificate", Code.Internal, {}, [], untrusted)),
    ).toBe(false);
    const brokenPipe = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
    expect(isRetryable(new ConnectError("write EPIPE", Code.Internal, {}, [], brokenPipe))).toBe(
      true,
    );
  });

  it("does not retry ResourceExhausted caused by size; it is a size rejection instead", () => {
    const bySize = [
      new ConnectError(
        "message size 300000 is larger than configured readMaxBytes 4096",
        Code.ResourceExhausted,
      ),
      new ConnectError(
        "Received message larger than max (300000 vs. 4194304)",
        Code.ResourceExhausted,
      ),
      new ConnectError("batch exceeds 1 MiB", Code.ResourceExhausted),
      new ConnectError("nope", Code.ResourceExhausted, {
        "chaukas-error-reason": "batch-too-large",
      }),
    ];
    for (const error of bySize) {
      expect(isSizeRejection(error)).toBe(true);
      expect(isRetryable(error)).toBe(false);
    }
    const quota = new ConnectError("rate limit: 100 batches/s", Code.ResourceExhausted);
    expect(isSizeRejection(quota)).toBe(false);
    expect(isRetryable(quota)).toBe(true);
    expect(isSizeRejection(new ConnectError("too large", Code.InvalidArgument))).toBe(false);
  });
});

describe("backoffDelayMs", () => {
  it("is full jitter: within [0, min(max, initial·mult^n)]", () => {
    const policy = PROCESSOR_DEFAULTS.retry;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (n, r) => {
          const bound = Math.min(
            policy.maxBackoffMs,
            policy.initialBackoffMs * policy.multiplier ** n,
          );
          const delay = backoffDelayMs(n, policy, () => r);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(bound);
        },
      ),
    );
    expect(backoffDelayMs(0, policy, () => 0)).toBe(0);
  });
});

describe("serverRetryAdvice", () => {
  const at = Date.parse("2025-06-01T12:00:00Z");
  it("reads grpc-retry-pushback-ms; a negative or malformed one means do not retry", () => {
    const advice = (value: string) =>
      serverRetryAdvice(
        new ConnectError("x", Code.Unavailable, { "grpc-retry-pushback-ms": value }),
        at,
      );
    expect(advice("250")).toEqual({ delayMs: 250 });
    expect(advice("-1")).toBe("do-not-retry");
    expect(advice("soon")).toBe("do-not-retry");
  });

  it("reads retry-after as seconds or as an HTTP date", () => {
    const advice = (value: string) =>
      serverRetryAdvice(new ConnectError("x", Code.Unavailable, { "retry-after": value }), at);
    expect(advice("2")).toEqual({ delayMs: 2000 });
    expect(advice("Sun, 01 Jun 2025 12:00:05 GMT")).toEqual({ delayMs: 5000 });
    expect(serverRetryAdvice(new ConnectError("x", Code.Unavailable), at)).toBeUndefined();
  });
});
