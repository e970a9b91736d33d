// The error metadata by which a backend says a batch was refused for its size (split, not retried).
/**
 * The signal by which a backend says "this batch is too large: split it and send the halves":
 * a RESOURCE_EXHAUSTED error whose metadata `ERROR_REASON_METADATA_KEY` is
 * `BATCH_TOO_LARGE_REASON`. The client splits on it (`retry.ts`); the local backend
 * (`@chaukas/devserver`) sends it. ResourceExhausted for any other reason (rate limits,
 * quotas) is retried instead.
 */
export const ERROR_REASON_METADATA_KEY = "chaukas-error-reason";

/** The `ERROR_REASON_METADATA_KEY` value that asks the client to split the batch. */
export const BATCH_TOO_LARGE_REASON = "batch-too-large";
