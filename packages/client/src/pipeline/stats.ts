// `stats()`'s shape: the counters a user reads and the drop reasons.
/** Why an event left the pipeline without being delivered. */
export interface DropCounts {
  /**
   * The queue was at `maxQueueSize` (and held as many truncated events): the event was dropped
   * when emitted, or pushed out by a higher-ranked one (see `DropRank`).
   */
  readonly queueFull: number;
  /** Emitted after `shutdown()` began. */
  readonly shutdown: number;
  /** `beforeSend` returned null: the event was filtered out on purpose. */
  readonly beforeSend: number;
  /**
   * Privacy failed closed: `beforeSend` threw, rejected or returned something that is not a valid
   * event, or the integrity chain could not link the event. The event was never sent.
   */
  readonly prepareFailed: number;
  /** A single event whose encoding exceeds what the backend accepts, even alone. */
  readonly tooLarge: number;
  /**
   * The `outbox` reached its `maxBytes`: its oldest pending batches were removed unsent (only
   * batches not in an export at that moment).
   */
  readonly outboxFull: number;
}

/** Why an event was dropped: a key of `ChaukasStats.dropped`. */
export type DropReason = keyof DropCounts;

/**
 * A snapshot of the pipeline. At any moment:
 * `emitted + recovered + lossReports = sent + failed + dropped(all reasons) + queued + inFlight`
 * (without an outbox and before any loss, `emitted = sent + failed + dropped + queued + inFlight`).
 */
export interface ChaukasStats {
  /** Events accepted by `emit` and the builders (validation passed). */
  readonly emitted: number;
  /** Events an earlier process or tab left in the `outbox`, taken over to be delivered now. */
  readonly recovered: number;
  /** Records of lost events (SYSTEM events) the client added to sessions; see "Loss reports". */
  readonly lossReports: number;
  /** Outbox records that could not be read (torn by a kill in mid-write, or corrupt): skipped. */
  readonly corruptRecords: number;
  /** Events the backend acknowledged. */
  readonly sent: number;
  /** Events finally given up on after a non-retryable error or exhausted retries. */
  readonly failed: number;
  readonly dropped: DropCounts;
  /** Export attempts that were retries (not events). */
  readonly retried: number;
  /**
   * Events kept with their payload cut while the queue was full (`truncateWhenFull`; they are
   * delivered, so outside the balance above). Each carries `metadata.chaukas_truncated`.
   */
  readonly truncated: number;
  /** Events waiting in the queue. */
  readonly queued: number;
  /** Events in exports that have not settled yet. */
  readonly inFlight: number;
  /** Export calls made, retries included. */
  readonly exportCalls: number;
}
