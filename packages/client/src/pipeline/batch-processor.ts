// The batch processor: the default `EventProcessor`, whose pump moves accepted events through
// prepare, batches and deliveries, with flush and shutdown on top (OTel's BatchSpanProcessor).
import type { Event, EventBatch } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import type { AttachedOutbox, OutboxStageContext } from "../outbox/attached-outbox.js";
import type { ExportErrorInfo } from "../wire/export-error.js";
import { KEEPALIVE_MAX_BATCH_BYTES } from "../wire/keepalive.js";
import { Admission } from "./admission.js";
import type { BatchProcessorOptions } from "./batch-processor-options.js";
import { Batcher } from "./batcher.js";
import { Deliveries } from "./deliveries.js";
import { DROP_RANK, type DropRank, dropRankOf } from "./drop-priority.js";
import type {
  EventProcessor,
  FlushOptions,
  FlushResult,
  ShutdownOptions,
} from "./event-processor.js";
import { EventQueue } from "./event-queue.js";
import { finalFailure } from "./final-failure.js";
import { FlushTracker } from "./flush-tracker.js";
import { LossReporter } from "./loss-reporter.js";
import { PipelineStats } from "./pipeline-stats.js";
import { PrepareStage } from "./prepare-stage.js";
import { PROCESSOR_DEFAULTS } from "./processor-defaults.js";
import { type ProcessorSettings, resolveProcessorSettings } from "./processor-settings.js";
import { sleepUnlessAborted } from "./retry.js";
import type { ChaukasStats } from "./stats.js";

/**
 * The default `EventProcessor` (OpenTelemetry's BatchSpanProcessor slot): a bounded
 * `EventQueue`, a `prepare` step per event, a `Batcher` cutting batches by count, exact bytes and
 * time, `BatchDelivery` for each batch (deadline, retries, size splitting) with a configurable
 * number running at once, and flush/shutdown with deadlines. Counters in `PipelineStats`.
 */
export function createBatchProcessor(options: BatchProcessorOptions): EventProcessor {
  return new BatchProcessor(options);
}

/**
 * Where the processor stands: `open` accepts events; `draining` after `shutdown()` delivers
 * what was accepted and refuses the rest; `closed` once shutdown finished.
 */
type ProcessorState = "open" | "draining" | "closed";

/**
 * What the pump does next: nothing (no batch due, or no slot and the next batch is prepared),
 * prepare the next batch while every slot is busy, or prepare and cut a batch, then store it in
 * the outbox or send it.
 */
type PumpStep =
  | { readonly action: "wait" | "prepareAhead" }
  | { readonly action: "store" | "send"; readonly keepalive: boolean };

const WAIT: PumpStep = { action: "wait" };
const PREPARE_AHEAD: PumpStep = { action: "prepareAhead" };

class BatchProcessor implements EventProcessor {
  #state: ProcessorState = "open";
  /** Set when shutdown's deadline passed: what was still held counts as failed with it. */
  #abandonedWith: ConnectError | undefined;
  readonly #settings: ProcessorSettings;
  readonly #stats = new PipelineStats();
  readonly #losses: LossReporter;
  readonly #queue = new EventQueue();
  readonly #admission: Admission;
  readonly #preparing: PrepareStage;
  readonly #batcher: Batcher;
  /** With an `outbox`: stores each batch before its first attempt (see `OutboxStage`). */
  readonly #outboxStage: AttachedOutbox | undefined;
  readonly #deliveries: Deliveries;
  readonly #flushes: FlushTracker;
  /** Events with a `seq` below this are due now (interval passed, flush, shutdown). */
  #dueSeq = 0;
  /** Events with a `seq` below this go out with keepalive (`flush({ keepalive: true })`). */
  #keepaliveSeq = 0;
  #pumping = false;
  /** A microtask that runs `#pump` is queued (`#schedulePump`). */
  #pumpScheduled = false;
  #shutdown: Promise<FlushResult> | undefined;

