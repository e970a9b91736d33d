// Loss accounting of the processor: every drop counted and told to `onDrop`, the events lost
// noted in the `LossLedger`, and the loss reports built from it tracked until they settle.
import type { Event } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ExportErrorInfo } from "../wire/export-error.js";
import { finalFailure } from "./final-failure.js";
import { LossLedger, type LossReason, type LossRecord } from "./loss-ledger.js";
import { lossRecordOf } from "./loss-report.js";
import type { PipelineStats } from "./pipeline-stats.js";
import type { DropReason } from "./stats.js";

/** What the loss reporter is given by its processor. */
export interface LossReporterContext {
  readonly stats: PipelineStats;
  /** `BatchProcessorOptions.onDrop`. */
  readonly onDrop: ((reason: DropReason, count: number) => void) | undefined;
  /** `BatchProcessorOptions.lossReport`: without it, losses are only counted. */
  readonly lossReport: ((record: LossRecord) => Event) | undefined;
  /** Tells `onError`. */
  report(error: ConnectError, info: ExportErrorInfo): void;
}

/** A loss report queued and not yet settled: the ledger counter of its first loss, and its `seq`. */
interface QueuedReport {
  readonly firstRecorded: number;
  readonly seq: number;
}

/**
 * Counts drops and reports losses. A report is queued by the processor when the queue has room
 * (`nextReport`); `flush()` waits until the losses noted before it are reported and those
 * reports settled (`reportedBefore`).
 */
export class LossReporter {
  readonly #ledger = new LossLedger();
  /** Reports queued, oldest first; `forgetSettled` removes the ones that settled. */
  #queued: QueuedReport[] = [];

  constructor(private readonly context: LossReporterContext) {}

  /** Losses noted so far (a counter that only grows): what a `flush()` waits to see reported. */
  get recorded(): number {
    return this.#ledger.recorded;
  }

  /** True when a loss waits to be reported (and reports are built at all). */
  get pending(): boolean {
    return this.context.lossReport !== undefined && this.#ledger.size > 0;
  }

  /**
   * Waiting events (or one just accepted) were dropped: counts them, tells `onDrop`, and notes
   * the `events` lost when the reason is one a loss report names. `linked`: they went through
   * `prepare` (the integrity chain).
   */
  drop(reason: DropReason, count: number, events?: readonly Event[], linked = false): void {
    this.context.stats.dropped(reason, count);
    this.#noted(reason, count, events, linked);
  }

  /** Events in flight were dropped (refused for their size): as `drop`, linked. */
  dropInFlight(reason: DropReason, count: number, events: readonly Event[]): void {
    this.context.stats.droppedInFlight(reason, count);
    this.#noted(reason, count, events, true);
  }

  /**
   * Notes a lost event for the loss report. A lost loss report is itself a lost event of its
   * session, and what it carried is noted again, when it was lost for room (queue or outbox full)
   * only: one that cannot be sent (its prepare failed, or too large) would fail again forever.
   */
  recordLoss(reason: LossReason, event: Event, linked: boolean): void {
    if (this.context.lossReport === undefined) return;
    const carried = lossRecordOf(event);
    if (carried !== undefined) {
      if (reason !== "queueFull" && reason !== "outboxFull") return;
      this.#ledger.merge(carried);
    }
    this.#ledger.record(reason, event, linked);
  }

  /**
   * The report of the oldest pending record, counted as added, to be queued at `seq`; undefined
   * when building it failed (told to `onError`, the record is gone). Call while `pending`.
   */
  nextReport(seq: number): Event | undefined {
    const record = this.#ledger.take()!;
    let event: Event;
    try {
      event = this.context.lossReport!(record);
    } catch (error) {
      this.context.report(
        ConnectError.from(error, Code.Internal),
        finalFailure("prepare-failed", 0),
      );
      return undefined;
    }
    this.#queued.push({ firstRecorded: record.firstRecorded, seq });
    this.context.stats.lossReportAdded();
    return event;
  }

  /**
   * True when the losses noted before the ledger counter reached `lossTarget` are reported and
   * their reports settled (none at or after `oldestUnsettledSeq`).
   */
  reportedBefore(lossTarget: number, oldestUnsettledSeq: number): boolean {
    if (this.#ledger.oldestPending < lossTarget) return false;
    return this.#queued.every(
      (report) => report.seq < oldestUnsettledSeq || report.firstRecorded >= lossTarget,
    );
  }

  /** Stops tracking the reports that settled: every event before `oldestUnsettledSeq` did. */
  forgetSettled(oldestUnsettledSeq: number): void {
    if (this.#queued[0] !== undefined && this.#queued[0].seq < oldestUnsettledSeq) {
      this.#queued = this.#queued.filter((report) => report.seq >= oldestUnsettledSeq);
    }
  }

  /** Tells `onDrop` and notes the events lost; a hook that throws must not break delivery. */
  #noted(reason: DropReason, count: number, events: readonly Event[] | undefined, linked: boolean) {
    if (events !== undefined && reason !== "beforeSend" && reason !== "shutdown") {
      for (const event of events) this.recordLoss(reason, event, linked);
    }
    try {
      this.context.onDrop?.(reason, count);
    } catch {}
  }
}
