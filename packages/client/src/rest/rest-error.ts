// The public REST API's HTTP answers as Connect errors, so the processor retries them as it does
// any transport's.

import { Code, ConnectError } from "@connectrpc/connect";
import { BATCH_TOO_LARGE_REASON, ERROR_REASON_METADATA_KEY } from "../pipeline/batch-too-large.js";
import type { PublicApiError, PublicIngestResult } from "./public-api.js";

/** `Code` by its snake-case name, as `PublicApiError.code` and Connect's JSON errors write it. */
const CODE_BY_NAME: ReadonlyMap<string, Code> = new Map(
  Object.entries(Code)
    .filter((entry): entry is [string, Code] => typeof entry[1] === "number")
    .map(([name, code]) => [
      name.replace(/[A-Z]/g, (c, i) => (i ? "_" : "") + c.toLowerCase()),
      code,
    ]),
);

/**
 * The code of an HTTP error status when the body names none. Chosen for what the client does
 * with it (`RETRYABLE_CODES`): statuses that a resend cannot fix map to codes that are not
 * retried; 404 and 415 mean the backend does not serve the public REST API at all.
 */
export function codeFromHttpStatus(status: number): Code {
  switch (status) {
    case 400:
      return Code.InvalidArgument;
    case 401:
      return Code.Unauthenticated;
    case 403:
      return Code.PermissionDenied;
    case 404:
    case 405:
    case 415:
    case 501:
      return Code.Unimplemented;
    case 408:
      return Code.DeadlineExceeded;
    case 409:
      return Code.Aborted;
    case 413:
    case 429:
      return Code.ResourceExhausted;
    case 499:
      return Code.Canceled;
    case 500:
      return Code.Internal;
    default:
      return status >= 500 ? Code.Unavailable : Code.FailedPrecondition;
  }
}

/**
 * The `ConnectError` of an error answer (`status` not 2xx) of the public REST API, so the client
 * treats it as it treats a Connect error: the code from the body's `code` (`PublicApiError`) or
 * else the status; the response headers as metadata (`retry-after` is honoured); and 413, or
 * `reason: "batch-too-large"`, as the signal to split the batch (`batch-too-large.ts`).
 */
export function errorFromRestAnswer(status: number, header: Headers, body: string): ConnectError {
  const answer = parseJson(body) as Partial<PublicApiError> | undefined;
  const named = typeof answer?.code === "string" ? CODE_BY_NAME.get(answer.code) : undefined;
  const message =
    typeof answer?.message === "string"
      ? answer.message
      : `HTTP ${status}${body.trim() === "" ? "" : `: ${body.trim().slice(0, 200)}`}`;
  const metadata = new Headers(header);
  if (status === 413 || answer?.reason === BATCH_TOO_LARGE_REASON) {
    metadata.set(ERROR_REASON_METADATA_KEY, BATCH_TOO_LARGE_REASON);
  }
  return new ConnectError(message, named ?? codeFromHttpStatus(status), metadata);
}

/**
 * The error of a 202 answer that names refused events: INVALID_ARGUMENT (not retried) saying
 * which, why, and how many were kept. The client counts the batch failed, as it does when a
 * Connect backend refuses part of a batch; the message tells how many were stored.
 */
export function partialAcceptanceError(result: PublicIngestResult, header: Headers): ConnectError {
  const reasons = result.rejected
    .slice(0, 5)
    .map((event) => `[${event.index}] ${event.event_id || "(no id)"}: ${event.reason}`);
  const more = result.rejected.length > 5 ? `; and ${result.rejected.length - 5} more` : "";
  return new ConnectError(
    `${result.rejected_count} event(s) rejected, ${result.accepted_count} accepted: ${reasons.join("; ")}${more}`,
    Code.InvalidArgument,
    header,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
