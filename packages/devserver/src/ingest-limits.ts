import { BATCH_TOO_LARGE_REASON, ERROR_REASON_METADATA_KEY } from "@chaukas/client";
import { Code, ConnectError } from "@connectrpc/connect";

// The split signal is defined where it is acted on, in the client; re-exported for this
// package's modules (cors.ts exposes the key to browsers).
export { BATCH_TOO_LARGE_REASON, ERROR_REASON_METADATA_KEY };

/** Error and response metadata keys with the outcome of an ingest call, per event. */
export const INGEST_COUNT_METADATA_KEYS = {
  /** Events valid and kept (stored now, or already stored before: duplicates). */
  accepted: "chaukas-accepted-count",
  /** Events refused as invalid. */
  rejected: "chaukas-rejected-count",
  /** Of the accepted events, how many were new. */
  stored: "chaukas-stored-count",
  /** Of the accepted events, how many had an event_id already stored. */
  duplicates: "chaukas-duplicate-count",
} as const;

/** RESOURCE_EXHAUSTED for a request over the size limits, carrying the split signal. */
export function batchTooLargeError(what: string): ConnectError {
  return new ConnectError(
    `${what}: too large`,
    Code.ResourceExhausted,
    new Headers({ [ERROR_REASON_METADATA_KEY]: BATCH_TOO_LARGE_REASON }),
  );
}
