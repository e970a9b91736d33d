// The processor's counters, and the one place that changes them: a method per transition an
// event makes through the pipeline (accepted, sent, failed, dropped, …).
import type { ChaukasStats, DropReason } from "./stats.js";

/**
 * Every event the processor accepts ends in exactly one of `sent`, `failed` or a drop reason;
 * until then it is queued (waiting for a batch, counted by the processor) or in flight, so
 * `emitted + recovered + lossReports = sent + failed + dropped + queued + inFlight` holds at every
 * moment (`recovered`: events taken over from the outbox; `lossReports`: the client's own records
 * of lost events). Each method is one transition that keeps it: a caller moves events, it never
 * sets a counter.
 */
export class PipelineStats {
  #emitted = 0;
  #recovered = 0;
  #lossReports = 0;
  #corruptRecords = 0;
  #sent = 0;
  #failed = 0;
  #retried = 0;
  #truncated = 0;
  #inFlight = 0;
  #exportCalls = 0;
  readonly #dropped: Record<DropReason, number> = {
    queueFull: 0,
    shutdown: 0,
    beforeSend: 0,
    prepareFailed: 0,
    tooLarge: 0,
    outboxFull: 0,
  };

  /** Events in exports that have not settled (`maxQueueSize` counts them). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** An event entered through `enqueue` (it is then queued, or dropped at once). */
  accepted(): void {
    this.#emitted++;
  }

  /** The processor queued a record of lost events of its own. */
  lossReportAdded(): void {
    this.#lossReports++;
  }

  /** `count` events an earlier run left in the outbox were taken over. */
  recovered(count: number): void {
    this.#recovered += count;
  }

  /** Outbox records that could not be read were skipped. */
  corruptRecordsFound(count: number): void {
    this.#corruptRecords += count;
  }

  /** A waiting event's payload was cut to keep it (`truncateWhenFull`). */
  truncated(): void {
    this.#truncated++;
  }

  /** `count` waiting events left memory for a delivery. */
  exportStarted(count: number): void {
    this.#inFlight += count;
  }

  /** One call of the exporter; `retry` when it is not the batch's first. */
  exportCalled(retry: boolean): void {
    this.#exportCalls++;
    if (retry) this.#retried++;
  }

  /** `count` events in flight were acknowledged. */
  sent(count: number): void {
    this.#inFlight -= count;
    this.#sent += count;
  }

  /** `count` events in flight were finally given up on. */
  failedInFlight(count: number): void {
    this.#inFlight -= count;
    this.#failed += count;
  }

  /** `count` events in flight were dropped for `reason` (refused for their size). */
  droppedInFlight(reason: DropReason, count: number): void {
    this.#inFlight -= count;
    this.#dropped[reason] += count;
  }

  /** `count` waiting events (queued, being prepared or stored) were finally given up on. */
  failed(count: number): void {
    this.#failed += count;
  }

  /** `count` waiting events (or one just accepted) were dropped for `reason`. */
  dropped(reason: DropReason, count: number): void {
    this.#dropped[reason] += count;
  }

  /** The counters now; `queued` is the processor's count of events waiting. */
  snapshot(queued: number): ChaukasStats {
    return {
      emitted: this.#emitted,
      recovered: this.#recovered,
      lossReports: this.#lossReports,
      corruptRecords: this.#corruptRecords,
      sent: this.#sent,
      failed: this.#failed,
      retried: this.#retried,
      truncated: this.#truncated,
      inFlight: this.#inFlight,
      exportCalls: this.#exportCalls,
      queued,
      dropped: { ...this.#dropped },
    };
  }
}
