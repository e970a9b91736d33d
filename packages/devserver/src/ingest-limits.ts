import { Code, ConnectError } from "@connectrpc/connect";

/** Error metadata key whose value says why a call was refused. */
export const ERROR_REASON_METADATA_KEY = "chaukas-error-reason";

/**
 * The reason value that tells a client to split the batch and retry the halves: the client
 * splits on exactly RESOURCE_EXHAUSTED with this reason.
 */
export const BATCH_TOO_LARGE_REASON = "batch-too-large";

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
