// The contract between the batch processor and the outbox stage: what the stage needs from the
// processor, and what the processor asks of the stage.
import type { Event, EventBatch } from "@chaukas/spec/common/v1";
import type { ConnectError } from "@connectrpc/connect";
import type { OutgoingBatch } from "../pipeline/delivery.js";
import type { LossReason } from "../pipeline/loss-ledger.js";
import type { PipelineStats } from "../pipeline/pipeline-stats.js";
import type { DropReason } from "../pipeline/stats.js";
import type { ExportErrorInfo } from "../wire/export-error.js";

/** What the outbox stage needs from its processor. */
export interface OutboxStageContext {
  /**
   * The transitions the stage makes. A `Pick`, not the class: its private fields would make two
   * copies of the package (ESM and CommonJS) disagree on the type.
   */
  readonly stats: Pick<PipelineStats, "recovered" | "corruptRecordsFound">;
  report(error: ConnectError, info: ExportErrorInfo): void;
  /** Counts dropped events; the `events` lost (already linked into the chain) are reported. */
  drop(reason: DropReason, count: number, events: readonly Event[] | undefined): void;
  /** Notes one lost event (already linked into the chain) for the loss report. */
  recordLoss(reason: LossReason, event: Event): void;
  /** Whether a batch whose first event has `firstSeq` goes out with keepalive (takes no slot). */
  isKeepalive(firstSeq: number): boolean;
  /** Whether an export slot is free (`maxConcurrentExports`). */
  slotFree(): boolean;
  /** Starts a delivery (taking a slot unless keepalive); resolves once it settled. */
  deliver(outgoing: OutgoingBatch): Promise<void>;
  /** Asks the processor to run its loop again: a batch was written, or a claim finished. */
  pump(): void;
}

/**
 * An outbox attached to one processor (`Outbox.attach`): what the processor asks of the stage.
 * An interface, not the class, so that two copies of the package (ESM and CommonJS) agree on it.
 */
export interface AttachedOutbox {
  /** Events waiting here that `maxQueueSize` counts (this run's, in memory). */
  readonly heldEvents: number;
  /** Every event waiting here for a slot: part of `stats().queued`. */
  readonly waitingEvents: number;
  /** The `seq` of the oldest waiting event: -1 while a claim runs, Infinity when none waits. */
  readonly oldestSeq: number;
  /**
   * Takes a batch just cut: writes it, or queues the write behind those under way. Resolves at
   * once, so the processor goes on cutting.
   */
  store(batch: EventBatch, firstSeq: number): Promise<void>;
  /** Releases the newest stored batch from memory; false when there is none. */
  spill(): boolean;
  /** Starts deliveries of waiting batches while slots are free. */
  startDeliveries(): void;
  /** Stops holding batches (shutdown's deadline); returns the events that were waiting. */
  abandon(): number;
  /** Stops claiming and closes the outbox. */
  close(): Promise<void> | undefined;
}
