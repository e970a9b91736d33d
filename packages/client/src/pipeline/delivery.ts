// One batch's way to the backend: attempts with a deadline, retries with backoff or the server's
// pushback, and halves for a batch refused for its size, until each event is settled.
import type { Event, EventBatch } from "@chaukas/spec/common/v1";
import type { ConnectError } from "@connectrpc/connect";
import { batchForExporter, splitBatch } from "../wire/encoded-batch.js";
import type { ExportErrorInfo, ExportErrorReason } from "../wire/export-error.js";
import type { EventExporter } from "../wire/exporter.js";
import { attemptExport } from "./export-attempt.js";
import { finalFailure } from "./final-failure.js";
import type { PipelineStats } from "./pipeline-stats.js";
import { isSizeRejection, type RetryPolicy, retryDelayMs } from "./retry.js";
import type { DropReason } from "./stats.js";

/** What a delivery needs from its processor. */
export interface DeliveryContext {
  readonly exporter: EventExporter;
  /** The deadline of one attempt (the exporter's `timeoutMs`). */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly random: () => number;
  /** Waits `ms`; resolves early when `signal` aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly stats: PipelineStats;
  report(error: ConnectError, info: ExportErrorInfo): void;
  /**
   * Events in flight were dropped: counts them (`PipelineStats.droppedInFlight`), tells `onDrop`,
   * and notes the `events` lost for the loss report.
   */
  drop(reason: DropReason, count: number, events: readonly Event[]): void;
}

/** A batch the processor hands to a `BatchDelivery`, from memory or from the outbox stage. */
export interface OutgoingBatch {
  /** The `seq` of the batch's first event; -1 for a batch claimed from the outbox. */
  readonly firstSeq: number;
  readonly events: number;
  /** Sent with keepalive (`flush({ keepalive: true })`): takes no export slot. */
  readonly keepalive: boolean;
  /**
   * The batch; the outbox stage reads a spilled one back. Undefined when it is gone or
   * unreadable: the stage has reported it, and its events count as failed.
   */
  load(): EventBatch | undefined | Promise<EventBatch | undefined>;
  /** Runs once the delivery settled, before its slot frees: the outbox removes its copy. */
  settled?(outcome: DeliveryOutcome): Promise<void>;
}

/** How a delivery ended, for the outbox: keep the stored copy when only time ran out. */
export interface DeliveryOutcome {
  readonly keepStored: boolean;
}

/**
 * What to do after a failed attempt, and the reason `onError` is told: retry after a delay,
 * split a batch refused for its size, drop a lone event refused for its size, or fail the batch.
 */
type NextStep =
  | { readonly action: "retry"; readonly delayMs: number; readonly reason: ExportErrorReason }
  | { readonly action: "split"; readonly reason: "too-large" }
  | { readonly action: "drop"; readonly reason: "too-large" }
  | { readonly action: "fail"; readonly reason: ExportErrorReason };

/**
 * Sends one batch until the backend accepts it or it finally fails: attempts with a deadline,
 * retries with full-jitter backoff or the server's pushback within the retry budget, and a batch
 * refused for its size split in halves (same events and ids, new batch ids) until each fits.
 * Delivery is at-least-once: a retried batch keeps its `batch_id` and event ids so the backend
 * can de-duplicate. The events are counted in flight by the processor when it starts this.
 */
export class BatchDelivery {
  /** Aborted by shutdown's deadline: ends the current attempt or backoff, and every retry. */
  readonly #abort = new AbortController();
  /** Set when part of the batch failed because time ran out, not because it was refused. */
  #gaveUpForTime = false;

  constructor(
    private readonly context: DeliveryContext,
    readonly batch: EventBatch,
    private readonly keepalive: boolean,
  ) {}

  /** Gives up at once (shutdown's deadline): the events count as failed with `error`. */
  abort(error: ConnectError): void {
    this.#abort.abort(error);
  }

  /**
   * Resolves when every event of the batch is settled. Never rejects. The result tells whether
   * a stored copy (the outbox's) must stay for a later run: true when some events failed only
   * for lack of time (retries exhausted, or shutdown's deadline), false when each event was
   * acknowledged or refused for good.
   */
  async run(): Promise<DeliveryOutcome> {
    await this.#deliver(this.batch);
    return { keepStored: this.#gaveUpForTime };
  }

  async #deliver(batch: EventBatch): Promise<void> {
    const { context } = this;
    const { stats } = context;
    const size = batch.events.length;
    const startedAt = Date.now();
    for (let attempt = 0; ; attempt++) {
      if (this.#abort.signal.aborted) {
        return this.#settleFailed(batch, this.#abort.signal.reason, "shutdown");
      }
      stats.exportCalled(attempt > 0);
      const result = await attemptExport(
        context.exporter,
        batchForExporter(batch, context.exporter),
        {
          timeoutMs: context.timeoutMs,
          keepalive: this.keepalive,
          signal: this.#abort.signal,
        },
      );
      if (result.ok) {
        stats.sent(size);
        return;
      }
      if (this.#abort.signal.aborted) {
        return this.#settleFailed(batch, this.#abort.signal.reason, "shutdown");
      }
      const { error } = result;
      const step = this.#nextStep(error, result.timedOut, attempt, startedAt, size);
      switch (step.action) {
        case "drop":
          // A single event the backend refuses even alone: it can never be delivered.
          context.drop("tooLarge", size, batch.events);
          this.#reportFinal(error, batch, step.reason);
          return;
        case "fail":
          return this.#settleFailed(batch, error, step.reason);
        case "split":
          this.#reportRetry(error, batch, step.reason);
          for (const half of splitBatch(batch)) await this.#deliver(half);
          return;
        case "retry":
          this.#reportRetry(error, batch, step.reason);
          await context.sleep(step.delayMs, this.#abort.signal);
      }
    }
  }

  #nextStep(
    error: ConnectError,
    timedOut: boolean,
    attempt: number,
    startedAt: number,
    size: number,
  ): NextStep {
    if (isSizeRejection(error)) {
      return { action: size > 1 ? "split" : "drop", reason: "too-large" };
    }
    const reason = timedOut ? "timeout" : "rejected";
    const { retry, random } = this.context;
    const delayMs = retryDelayMs(error, attempt, retry, random);
    if (delayMs === undefined) return { action: "fail", reason };
    if (attempt + 1 >= retry.maxAttempts || Date.now() - startedAt + delayMs > retry.maxElapsedMs) {
      return { action: "fail", reason: "retries-exhausted" };
    }
    return { action: "retry", delayMs, reason };
  }

  #settleFailed(batch: EventBatch, error: ConnectError, reason: ExportErrorReason): void {
    if (reason === "retries-exhausted" || reason === "shutdown") this.#gaveUpForTime = true;
    const size = batch.events.length;
    this.context.stats.failedInFlight(size);
    this.#reportFinal(error, batch, reason);
  }

  #reportRetry(error: ConnectError, batch: EventBatch, reason: ExportErrorReason): void {
    this.context.report(error, {
      batchId: batch.batchId,
      events: batch.events.length,
      willRetry: true,
      reason,
    });
  }

  #reportFinal(error: ConnectError, batch: EventBatch, reason: ExportErrorReason): void {
    this.context.report(error, finalFailure(reason, batch.events.length, batch.batchId));
  }
}
