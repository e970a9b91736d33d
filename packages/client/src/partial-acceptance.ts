import type { ConnectError } from "@connectrpc/connect";

/**
 * The signal by which a backend says "I kept part of this batch and refused the rest for good":
 * an error whose code is not retried (INVALID_ARGUMENT) and whose metadata
 * `ACCEPTED_COUNT_METADATA_KEY` holds how many of the batch's events it kept. The client then
 * counts those as sent and only the others as failed, instead of the whole batch. The REST
 * transport raises it for a 202 answer that names rejected events (`@chaukas/client/rest`);
 * a Connect backend may send the same key as response metadata.
 */
export const ACCEPTED_COUNT_METADATA_KEY = "chaukas-accepted-count";

/**
 * How many of a batch of `size` events the backend says it kept: 0 when the error does not
 * say, or says something that is not a whole number below `size` (then nothing is assumed kept).
 */
export function acceptedCount(error: ConnectError, size: number): number {
  const value = error.metadata.get(ACCEPTED_COUNT_METADATA_KEY);
  if (value === null || !/^\d{1,10}$/.test(value.trim())) return 0;
  const count = Number(value);
  return count < size ? count : 0;
}
