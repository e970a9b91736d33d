import { isMessage } from "@bufbuild/protobuf";
import type { EventBatch } from "@chaukas/spec/common/v1";
import { type Event, EventSchema } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import type { AttachedOutbox, OutboxStageContext } from "../outbox/outbox-stage.js";
import type { Outbox } from "../outbox.js";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { type EncodedEvent, encodeEvents, requestBytesOf } from "../wire/encoded-batch.js";
import type { ErrorHook, ExportErrorInfo } from "../wire/export-error.js";
import type { EventExporter } from "../wire/exporter.js";
import { KEEPALIVE_MAX_BATCH_BYTES } from "../wire/keepalive.js";
import { Batcher } from "./batcher.js";
import { BatchDelivery, type DeliveryContext, type OutgoingBatch } from "./delivery.js";
import { DROP_RANK, type DropRank, dropRankOf } from "./drop-priority.js";
import type {
  EventProcessor,
  FlushOptions,
  FlushResult,
  ShutdownOptions,
} from "./event-processor.js";
import { EventQueue, type QueuedEvent } from "./event-queue.js";
import { unrefTimer } from "./export-attempt.js";
import { LossLedger, type LossReason, type LossRecord } from "./loss-ledger.js";
import { lossRecordOf } from "./loss-report.js";
import { PipelineStats } from "./pipeline-stats.js";
import { PROCESSOR_DEFAULTS } from "./processor-defaults.js";
import type { RetryOptions, RetryPolicy } from "./retry.js";
import type { ChaukasStats, DropReason } from "./stats.js";
import { type TruncatedEvent, truncatePayload } from "./truncation.js";

/**
 * Transforms one event before it is encoded: `beforeSend`, redaction, the integrity chain.
 * Returns the event to send (the same one, changed, or another), or null to drop it on purpose
 * (`dropped.beforeSend`). If it throws or rejects, privacy fails closed: the event is dropped
 * unsent (`dropped.prepareFailed`, `onError` reason `prepare-failed`); the other events go out.
 */
export type PrepareEvent = (event: Event) => Event | null | Promise<Event | null>;

