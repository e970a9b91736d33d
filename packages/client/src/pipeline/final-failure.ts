// What the pipeline tells `onError` about a failure it will not retry: the reason, how many
// events it cost, and the batch (none for an event lost before it was batched).
import type { ExportErrorInfo, ExportErrorReason } from "../wire/export-error.js";

/** The `onError` info of a final failure of `events` events (`willRetry: false`). */
export function finalFailure(
  reason: ExportErrorReason,
  events: number,
  batchId = "",
): ExportErrorInfo {
  return { batchId, events, willRetry: false, reason };
}
