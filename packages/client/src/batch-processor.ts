import { isMessage } from "@bufbuild/protobuf";
import { type Event, EventSchema } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import { Batcher } from "./batcher.js";
import { BatchDelivery, type DeliveryContext } from "./delivery.js";
import { type EncodedEvent, encodeEvents, requestBytesOf } from "./encoded-batch.js";
import type {
  EventProcessor,
  FlushOptions,
  FlushResult,
  ShutdownOptions,
} from "./event-processor.js";
import { EventQueue } from "./event-queue.js";
import { unrefTimer } from "./export-attempt.js";
import type { ErrorHook, ExportErrorInfo } from "./export-error.js";
import type { EventExporter } from "./exporter.js";
import { KEEPALIVE_MAX_BATCH_BYTES } from "./keepalive.js";
import { PipelineStats } from "./pipeline-stats.js";
import { PROCESSOR_DEFAULTS } from "./processor-defaults.js";
import type { RetryOptions, RetryPolicy } from "./retry.js";
import type { ChaukasStats, DropReason } from "./stats.js";
import { ChaukasValidationError } from "./validation-error.js";

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
   * Events held at most: queued, being prepared and in flight. When full, a new event is
   * dropped (the newest goes, so what was accepted earlier is kept) and counted in
   * `dropped.queueFull`. Default 10 000.
   */
  readonly maxQueueSize?: number;
  /** Events per batch at most; a full batch is exported without waiting. Default 100. */
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
  /** Deadline of one export attempt, in ms; a late one is aborted and retried. Default 10 000. */
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
  /** Deliveries under way, each with the `seq` of its batch's first event. */
  readonly #deliveries = new Map<BatchDelivery, number>();
  /** Deliveries holding one of the `maxConcurrentExports` slots (keepalive ones take none). */
  #activeExports = 0;
  readonly #delivery: DeliveryContext;
  readonly #stats = new PipelineStats();
  /** Events with a `seq` below this are due now (interval passed, flush, shutdown). */
  #dueSeq = 0;
  /** Events with a `seq` below this go out with keepalive (`flush({ keepalive: true })`). */
  #keepaliveSeq = 0;
  #pumping = false;
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
      timeoutMs: options.exportTimeoutMs ?? PROCESSOR_DEFAULTS.exportTimeoutMs,
      retry,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? sleep,
      stats: this.#stats,
      report: (error, info) => this.#report(error, info),
      drop: (reason, count) => this.#drop(reason, count),
    };
  }

  enqueue(event: Event): void {
    this.#stats.emitted++;
    if (this.#state !== "open") {
      this.#drop("shutdown", 1);
    } else if (this.#held() >= this.#limits.maxQueueSize) {
      this.#drop("queueFull", 1);
    } else {
      this.#queue.push(event);
      if (this.#waiting() < this.#limits.maxBatchSize) {
        this.#batcher.updateTimer(true);
      } else {
        // Not #pump() here: prepare and the encoder must not run on the caller's stack.
        queueMicrotask(() => void this.#pump());
      }
    }
  }

  flush({ timeoutMs, keepalive }: FlushOptions = {}): Promise<FlushResult> {
    const target = this.#queue.nextSeq;
    this.#dueSeq = target;
    if (keepalive) this.#keepaliveSeq = target;
    return new Promise((resolve) => {
      const check = (timedOut?: boolean): void => {
        if (timedOut || this.#oldestUnsettledSeq() >= target) {
          this.#flushWaiters.delete(check);
          clearTimeout(timer);
          resolve({ completed: !timedOut, pending: this.#held() });
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

  /** Events held anywhere: the quantity `maxQueueSize` bounds. */
  #held(): number {
    return this.#waiting() + this.#stats.inFlight;
  }

  /** Events accepted but not yet in a delivery: `stats().queued`. */
  #waiting(): number {
    return this.#queue.length + this.#preparing.count + this.#batcher.length;
  }

  /** The `seq` of the oldest event not yet handed to a delivery. */
  #headSeq(): number {
    return (
      this.#batcher.headSeq ??
      (this.#preparing.count > 0 ? this.#preparing.firstSeq : this.#queue.headSeq)
    );
  }

  /** The `seq` of the oldest event that has not settled (sent, failed or dropped). */
  #oldestUnsettledSeq(): number {
    return Math.min(this.#headSeq(), ...this.#deliveries.values());
  }

  /**
   * Forms batches and starts their deliveries: the only place that does, so `prepare` sees
   * events once each and in order. Runs while a batch is due and a slot is free (or, without a
   * free slot, until the next batch is prepared, to leave as soon as one frees), then tells the
   * flush waiters. A call while it runs returns at once: the loop re-reads the state after its
   * only await.
   */
  async #pump(): Promise<void> {
    if (!this.#pumping) {
      this.#pumping = true;
      try {
        while (this.#abandonedWith === undefined && this.#waiting() > 0) {
          const keepalive = this.#keepaliveSeq > this.#headSeq();
          const slotFree = keepalive || this.#activeExports < this.#limits.maxConcurrentExports;
          if (!keepalive && !this.#batchDue()) break;
          const nextBatchReady =
            this.#batcher.length >= this.#limits.maxBatchSize || this.#queue.length === 0;
          if (!slotFree && nextBatchReady) break;
          await this.#prepareNextBatch();
          if (slotFree && this.#abandonedWith === undefined && this.#batcher.length > 0) {
            void this.#dispatch(keepalive);
          }
        }
      } finally {
        this.#pumping = false;
      }
      this.#batcher.updateTimer(this.#waiting() > 0 && this.#state === "open");
    }
    for (const check of this.#flushWaiters) check();
  }

  /**
   * A batch is due when the events waiting fill one by count or bytes (what is left of a batch
   * cut by bytes may fill the next one), or the oldest waited the interval, or a flush asked.
   */
  #batchDue(): boolean {
    return (
      this.#waiting() >= this.#limits.maxBatchSize ||
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
      const { events, firstSeq } = this.#queue.take(maxBatchSize - this.#batcher.length);
      this.#preparing = { firstSeq, count: events.length };
      const kept: { event: Event; seq: number }[] = [];
      for (const [i, event] of events.entries()) {
        const prepared = await this.#prepareOne(event);
        // Shutdown's deadline counted the events still being prepared as failed meanwhile.
        if (this.#abandonedWith !== undefined) return;
        if (prepared === null) this.#preparing.count--;
        else kept.push({ event: prepared, seq: firstSeq + i });
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
      this.#drop("prepareFailed", 1);
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
  #encode(entries: { event: Event; seq: number }[]): EncodedEvent[] {
    const events = entries.map((entry) => entry.event);
    try {
      const bytes = encodeEvents(events);
      return entries.map((entry, i) => ({ ...entry, bytes: bytes[i]! }));
    } catch {
      const encoded: EncodedEvent[] = [];
      for (const entry of entries) {
        try {
          encoded.push({ ...entry, bytes: encodeEvents([entry.event])[0]! });
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

  /**
   * Cuts the next batch and delivers it; keepalive batches take no slot and are cut to the
   * browser's keepalive budget. Resolves once the batch has settled; never rejects.
   */
  async #dispatch(keepalive: boolean): Promise<void> {
    const firstSeq = this.#batcher.headSeq!;
    const batch = this.#batcher.cut(
      keepalive
        ? Math.min(this.#limits.maxBatchBytes, KEEPALIVE_MAX_BATCH_BYTES)
        : this.#limits.maxBatchBytes,
    );
    this.#stats.inFlight += batch.events.length;
    // A lone event above the keepalive budget would make fetch refuse the request.
    const delivery = new BatchDelivery(
      this.#delivery,
      batch,
      keepalive && requestBytesOf(batch) <= KEEPALIVE_MAX_BATCH_BYTES,
    );
    this.#deliveries.set(delivery, firstSeq);
    if (!keepalive) this.#activeExports++;
    await delivery.run();
    this.#deliveries.delete(delivery);
    if (!keepalive) this.#activeExports--;
    void this.#pump();
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
        this.options.exporter.shutdown?.(),
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

  /** Shutdown's deadline passed: everything still held counts as failed, deliveries stop. */
  #abandon(error: ConnectError): void {
    this.#abandonedWith = error;
    const count = this.#queue.clear() + this.#preparing.count + this.#batcher.clear();
    this.#preparing = { firstSeq: 0, count: 0 };
    this.#stats.failed += count;
    if (count > 0) {
      this.#report(error, { batchId: "", events: count, willRetry: false, reason: "shutdown" });
    }
    for (const delivery of this.#deliveries.keys()) delivery.abort(error);
  }

  /** Hooks are informational: one that throws must not break delivery. */
  #report(error: ConnectError, info: ExportErrorInfo): void {
    try {
      this.options.onError?.(error, info);
    } catch {}
  }

  #drop(reason: DropReason, count: number): void {
    this.#stats.dropped[reason] += count;
    try {
      this.options.onDrop?.(reason, count);
    } catch {}
  }
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