  constructor(private readonly options: BatchProcessorOptions) {
    const settings = resolveProcessorSettings(options);
    this.#settings = settings;
    const stats = this.#stats;
    const report = (error: ConnectError, info: ExportErrorInfo) => this.#report(error, info);
    this.#losses = new LossReporter({
      stats,
      onDrop: options.onDrop,
      lossReport: options.lossReport,
      report,
    });
    this.#preparing = new PrepareStage({
      prepare: options.prepare,
      encodeEvents: options.exporter.encodeEvents,
      stats,
      losses: this.#losses,
      report,
    });
    this.#batcher = new Batcher(settings, () => {
      this.#dueSeq = this.#queue.nextSeq;
      void this.#pump();
    });
    this.#deliveries = new Deliveries(
      {
        exporter: options.exporter,
        timeoutMs: settings.exportTimeoutMs,
        retry: settings.retry,
        random: options.random ?? Math.random,
        sleep: options.sleep ?? sleepUnlessAborted,
        stats,
        report,
        drop: (reason, count, events) => this.#losses.dropInFlight(reason, count, events),
      },
      settings.maxConcurrentExports,
      () => void this.#pump(),
    );
    this.#outboxStage = options.outbox?.attach(this.#outboxContext());
    this.#admission = new Admission({
      queue: this.#queue,
      stats,
      losses: this.#losses,
      outboxStage: this.#outboxStage,
      maxQueueSize: settings.maxQueueSize,
      truncateWhenFull: settings.truncateWhenFull,
      held: () => this.#held(),
      push: (event, rank, truncated) => this.#push(event, rank, truncated),
    });
    this.#flushes = new FlushTracker({
      oldestUnsettledSeq: () => this.#oldestUnsettledSeq(),
      lossesRecorded: () => this.#losses.recorded,
      lossesReported: (lossTarget) =>
        this.#abandonedWith !== undefined ||
        this.#state === "closed" ||
        this.#losses.reportedBefore(lossTarget, this.#oldestUnsettledSeq()),
      pending: () => this.#waiting() + this.#stats.inFlight,
    });
  }

  enqueue(event: Event): void {
    this.#stats.accepted();
    if (this.#state !== "open") {
      this.#losses.drop("shutdown", 1);
      return;
    }
    this.#admission.admit(event, dropRankOf(event.type));
  }

  flush({ timeoutMs, keepalive }: FlushOptions = {}): Promise<FlushResult> {
    const target = this.#queue.nextSeq;
    this.#dueSeq = target;
    if (keepalive) this.#keepaliveSeq = target;
    const flushed = this.#flushes.wait(target, timeoutMs);
    void this.#pump();
    return flushed;
  }

  shutdown({ timeoutMs = PROCESSOR_DEFAULTS.shutdownTimeoutMs }: ShutdownOptions = {}) {
    if (this.#state === "open") this.#state = "draining";
    this.#shutdown ??= this.#drainAndClose(timeoutMs);
    return this.#shutdown;
  }

  stats(): ChaukasStats {
    return this.#stats.snapshot(this.#waiting());
  }

  #push(event: Event, rank: DropRank, truncated = false): void {
    this.#queue.push(event, rank, truncated);
    if (this.#unbatched() < this.#settings.maxBatchSize) {
      this.#batcher.updateTimer(true);
    } else {
      this.#schedulePump();
    }
  }

  /**
   * Runs `#pump` once the caller's stack is done: a burst of events past a full batch queues one
   * microtask, not one per event. Not `#pump()` at once: prepare and the encoder must not run on
   * the caller's stack.
   */
  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      void this.#pump();
    });
  }

  /**
   * Forms batches and starts their deliveries: the only place that does, so `prepare` sees
   * events once each and in order. Takes the `#nextStep()` until it says wait, then tells the
   * flush waiters. A call while it runs returns at once: each step is asked after the last one's
   * awaits.
   */
  async #pump(): Promise<void> {
    if (!this.#pumping) {
      this.#pumping = true;
      try {
        this.#queueLossReports();
        while (this.#abandonedWith === undefined) {
          this.#outboxStage?.startDeliveries();
          const step = this.#nextStep();
          if (step.action === "wait") break;
          await this.#preparing.fill(this.#queue, this.#batcher, this.#settings.maxBatchSize);
          if (step.action === "store") await this.#storeNextBatch(step.keepalive);
          else if (step.action === "send") this.#sendNextBatch(step.keepalive);
        }
      } finally {
        this.#pumping = false;
      }
      this.#batcher.updateTimer(this.#unbatched() > 0 && this.#state === "open");
      this.#losses.forgetSettled(this.#oldestUnsettledSeq());
      // A loss recorded during this run (a failed prepare, a refusal) is reported now.
      if (this.#lossReportDue()) this.#schedulePump();
    }
    this.#flushes.check();
  }

  /**
   * A batch is due when the events waiting fill one by count or bytes (what is left of a batch
   * cut by bytes may fill the next one), when the oldest waited the interval or a flush asked
   * for it, or when it goes out with keepalive. With an outbox it is stored without waiting for
   * a slot; without one, and with every slot busy, the next batch is prepared ahead so that it
   * leaves as soon as a slot frees.
   */
  #nextStep(): PumpStep {
    if (this.#unbatched() === 0) return WAIT;
    const keepalive = this.#keepaliveSeq > this.#headSeq();
    const due =
      keepalive ||
      this.#unbatched() >= this.#settings.maxBatchSize ||
      this.#batcher.full ||
      this.#headSeq() < this.#dueSeq;
    if (!due) return WAIT;
    if (this.#outboxStage !== undefined) return { action: "store", keepalive };
    if (keepalive || this.#deliveries.slotFree) return { action: "send", keepalive };
    const nextBatchReady =
      this.#batcher.length >= this.#settings.maxBatchSize || this.#queue.length === 0;
    return nextBatchReady ? WAIT : PREPARE_AHEAD;
  }

  /** Cuts the batch prepared and hands it to the outbox stage, which sends it once stored. */
  async #storeNextBatch(keepalive: boolean): Promise<void> {
    const firstSeq = this.#batcher.headSeq;
    if (this.#abandonedWith !== undefined || firstSeq === undefined) return;
    await this.#outboxStage!.store(this.#cut(keepalive), firstSeq);
  }

  /** Cuts the batch prepared and starts its delivery. */
  #sendNextBatch(keepalive: boolean): void {
    const firstSeq = this.#batcher.headSeq;
    if (this.#abandonedWith !== undefined || firstSeq === undefined) return;
    const batch = this.#cut(keepalive);
    void this.#deliveries.deliver({
      firstSeq,
      events: batch.events.length,
      keepalive,
      load: () => batch,
    });
  }

  /** Cuts the next batch; keepalive batches are cut to the browser's keepalive budget. */
  #cut(keepalive: boolean): EventBatch {
    const { maxBatchBytes } = this.#settings;
    return this.#batcher.cut(
      keepalive ? Math.min(maxBatchBytes, KEEPALIVE_MAX_BATCH_BYTES) : maxBatchBytes,
    );
  }

  /** Events held in memory: the quantity `maxQueueSize` bounds (claimed batches aside). */
  #held(): number {
    return this.#unbatched() + (this.#outboxStage?.heldEvents ?? 0) + this.#stats.inFlight;
  }

  /** Events accepted or claimed but not yet in a delivery: `stats().queued`. */
  #waiting(): number {
    return this.#unbatched() + (this.#outboxStage?.waitingEvents ?? 0);
  }

  /** Events not yet cut into a batch. */
  #unbatched(): number {
    return this.#queue.length + this.#preparing.count + this.#batcher.length;
  }

  /** The `seq` of the oldest event not yet cut into a batch. */
  #headSeq(): number {
    return (
      this.#batcher.headSeq ??
      (this.#preparing.count > 0 ? this.#preparing.firstSeq : this.#queue.headSeq)
    );
  }

  /** The `seq` of the oldest event that has not settled (sent, failed or dropped). */
  #oldestUnsettledSeq(): number {
    return Math.min(
      this.#headSeq(),
      this.#outboxStage?.oldestSeq ?? Number.POSITIVE_INFINITY,
      this.#deliveries.oldestSeq,
    );
  }

  /** What the outbox stage may use of this processor. */
  #outboxContext(): OutboxStageContext {
    return {
      stats: this.#stats,
      report: (error, info) => this.#report(error, info),
      drop: (reason, count, events) => this.#losses.drop(reason, count, events, true),
      recordLoss: (reason, event) => this.#losses.recordLoss(reason, event, true),
      isKeepalive: (firstSeq) => firstSeq >= 0 && this.#keepaliveSeq > firstSeq,
      slotFree: () => this.#deliveries.slotFree,
      deliver: (outgoing) => this.#deliveries.deliver(outgoing),
      pump: () => void this.#pump(),
    };
  }

  /**
   * Queues a loss report for each session that lost events, while the queue has room (it takes
   * no room from an event of the application's).
   */
  #queueLossReports(): void {
    while (this.#lossReportDue()) {
      const report = this.#losses.nextReport(this.#queue.nextSeq);
      if (report !== undefined) this.#push(report, DROP_RANK.essential);
    }
  }

  /** True when a loss is waiting to be reported and the queue has room for the report. */
  #lossReportDue(): boolean {
    return (
      this.#losses.pending &&
      this.#state !== "closed" &&
      this.#abandonedWith === undefined &&
      this.#held() < this.#settings.maxQueueSize
    );
  }

  async #drainAndClose(timeoutMs: number): Promise<FlushResult> {
    const deadline = Date.now() + timeoutMs;
    // Completed means nothing is pending: no event is accepted once shutdown is called.
    const result = await this.flush({ timeoutMs });
    if (!result.completed) {
      this.#abandon(new ConnectError("shutdown deadline passed", Code.Aborted));
      await this.flush(); // every await in a delivery gives way to the abort at once
    }
    this.#batcher.updateTimer(false);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.all([this.options.exporter.shutdown?.(), this.#outboxStage?.close()]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, deadline - Date.now());
        }),
      ]);
    } catch (error) {
      this.#report(ConnectError.from(error), finalFailure("shutdown", 0));
    }
    clearTimeout(timer);
    this.#state = "closed";
    return result;
  }

  /**
   * Shutdown's deadline passed: everything still held counts as failed, deliveries stop. Batches
   * in the outbox stay there for a later run.
   */
  #abandon(error: ConnectError): void {
    this.#abandonedWith = error;
    const count =
      this.#queue.clear() +
      this.#preparing.abandon() +
      this.#batcher.clear() +
      (this.#outboxStage?.abandon() ?? 0);
    this.#stats.failed(count);
    if (count > 0) {
      this.#report(error, finalFailure("shutdown", count));
    }
    this.#deliveries.abortAll(error);
  }

  /** Hooks are informational: one that throws must not break delivery. */
  #report(error: ConnectError, info: ExportErrorInfo): void {
    try {
      this.options.onError?.(error, info);
    } catch {}
  }
}
