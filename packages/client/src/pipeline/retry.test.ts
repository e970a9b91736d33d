// Retry policy alone: which errors are retried, pushback headers, and the full-jitter delays.
import { Code, ConnectError } from "@connectrpc/connect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PROCESSOR_DEFAULTS } from "./processor-defaults.js";
import { isSizeRejection, retryDelayMs } from "./retry.js";

const policy = PROCESSOR_DEFAULTS.retry;
const delay = (error: ConnectError, retry = 0, random = () => 0.5) =>
  retryDelayMs(error, retry, policy, random);

describe("retryDelayMs: what is retried", () => {
  it("retries only transient codes", () => {
    const codes = Object.values(Code).filter((code): code is Code => typeof code === "number");
    const retried = codes.filter((code) => delay(new ConnectError("x", code)) !== undefined);
    // Internal: connect-node's code for a connection that broke under the call (EPIPE, refused stream).
    expect(retried.map((code) => Code[code])).toEqual([
      "Unknown",
      "DeadlineExceeded",
      "ResourceExhausted",
      "Aborted",
      "Internal",
      "Unavailable",
    ]);
  });

  it("does not retry a TLS certificate failure, which connect-node also reports as Internal", () => {
    const untrusted = Object.assign(new Error("self-signed certificate"), {
      code: "DEPTH_ZERO_SELF_SIGNED_CERT",
    });
    expect(
      delay(new ConnectError("self-signed certificate", Code.Internal, {}, [], untrusted)),
    ).toBeUndefined();
    const wrapped = new Error("fetch failed", { cause: untrusted });
    expect(delay(new ConnectError("fetch failed", Code.Internal, {}, [], wrapped))).toBeUndefined();
    const brokenPipe = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
    expect(delay(new ConnectError("write EPIPE", Code.Internal, {}, [], brokenPipe))).toBe(100);
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
      expect(delay(error)).toBeUndefined();
    }
    const quota = new ConnectError("rate limit: 100 batches/s", Code.ResourceExhausted);
    expect(isSizeRejection(quota)).toBe(false);
    expect(delay(quota)).toBe(100);
    expect(isSizeRejection(new ConnectError("too large", Code.InvalidArgument))).toBe(false);
  });
});

describe("retryDelayMs: how long to wait", () => {
  it("is full jitter: within [0, min(max, initial·mult^n)]", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (n, r) => {
          const bound = Math.min(
            policy.maxBackoffMs,
            policy.initialBackoffMs * policy.multiplier ** n,
          );
          const ms = delay(new ConnectError("x", Code.Unavailable), n, () => r);
          expect(ms).toBeGreaterThanOrEqual(0);
          expect(ms).toBeLessThanOrEqual(bound);
        },
      ),
    );
    expect(delay(new ConnectError("x", Code.Unavailable), 0, () => 0)).toBe(0);
  });

  it("reads grpc-retry-pushback-ms; a negative or malformed one means do not retry", () => {
    const advice = (value: string) =>
      delay(new ConnectError("x", Code.Unavailable, { "grpc-retry-pushback-ms": value }));
    expect(advice("250")).toBe(250);
    expect(advice("-1")).toBeUndefined();
    expect(advice("soon")).toBeUndefined();
    expect(advice("99999999999999999999")).toBeUndefined();
  });

  it("reads retry-after as seconds or as an HTTP date", () => {
    const advice = (value: string) =>
      delay(new ConnectError("x", Code.Unavailable, { "retry-after": value }));
    expect(advice("2")).toBe(2000);
    const inFive = new Date(Date.now() + 5000).toUTCString();
    expect(advice(inFive)).toBeGreaterThan(3000);
    expect(advice(inFive)).toBeLessThanOrEqual(5000);
    expect(advice("Sun, 01 Jun 2025 12:00:05 GMT")).toBe(0);
    // Neither: the backoff decides.
    expect(advice("later")).toBe(100);
  });
});