/** Options of `createBatchProcessor`. Defaults are in `PROCESSOR_DEFAULTS`. */
export interface BatchProcessorOptions {
  /** Where batches go, e.g. `createConnectExporter(transport)`. Required. */
  readonly exporter: EventExporter;
  /**
   * Events held in memory at most: queued, being prepared and in flight. When full, in this
   * order: a stored batch leaves memory (with an `outbox`); a payload is truncated
   * (`truncateWhenFull`); the new event pushes out the newest waiting event of a lower rank, or
   * is dropped itself (`DropRank`); either drop is counted in `dropped.queueFull`. Default 10 000.
   */
  readonly maxQueueSize?: number;
  /**
   * When the queue is full, cut a payload before dropping an event: the newest waiting event of
   * a lower rank than the new one, else the new one, if its content holds a string over 256
   * characters or a list or object over 16 items (`truncatePayload`, `TRUNCATION_LIMITS`). It
   * keeps its ids and every other field, and records the cut under `metadata.chaukas_truncated`.
   * Cut events are held beyond `maxQueueSize`, up to as many again; an event with nothing to cut
   * is dropped as before. Default true.
   */
  readonly truncateWhenFull?: boolean;
  /** Events per batch at most; a full batch is exported without waiting. Default 256. */
  readonly maxBatchSize?: number;
  /**
   * Bytes of one `IngestEventBatchRequest` (binary encoding, measured exactly) at most. A single
   * event above it is still sent alone: only the backend's refusal drops it. Default 256 KiB.
   */
  readonly maxBatchBytes?: number;
  /** An event waits at most this long for a batch to fill up, in ms. Default 1000. */
  readonly flushIntervalMs?: number;
  /** Exports running at once; a batch keeps its slot through its retries. Default 1. */
  readonly maxConcurrentExports?: number;
  /**
   * Deadline of one export attempt, in ms; a late one is aborted and retried.
   * @deprecated Set the deadline where the call is made: the transport's or exporter's
   * `timeoutMs`, which the processor uses. When given, this one wins. Default: the exporter's
   * `timeoutMs`, else `PROCESSOR_DEFAULTS.exportTimeoutMs` (10 000).
   */
  readonly exportTimeoutMs?: number;
  /**
   * Retry policy: defaults unlimited attempts within 60 000 ms maximum elapsed, 200 ms initial
   * and 5000 ms maximum backoff, multiplier 2 (`PROCESSOR_DEFAULTS.retry`).
   */
  readonly retry?: RetryOptions;
  /**
   * Called once per event, serially in queue order, off the caller's stack, before the event is
   * sized and encoded (see `PrepareEvent`: a failure drops the event unsent). Default: none.
   */
  readonly prepare?: PrepareEvent | undefined;
  /**
   * Told about every failed attempt and every final failure, with the transport's typed
   * `ConnectError`. Called off the caller's stack; an exception it throws is ignored.
   * Default: none.
   */
  readonly onError?: ErrorHook;
  /** Told when events are dropped (see `DropCounts`); an exception it throws is ignored. */
  readonly onDrop?: (reason: DropReason, count: number) => void;
  /**
   * Durable storage of batches (`createFileOutbox`, `createIndexedDbOutbox`, or `createOutbox`
   * from `@chaukas/client/outbox` over another `OutboxStore`): each batch is stored before its
   * first attempt and removed once acknowledged (or refused for good); what earlier processes
   * left is claimed and delivered first. See the README's "Outbox". Default: none (batches live
   * in memory only).
   */
  readonly outbox?: Outbox | undefined;
  /**
   * Builds the SYSTEM event that reports a session's lost events (see `LossRecord`); it is
   * queued as soon as the queue has room, ranked essential. Default: none (losses are only
   * counted). The client passes one unless `reportLoss: false`.
   */
  readonly lossReport?: ((record: LossRecord) => Event) | undefined;
  /** @internal Random source of the backoff jitter, in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
  /** @internal Waits between retries; must resolve early when `signal` aborts. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

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

class BatchProcessor implements EventProcessor {
  #state: ProcessorState = "open";
  /** Set when shutdown's deadline passed: what was still held counts as failed with it. */
  #abandonedWith: ConnectError | undefined;
  readonly #limits: {
    readonly maxQueueSize: number;
    readonly maxBatchSize: number;
    readonly maxBatchBytes: number;
    readonly maxConcurrentExports: number;
  };
  readonly #queue = new EventQueue();
  /** Events taken off the queue whose `prepare` or encoding has not finished. */
  #preparing = { firstSeq: 0, count: 0 };
  readonly #batcher: Batcher;
  /** With an `outbox`: stores each batch before its first attempt (see `OutboxStage`). */
  readonly #outboxStage: AttachedOutbox | undefined;
  readonly #losses = new LossLedger();
  /** Queued loss reports not yet settled, by the ledger counter of their first loss. */
  #reportsInFlight: { readonly firstRecorded: number; readonly seq: number }[] = [];
  /** Deliveries under way (or reading their batch back), with their first event's `seq`. */
  readonly #deliveries = new Set<DeliveryInProgress>();
  /** Deliveries holding one of the `maxConcurrentExports` slots (keepalive ones take none). */
  #activeExports = 0;
  readonly #delivery: DeliveryContext;
  readonly #stats = new PipelineStats();
  /** Events with a `seq` below this are due now (interval passed, flush, shutdown). */
  #dueSeq = 0;
  /** Events with a `seq` below this go out with keepalive (`flush({ keepalive: true })`). */
  #keepaliveSeq = 0;
  #pumping = false;
  /** A microtask that runs `#pump` is queued (`#schedulePump`). */
  #pumpScheduled = false;
  /** One per pending `flush()`: resolves it once everything emitted before it has settled. */
  readonly #flushWaiters = new Set<() => void>();
  #shutdown: Promise<FlushResult> | undefined;

  constructor(private readonly options: BatchProcessorOptions) {
    this.#limits = {
      maxQueueSize: positiveInteger(options, "maxQueueSize"),
      maxBatchSize: positiveInteger(options, "maxBatchSize"),
      maxBatchBytes: positiveInteger(options, "maxBatchBytes"),
      maxConcurrentExports: positiveInteger(options, "maxConcurrentExports"),
    };
    const retry: RetryPolicy = { ...PROCESSOR_DEFAULTS.retry, ...options.retry };
    if (!(retry.maxAttempts === Infinity || isPositiveInteger(retry.maxAttempts))) {
      throw new ChaukasValidationError(
        "retry.maxAttempts",
        "expected a positive integer or Infinity",
      );
    }
    const { outbox } = options;
    if (outbox !== undefined && typeof outbox?.attach !== "function") {
      throw new ChaukasValidationError(
        "outbox",
        "expected an Outbox: createFileOutbox, createIndexedDbOutbox, or createOutbox(store) from @chaukas/client/outbox",
      );
    }
    this.#batcher = new Batcher(
      {
        maxBatchSize: this.#limits.maxBatchSize,
        maxBatchBytes: this.#limits.maxBatchBytes,
        flushIntervalMs: options.flushIntervalMs ?? PROCESSOR_DEFAULTS.flushIntervalMs,
      },
      () => {
        this.#dueSeq = this.#queue.nextSeq;
        void this.#pump();
      },
    );
    this.#delivery = {
      exporter: options.exporter,
      // One deadline: the exporter's, set where the call is made (see EventExporter.timeoutMs).
      timeoutMs:
        options.exportTimeoutMs ?? options.exporter.timeoutMs ?? PROCESSOR_DEFAULTS.exportTimeoutMs,
      retry,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? sleep,
      stats: this.#stats,
      report: (error, info) => this.#report(error, info),
      drop: (reason, count, batch) => this.#drop(reason, count, batch, true),
    };
    this.#outboxStage = outbox?.attach(this.#outboxContext());
  }

  enqueue(event: Event): void {
    this.#stats.emitted++;
    if (this.#state !== "open") {
      this.#drop("shutdown", 1);
      return;
    }
    const rank = dropRankOf(event.type);
    const full = this.#held() - this.#queue.truncatedLength >= this.#limits.maxQueueSize;
    const admitted = full ? this.#makeRoom(event, rank) : event;
    if (admitted !== undefined) this.#push(admitted, rank, admitted !== event);
  }

  /**
   * The queue is full: makes room in the order the README states ("When the queue is full"), each
   * step O(1) in the queue's length (a cut walks one event's payload). Returns the event to queue
   * (its cut copy when its own payload was cut), or undefined when it was dropped.
   */
  #makeRoom(event: Event, rank: DropRank): Event | undefined {
    // 1. Release a stored batch from memory: nothing is lost.
    if (this.#outboxStage?.spill()) return event;
    // 2. Cut a payload, a waiting lower-ranked one first.
    if (this.#truncatedHasRoom()) {
      if (this.#queue.truncateBelow(rank, this.#cutPayload)) return event;
      const cut = this.#cutPayload(event);
      if (cut !== undefined) return cut;
    }
    // 3. Drop the newest lower-ranked waiting event, else the new one.
    const pushedOut = rank > DROP_RANK.bulk ? this.#queue.evictBelow(rank) : undefined;
    this.#drop("queueFull", 1, [pushedOut ?? event]);
    return pushedOut === undefined ? undefined : event;
  }

  flush({ timeoutMs, keepalive }: FlushOptions = {}): Promise<FlushResult> {
    const target = this.#queue.nextSeq;
    /**
     * The ledger's counter once every event emitted before the flush has settled: by then every
     * loss among them is noted, and the flush also waits for the reports of those losses.
     */
    let lossTarget: number | undefined;
    this.#dueSeq = target;
    if (keepalive) this.#keepaliveSeq = target;
    return new Promise((resolve) => {
      const check = (timedOut?: boolean): void => {
        const settled = this.#oldestUnsettledSeq() >= target;
        if (settled) lossTarget ??= this.#losses.recorded;
        if (timedOut || (settled && this.#reported(lossTarget!))) {
          this.#flushWaiters.delete(check);
          clearTimeout(timer);
          resolve({ completed: !timedOut, pending: this.#waiting() + this.#stats.inFlight });
        }
      };
      // Referenced even without a timeout: it keeps Node alive while someone awaits.
      const timer = setTimeout(
        () => timeoutMs !== undefined && check(true),
        timeoutMs ?? 2 ** 31 - 1,
      );
      this.#flushWaiters.add(check);
      void this.#pump();
    });
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
    if (this.#unbatched() < this.#limits.maxBatchSize) {
      this.#batcher.updateTimer(true);
    } else {
      this.#schedulePump();
    }
  }

  /** True when truncated events may still be held beyond `maxQueueSize` (`truncateWhenFull`). */
  #truncatedHasRoom(): boolean {
    return (
      (this.options.truncateWhenFull ?? PROCESSOR_DEFAULTS.truncateWhenFull) &&
      this.#queue.truncatedLength < this.#limits.maxQueueSize
    );
  }

  /**
   * The event with its payload cut (`truncatePayload`), counted in `stats().truncated`; undefined
   * when there is nothing to cut.
   */
  readonly #cutPayload = (event: Event): Event | undefined => {
    let truncated: TruncatedEvent;
    try {
      truncated = truncatePayload(event);
    } catch {
      return undefined; // not an Event: it fails at encoding, and is counted there
    }
    if (truncated.fields.length === 0) return undefined;
    this.#stats.truncated++;
    return truncated.event;
  };

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
    let oldest = Math.min(
      this.#headSeq(),
      this.#outboxStage?.oldestSeq ?? Number.POSITIVE_INFINITY,
    );
    for (const { firstSeq } of this.#deliveries) oldest = Math.min(oldest, firstSeq);
    return oldest;
  }

  /**
   * Forms batches and starts their deliveries: the only place that does, so `prepare` sees
   * events once each and in order. Runs while a batch is due and a slot is free (or, without a
   * free slot, until the next batch is prepared, to leave as soon as one frees; with an outbox,
   * batches are cut and stored without waiting for a slot), then tells the flush waiters. A call
   * while it runs returns at once: the loop re-reads the state after each await.
   */
  async #pump(): Promise<void> {
    if (!this.#pumping) {
      this.#pumping = true;
      try {
        this.#queueLossReports();
        while (this.#abandonedWith === undefined) {
          this.#outboxStage?.startDeliveries();
          if (this.#unbatched() === 0) break;
          const keepalive = this.#keepaliveSeq > this.#headSeq();
          const slotFree = keepalive || this.#activeExports < this.#limits.maxConcurrentExports;
          if (!keepalive && !this.#batchDue()) break;
          const nextBatchReady =
            this.#batcher.length >= this.#limits.maxBatchSize || this.#queue.length === 0;
          if (this.#outboxStage === undefined && !slotFree && nextBatchReady) break;
          await this.#prepareNextBatch();
          if (this.#abandonedWith !== undefined || this.#batcher.length === 0) continue;
          const firstSeq = this.#batcher.headSeq!;
          if (this.#outboxStage !== undefined) {
            await this.#outboxStage.store(this.#cut(keepalive), firstSeq);
          } else if (slotFree) {
            const batch = this.#cut(keepalive);
            void this.#deliver({
              firstSeq,
              events: batch.events.length,
              keepalive,
              load: () => batch,
            });
          }
        }
      } finally {
        this.#pumping = false;
      }
      this.#batcher.updateTimer(this.#unbatched() > 0 && this.#state === "open");
      // A loss recorded during this run (a failed prepare, a refusal) is reported now.
      if (this.#lossReportDue()) this.#schedulePump();
    }
    for (const check of this.#flushWaiters) check();
  }

  /**
   * A batch is due when the events waiting fill one by count or bytes (what is left of a batch
   * cut by bytes may fill the next one), or the oldest waited the interval, or a flush asked.
   */
  #batchDue(): boolean {
    return (
      this.#unbatched() >= this.#limits.maxBatchSize ||
      this.#batcher.full ||
      this.#headSeq() < this.#dueSeq
    );
  }

  /**
   * Moves events from the queue through `prepare` and the encoder into the batcher until it
   * holds a full batch or the queue is empty.
   */
  async #prepareNextBatch(): Promise<void> {
    const { maxBatchSize } = this.#limits;
    while (this.#batcher.length < maxBatchSize && this.#queue.length > 0) {
      const firstSeq = this.#queue.headSeq;
      const events = this.#queue.take(maxBatchSize - this.#batcher.length);
      this.#preparing = { firstSeq, count: events.length };
      const kept: QueuedEvent[] = [];
      for (const { event, seq } of events) {
        const prepared = await this.#prepareOne(event);
        // Shutdown's deadline counted the events still being prepared as failed meanwhile.
        if (this.#abandonedWith !== undefined) return;
        if (prepared === null) this.#preparing.count--;
        else kept.push({ event: prepared, seq });
      }
      for (const entry of this.#encode(kept)) this.#batcher.add(entry);
      this.#preparing = { firstSeq: 0, count: 0 };
    }
  }

  /** The prepared event, or null when it was dropped (filtered, or failed closed). */
  async #prepareOne(event: Event): Promise<Event | null> {
    const { prepare } = this.options;
    if (prepare === undefined) return event;
    try {
      const result = prepare(event);
      // Awaited only when it is a promise: a synchronous prepare costs no microtask per event.
      const prepared = result instanceof Promise ? await result : result;
      if (prepared === null) {
        this.#drop("beforeSend", 1);
      } else if (!isMessage(prepared, EventSchema)) {
        throw new TypeError("prepare must return an Event or null");
      }
      return prepared;
    } catch (error) {
      this.#drop("prepareFailed", 1, [event]);
      this.#report(ConnectError.from(error, Code.Internal), {
        batchId: "",
        events: 1,
        willRetry: false,
        reason: "prepare-failed",
      });
      return null;
    }
  }

  /**
   * The events with their encodings: one `toBinary` for all of them; if that throws, each one
   * alone, and an event that cannot be encoded counts as failed (`encode-failed`).
   */
  #encode(entries: QueuedEvent[]): EncodedEvent[] {
    const events = entries.map((entry) => entry.event);
    try {
      const bytes = encodeEvents(events);
      return entries.map(({ event, seq }, i) => ({ event, seq, bytes: bytes[i]! }));
    } catch {
      const encoded: EncodedEvent[] = [];
      for (const entry of entries) {
        try {
          encoded.push({
            event: entry.event,
            seq: entry.seq,
            bytes: encodeEvents([entry.event])[0]!,
          });
        } catch (error) {
          this.#preparing.count--;
          this.#stats.failed++;
          this.#report(ConnectError.from(error, Code.InvalidArgument), {
            batchId: "",
            events: 1,
            willRetry: false,
            reason: "encode-failed",
          });
        }
      }
      return encoded;
    }
  }

  /** Cuts the next batch; keepalive batches are cut to the browser's keepalive budget. */
  #cut(keepalive: boolean): EventBatch {
    return this.#batcher.cut(
      keepalive
        ? Math.min(this.#limits.maxBatchBytes, KEEPALIVE_MAX_BATCH_BYTES)
        : this.#limits.maxBatchBytes,
    );
  }

  /**
   * Delivers one batch; keepalive ones take no slot. A batch from the outbox stage is counted in
   * flight and holds its slot while it is read back, and its stored copy is dealt with
   * (`settled`) before the slot frees. Resolves once the batch has settled; never rejects.
   */
  async #deliver(outgoing: OutgoingBatch): Promise<void> {
    const { events, keepalive } = outgoing;
    const inProgress: DeliveryInProgress = { firstSeq: outgoing.firstSeq, delivery: undefined };
    this.#deliveries.add(inProgress);
    this.#stats.inFlight += events;
    if (!keepalive) this.#activeExports++;
    const batch = await outgoing.load();
    if (batch === undefined) {
      // Gone from the outbox or unreadable: the stage reported it.
      this.#stats.inFlight -= events;
      this.#stats.failed += events;
    } else {
      // A lone event above the keepalive budget would make fetch refuse the request.
      const delivery = new BatchDelivery(
        this.#delivery,
        batch,
        keepalive && requestBytesOf(batch) <= KEEPALIVE_MAX_BATCH_BYTES,
      );
      inProgress.delivery = delivery;
      // Shutdown's deadline passed while the batch was read back.
      if (this.#abandonedWith !== undefined) delivery.abort(this.#abandonedWith);
      const outcome = await delivery.run();
      await outgoing.settled?.(outcome);
    }
    this.#deliveries.delete(inProgress);
    if (!keepalive) this.#activeExports--;
    void this.#pump();
  }

  /** What the outbox stage may use of this processor. */
  #outboxContext(): OutboxStageContext {
    return {
      stats: this.#stats,
      report: (error, info) => this.#report(error, info),
      drop: (reason, count, events) => this.#drop(reason, count, events, true),
      recordLoss: (reason, event) => this.#recordLoss(reason, event, true),
      isKeepalive: (firstSeq) => firstSeq >= 0 && this.#keepaliveSeq > firstSeq,
      slotFree: () => this.#activeExports < this.#limits.maxConcurrentExports,
      deliver: (outgoing) => this.#deliver(outgoing),
      pump: () => void this.#pump(),
    };
  }

  /**
   * Queues a loss report for each session that lost events, while the queue has room (it takes
   * no room from an event of the application's).
   */
  #queueLossReports(): void {
    while (this.#lossReportDue()) {
      const record = this.#losses.take()!;
      let event: Event;
      try {
        event = this.options.lossReport!(record);
      } catch (error) {
        this.#report(ConnectError.from(error, Code.Internal), {
          batchId: "",
          events: 0,
          willRetry: false,
          reason: "prepare-failed",
        });
        continue;
      }
      this.#reportsInFlight.push({ firstRecorded: record.firstRecorded, seq: this.#queue.nextSeq });
      this.#stats.lossReports++;
      this.#push(event, DROP_RANK.essential);
    }
  }

  /**
   * True when the losses noted before the ledger counter reached `lossTarget` are reported and
   * their reports settled, so `flush()` also delivers the record of what it lost. Always true once
   * reports can no longer be sent (closed, or abandoned at shutdown's deadline).
   */
  #reported(lossTarget: number): boolean {
    if (this.#abandonedWith !== undefined || this.#state === "closed") return true;
    if (this.#losses.oldestPending < lossTarget) return false;
    const oldest = this.#oldestUnsettledSeq();
    this.#reportsInFlight = this.#reportsInFlight.filter((report) => report.seq >= oldest);
    return this.#reportsInFlight.every((report) => report.firstRecorded >= lossTarget);
  }

  /** True when a loss is waiting to be reported and the queue has room for the report. */
  #lossReportDue(): boolean {
    return (
      this.options.lossReport !== undefined &&
      this.#losses.size > 0 &&
      this.#state !== "closed" &&
      this.#abandonedWith === undefined &&
      this.#held() < this.#limits.maxQueueSize
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
      this.#report(ConnectError.from(error), {
        batchId: "",
        events: 0,
        willRetry: false,
        reason: "shutdown",
      });
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
      this.#preparing.count +
      this.#batcher.clear() +
      (this.#outboxStage?.abandon() ?? 0);
    this.#preparing = { firstSeq: 0, count: 0 };
    this.#stats.failed += count;
    if (count > 0) {
      this.#report(error, { batchId: "", events: count, willRetry: false, reason: "shutdown" });
    }
    for (const { delivery } of this.#deliveries) delivery?.abort(error);
  }

  /** Hooks are informational: one that throws must not break delivery. */
  #report(error: ConnectError, info: ExportErrorInfo): void {
    try {
      this.options.onError?.(error, info);
    } catch {}
  }

  /**
   * Counts a drop and tells `onDrop`; the `events` lost (when the reason is one a loss report
   * names) go to the loss ledger. `linked`: they went through `prepare` (the integrity chain).
   */
  #drop(reason: DropReason, count: number, events?: readonly Event[], linked = false): void {
    this.#stats.dropped[reason] += count;
    if (events !== undefined && reason !== "beforeSend" && reason !== "shutdown") {
      for (const event of events) this.#recordLoss(reason, event, linked);
    }
    try {
      this.options.onDrop?.(reason, count);
    } catch {}
  }

  /**
   * Notes a lost event for the loss report. A lost loss report is itself a lost event of its
   * session, and what it carried is noted again, when it was lost for room (queue or outbox full)
   * only: one that cannot be sent (its prepare failed, or too large) would fail again forever.
   */
  #recordLoss(reason: LossReason, event: Event, linked: boolean): void {
    if (this.options.lossReport === undefined) return;
    const carried = lossRecordOf(event);
    if (carried !== undefined) {
      if (reason !== "queueFull" && reason !== "outboxFull") return;
      this.#losses.merge(carried);
    }
    this.#losses.record(reason, event, linked);
  }
}

/** A delivery under way; `delivery` is undefined while its batch is read back from the outbox. */
interface DeliveryInProgress {
  readonly firstSeq: number;
  delivery: BatchDelivery | undefined;
}

type LimitName = "maxQueueSize" | "maxBatchSize" | "maxBatchBytes" | "maxConcurrentExports";

const isPositiveInteger = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 1;

/** The option's value or default; a `ChaukasValidationError` naming it unless a positive integer. */
function positiveInteger(options: BatchProcessorOptions, name: LimitName): number {
  const value = options[name] ?? PROCESSOR_DEFAULTS[name];
  if (!isPositiveInteger(value)) {
    throw new ChaukasValidationError(name, "expected a positive integer");
  }
  return value;
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    unrefTimer(timer);
    if (signal.aborted) done();
    else signal.addEventListener("abort", done);
  });
}
