import type { ChaukasStats, DropReason } from "./stats.js";

/**
 * The processor's counters. Every event the processor accepts ends in exactly one of `sent`,
 * `failed` or a drop reason; until then it is queued (waiting for a batch) or in flight, so
 * `emitted + recovered + lossReports = sent + failed + dropped + queued + inFlight` holds at every
 * moment (`recovered`: events taken over from the outbox; `lossReports`: the client's own records
 * of lost events).
 */
export class PipelineStats {
  emitted = 0;
  recovered = 0;
  lossReports = 0;
  corruptRecords = 0;
  sent = 0;
  failed = 0;
  /** Export attempts that were retries. */
  retried = 0;
  /** Events whose payload was cut to keep them while the queue was full. */
  truncated = 0;
  /** Events in exports that have not settled. */
  inFlight = 0;
  exportCalls = 0;
  readonly dropped: Record<DropReason, number> = {
    queueFull: 0,
    shutdown: 0,
    beforeSend: 0,
    prepareFailed: 0,
    tooLarge: 0,
    outboxFull: 0,
  };

  snapshot(queued: number): ChaukasStats {
    const { emitted, recovered, lossReports, corruptRecords } = this;
    const { sent, failed, retried, truncated, inFlight, exportCalls } = this;
    return {
      emitted,
      recovered,
      lossReports,
      corruptRecords,
      sent,
      failed,
      retried,
      truncated,
      inFlight,
      exportCalls,
      queued,
      dropped: { ...this.dropped },
    };
  }
}
