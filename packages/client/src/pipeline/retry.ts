// Retry policy: which failures are retried, after what delay (the server's word or full jitter),
// and the wait between attempts.
import { Code, type ConnectError } from "@connectrpc/connect";
import { BATCH_TOO_LARGE_REASON, ERROR_REASON_METADATA_KEY } from "./batch-too-large.js";
import { unrefTimer } from "./export-attempt.js";

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
export const RETRYABLE_CODES: ReadonlySet<Code> = new Set<Code>([
  Code.Unavailable,
  Code.ResourceExhausted,
  Code.DeadlineExceeded,
  Code.Aborted,
  Code.Unknown,
  Code.Internal,
]);

/**
 * A rejection of the batch's size: retrying the same bytes cannot succeed, but halves can.
 * Besides our header: Connect's own limit ("message size 300000 is larger than configured
 * readMaxBytes"), gRPC's ("Received message larger than max"), proxies' ("Request Entity Too
 * Large"). ResourceExhausted for any other reason (rate limits, quotas) is retried instead.
 */
export const isSizeRejection = (error: ConnectError): boolean =>
  error.code === Code.ResourceExhausted &&
  (error.metadata.get(ERROR_REASON_METADATA_KEY) === BATCH_TOO_LARGE_REASON ||
    /too large|exceeds|larger than|max(imum)? .*size|message size/i.test(error.rawMessage));

/** A whole number of ms or s, as `grpc-retry-pushback-ms` and `retry-after` carry them; at most
 * 15 digits, so it is a safe integer (a longer one is malformed). */
const WHOLE_NUMBER = /^\s*\d{1,15}\s*$/;

/**
 * The delay before retry number `retry` (0 for the first), or undefined when the batch must not
 * be retried:
 * - codes outside `RETRYABLE_CODES`, size rejections (split instead), and TLS certificate
 *   failures, which connect-node reports as Internal too but which fail the same way each time;
 * - the server's word first: gRPC's `grpc-retry-pushback-ms` (a negative or malformed value
 *   means "do not retry", per gRFC A6), then HTTP's `retry-after` (seconds or an HTTP date);
 * - else full jitter: uniform in [0, min(maxBackoffMs, initialBackoffMs · multiplier^retry)),
 *   which spreads a fleet of clients that all failed at once instead of retrying in lock step.
 */
export function retryDelayMs(
  error: ConnectError,
  retry: number,
  policy: RetryPolicy,
  random: () => number,
): number | undefined {
  const { code, metadata } = error;
  if (!RETRYABLE_CODES.has(code) || isSizeRejection(error)) {
    return undefined;
  }
  // Node's DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_CERT_ALTNAME_INVALID, UNABLE_TO_VERIFY_LEAF_SIGNATURE...
  let cause = (code === Code.Internal && error.cause) as { code?: string; cause?: unknown };
  for (let depth = 0; depth < 5 && cause; depth++, cause = cause.cause as typeof cause) {
    if (/CERT|TLS|SSL|SIGNATURE|ISSUER/.test(cause.code as string)) {
      return undefined;
    }
  }
  const pushback = metadata.get("grpc-retry-pushback-ms");
  if (pushback !== null) {
    return WHOLE_NUMBER.test(pushback) ? +pushback : undefined;
  }
  const retryAfter = metadata.get("retry-after") ?? "";
  const now = Date.now();
  const at = WHOLE_NUMBER.test(retryAfter) ? now + +retryAfter * 1000 : Date.parse(retryAfter);
  return Number.isNaN(at)
    ? Math.floor(
        random() *
          Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.multiplier ** retry),
      )
    : Math.max(0, at - now);
}

/** The wait between retries: `ms`, or less when `signal` aborts (shutdown's deadline). */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    unrefTimer(timer);
    if (signal.aborted) done();
    else signal.addEventListener("abort", done);
  });
}
