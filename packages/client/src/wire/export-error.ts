// What `onError` is told: why an export failed and whether it will be retried.

import type { ConnectError } from "@connectrpc/connect";

/**
 * Why `onError` was called:
 * - `rejected`: the backend answered with an error (`willRetry` tells whether it is retried);
 * - `timeout`: an attempt passed `exportTimeoutMs` (retried while the budget lasts);
 * - `retries-exhausted`: the last allowed attempt failed; the batch's events count as failed;
 * - `too-large`: the backend refused the batch's size; it is split (`willRetry: true`), or a
 *   single event that cannot fit is dropped (`willRetry: false`, `dropped.tooLarge`);
 * - `shutdown`: `shutdown()`'s deadline passed first; the events count as failed;
 * - `prepare-failed`: privacy failed closed for one event: `beforeSend` or the integrity chain
 *   failed for it, so it was dropped unsent (`dropped.prepareFailed`); the rest go out;
 * - `encode-failed`: an event could not be encoded (it is no valid `Event`); it counts as failed;
 * - `outbox-failed`: the outbox could not store, remove or claim a batch; a batch it could not
 *   store is still delivered from memory (`willRetry: true`), one it could not remove may be
 *   delivered again by a later run (the backend drops duplicates by event id).
 */
export type ExportErrorReason =
  | "rejected"
  | "retries-exhausted"
  | "too-large"
  | "timeout"
  | "shutdown"
  | "prepare-failed"
  | "encode-failed"
  | "outbox-failed";

/** The second argument of `onError`. */
export interface ExportErrorInfo {
  /** The batch concerned; "" when the error happened before a batch was formed. */
  readonly batchId: string;
  /** Events concerned. */
  readonly events: number;
  readonly willRetry: boolean;
  readonly reason: ExportErrorReason;
}

/** The `onError` hook: told about every failed attempt and every final failure. */
export type ErrorHook = (error: ConnectError, info: ExportErrorInfo) => void;
