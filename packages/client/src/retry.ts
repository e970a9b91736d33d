import { Code, type ConnectError } from "@connectrpc/connect";

/** When and how often a failed batch is sent again. */
export interface RetryOptions {
  /** Attempts per batch, the first one included. Default Infinity: `maxElapsedMs` is the budget. */
  readonly maxAttempts?: number;
  /** Upper bound of the first retry's delay, in ms. Default 200. */
  readonly initialBackoffMs?: number;
  /** Upper bound of any computed retry delay, in ms. Default 5000. */
  readonly maxBackoffMs?: number;
  /** Growth of the delay bound per retry. Default 2. */
  readonly multiplier?: number;
  /** No retry starts later than this many ms after the batch's first attempt. Default 60 000. */
  readonly maxElapsedMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

/**
 * Codes worth another attempt: the backend was unreachable, overloaded, too slow, or the
 * outcome is unknown (fetch and HTTP/2 failures surface as Unknown or Unavailable). Internal is
 * here because connect-node reports a connection that broke under a call (EPIPE, a refused
 * HTTP/2 stream) as Internal; ingest is idempotent by event_id, so a retry is safe, and a backend
 * that keeps failing Internal is bounded by `maxAttempts`/`maxElapsedMs`. Everything else
 * (InvalidArgument, Unauthenticated, PermissionDenied, NotFound, Unimplemented,
 * FailedPrecondition, ...) would fail the same way again.
 */
export const RETRYABLE_CODES: ReadonlySet<Code> = new Set([
  Code.Unavailable,
  Code.ResourceExhausted,
  Code.DeadlineExceeded,
  Code.Aborted,
  Code.Unknown,
  Code.Internal,
]);

/** Metadata a backend may set on a ResourceExhausted error to say "this batch is too big". */
export const ERROR_REASON_HEADER = "chaukas-error-reason";
export const BATCH_TOO_LARGE_REASON = "batch-too-large";

// Connect's own limit ("message size 300000 is larger than configured readMaxBytes"), gRPC's
// ("Received message larger than max"), proxies' ("Request Entity Too Large").
const SIZE_MESSAGE = /too large|exceeds|larger than|max(imum)? .*size|message size/i;

/**
 * A rejection of the batch's size: retrying the same bytes cannot succeed, but halves can.
 * ResourceExhausted for any other reason (rate limits, quotas) is retried instead.
 */
export function isSizeRejection(error: ConnectError): boolean {
  if (error.code !== Code.ResourceExhausted) {
    return false;
  }
  if (error.metadata.get(ERROR_REASON_HEADER) === BATCH_TOO_LARGE_REASON) {
    return true;
  }
  return SIZE_MESSAGE.test(error.rawMessage);
}

// Node's TLS verification failures (DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_CERT_ALTNAME_INVALID,
// UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...) arrive as Internal too, but fail the same way each time.
const TLS_FAILURE_CODE = /CERT|TLS|SSL|SIGNATURE|ISSUER/;

/** Whether the error, or an error it wraps, is a TLS handshake or certificate failure. */
export function isTlsFailure(error: ConnectError): boolean {
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 5 && typeof cause === "object" && cause !== null; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && TLS_FAILURE_CODE.test(code)) {
      return true;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/** Whether another attempt with the same batch may succeed. */
export function isRetryable(error: ConnectError): boolean {
  if (error.code === Code.Internal && isTlsFailure(error)) {
    return false;
  }
  return RETRYABLE_CODES.has(error.code) && !isSizeRejection(error);
}

/**
 * The delay before retry number `retry` (0 for the first retry), with full jitter:
 * uniform in [0, min(maxBackoffMs, initialBackoffMs * multiplier^retry)). Full jitter spreads
 * a fleet of clients that all failed at once instead of retrying them in lock step.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const bound = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.multiplier ** retry);
  return Math.floor(random() * bound);
}

/** The server's word on retrying: wait this many ms, or do not retry at all. */
export type ServerRetryAdvice = { readonly delayMs: number } | "do-not-retry" | undefined;

/**
 * Reads a server-requested delay from the error's metadata: gRPC's `grpc-retry-pushback-ms`
 * (milliseconds; a negative or malformed value means "do not retry", per gRFC A6) or HTTP's
 * `retry-after` (delay-seconds or an HTTP date).
 */
export function serverRetryAdvice(error: ConnectError, nowMs: number): ServerRetryAdvice {
  const pushback = error.metadata.get("grpc-retry-pushback-ms");
  if (pushback !== null) {
    const ms = /^\s*\d+\s*$/.test(pushback) ? Number(pushback) : Number.NaN;
    return Number.isSafeInteger(ms) ? { delayMs: ms } : "do-not-retry";
  }
  const retryAfter = error.metadata.get("retry-after");
  if (retryAfter !== null) {
    if (/^\s*\d+\s*$/.test(retryAfter)) {
      return { delayMs: Number(retryAfter) * 1000 };
    }
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) {
      return { delayMs: Math.max(0, at - nowMs) };
    }
  }
  return undefined;
}
