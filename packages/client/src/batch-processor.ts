import { isMessage } from "@bufbuild/protobuf";
import type { EventBatch } from "@chaukas/spec/common/v1";
import { type Event, EventSchema } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import { Batcher } from "./batcher.js";
import { BatchDelivery, type DeliveryContext } from "./delivery.js";
import { DROP_RANK, type DropRank, dropRankOf } from "./drop-priority.js";
import { type EncodedEvent, encodeEvents, requestBytesOf } from "./encoded-batch.js";
import type {
  EventProcessor,
  FlushOptions,
  FlushResult,
  ShutdownOptions,
} from "./event-processor.js";
import { EventQueue, type QueuedEvent } from "./event-queue.js";
import { unrefTimer } from "./export-attempt.js";
import type { ErrorHook, ExportErrorInfo } from "./export-error.js";
import type { EventExporter } from "./exporter.js";
import { KEEPALIVE_MAX_BATCH_BYTES } from "./keepalive.js";
import { LossLedger, type LossReason, type LossRecord } from "./loss-ledger.js";
import { fromStoredBatch, type Outbox, toStoredBatch } from "./outbox.js";
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
   * Events held in memory at most: queued, being prepared and in flight. When full, a stored
   * batch leaves memory first (with an `outbox`); else the new event pushes out the newest
   * waiting event of a lower rank, or is dropped itself (`DropRank`); either drop is counted in
   * `dropped.queueFull`. Default 10 000.
   */
  readonly maxQueueSize?: number;
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
  /**
   * Durable storage of batches (`createFileOutbox`, `createIndexedDbOutbox`): each batch is
   * stored before its first attempt and removed once acknowledged (or refused for good); what
   * earlier processes left is claimed and delivered first. See the README's "Outbox".
   * Default: none (batches live in memory only).
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

/**
 * A batch in the outbox waiting for an export slot; `seq` -1 for batches claimed from it.
 * `batch` is undefined once the batch was spilled: released from memory, read back to be sent.
 */
interface StoredEntry {
  readonly batchId: string;
  readonly size: number;
  readonly seq: number;
  readonly recovered: boolean;
  batch: EventBatch | undefined;
  /** False while the outbox is writing it: a batch is sent only once it is stored. */
  written: boolean;
}

/**
 * Outbox writes under way at once. Each write takes several event-loop turns (open, write,
 * close, rename); one at a time, an agent emitting in a tight loop outpaced them.
 */
const OUTBOX_WRITES_AT_ONCE = 4;

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
  readonly #outbox: Outbox | undefined;
  /** Batches in the outbox waiting for a slot, claimed ones first, then in `seq` order. */
  #stored: StoredEntry[] = [];
  /** Events in `#stored` cut in this run (held: `maxQueueSize` counts them). */
  #storedEvents = 0;
  /** Events in `#stored` claimed from the outbox (queued, but outside `maxQueueSize`). */
  #recoveredEvents = 0;
  /** Events in `#stored` only on disk (spilled): queued, outside `maxQueueSize`. */
  #spilledEvents = 0;
  /** Entries of this run's batches held in memory, oldest first: the newest spills first. */
  #spillable: StoredEntry[] = [];
  /** Outbox writes under way (at most `OUTBOX_WRITES_AT_ONCE`). */
  readonly #writes = new Set<Promise<void>>();
  /** Ids of the outbox's batches this processor holds (waiting, being stored or delivered). */
  readonly #storedIds = new Set<string>();
  /** The outbox's `claim()` under way: new batches wait until what it returns went first. */
  #claiming: Promise<void> | undefined;
  #stopListening: (() => void) | undefined;
  readonly #losses = new LossLedger();
  /** Loss reports this processor queued: their own loss is not reported again. */
  readonly #lossReports = new WeakSet<Event>();
  /** Queued loss reports not yet settled, by the ledger counter of their first loss. */
  #reportsInFlight: { readonly firstRecorded: number; readonly seq: number }[] = [];
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
    if (
      outbox !== undefined &&
      (typeof outbox?.put !== "function" ||
        typeof outbox.remove !== "function" ||
        typeof outbox.claim !== "function" ||
        typeof outbox.read !== "function")
    ) {
      throw new ChaukasValidationError("outbox", "expected an Outbox (put, read, remove, claim)");
    }
    this.#outbox = outbox;
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
      drop: (reason, count, batch) => this.#drop(reason, count, batch, true),
    };
    if (outbox !== undefined) {
      this.#claim();
      this.#stopListening = outbox.onAvailable?.(() => this.#claim());
    }
  }

  enqueue(event: Event): void {
    this.#stats.emitted++;
    if (this.#state !== "open") {
      this.#drop("shutdown", 1);
      return;
    }
    const rank = dropRankOf(event.type);
    if (this.#held() >= this.#limits.maxQueueSize && !this.#spill()) {
      // Room for a higher-ranked event is made by dropping the newest lower-ranked one.
      const pushedOut = rank > DROP_RANK.bulk ? this.#queue.evictBelow(rank) : undefined;
      if (pushedOut === undefined) {
        this.#drop("queueFull", 1, [event]);
        return;
      }
      this.#drop("queueFull", 1, [pushedOut]);
    }
    this.#push(event, rank);
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

  #push(event: Event, rank: DropRank): void {
    this.#queue.push(event, rank);
    if (this.#unbatched() < this.#limits.maxBatchSize) {
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

  /** Events held in memory: the quantity `maxQueueSize` bounds (claimed batches aside). */
  #held(): number {
    return this.#unbatched() + this.#storedEvents + this.#stats.inFlight;
  }

  /** Events accepted or claimed but not yet in a delivery: `stats().queued`. */
  #waiting(): number {
    return this.#unbatched() + this.#storedEvents + this.#recoveredEvents + this.#spilledEvents;
  }

  /**
   * Makes room in memory without losing anything: releases the newest stored batch held in
   * memory (it is read back from the outbox when its turn comes). O(1). False when there is none.
   */
  #spill(): boolean {
    const entry = this.#spillable.pop();
    if (entry === undefined) return false;
    entry.batch = undefined;
    this.#storedEvents -= entry.size;
    this.#spilledEvents += entry.size;
    return true;
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
    if (this.#claiming !== undefined) return -1;
    return Math.min(
      this.#headSeq(),
      this.#stored[0]?.seq ?? Number.POSITIVE_INFINITY,
      ...this.#deliveries.values(),
    );
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
          this.#startStoredDeliveries();
          if (this.#unbatched() === 0) break;
          const keepalive = this.#keepaliveSeq > this.#headSeq();
          const slotFree = keepalive || this.#activeExports < this.#limits.maxConcurrentExports;
          if (!keepalive && !this.#batchDue()) break;
          const nextBatchReady =
            this.#batcher.length >= this.#limits.maxBatchSize || this.#queue.length === 0;
          if (this.#outbox === undefined && !slotFree && nextBatchReady) break;
          await this.#prepareNextBatch();
          if (this.#abandonedWith !== undefined || this.#batcher.length === 0) continue;
          if (this.#outbox !== undefined) {
            const write = this.#store(this.#outbox, keepalive);
            this.#writes.add(write);
            void write.then(() => this.#writes.delete(write));
            if (this.#writes.size >= OUTBOX_WRITES_AT_ONCE) await Promise.race(this.#writes);
          } else if (slotFree) {
            const firstSeq = this.#batcher.headSeq!;
            void this.#deliver(this.#cut(keepalive), firstSeq, keepalive, false);
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
      } else if (this.#lossReports.has(event)) {
        this.#lossReports.add(prepared);
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

  /** Cuts the next batch; keepalive batches are cut to the browser's keepalive budget. */
  #cut(keepalive: boolean): EventBatch {
    return this.#batcher.cut(
      keepalive
        ? Math.min(this.#limits.maxBatchBytes, KEEPALIVE_MAX_BATCH_BYTES)
        : this.#limits.maxBatchBytes,
    );
  }

  /**
   * Cuts the next batch and writes it to the outbox; it then waits in `#stored` for a slot. If
   * the write fails, the batch still goes out from memory (`onError` reason `outbox-failed`).
   */
  async #store(outbox: Outbox, keepalive: boolean): Promise<void> {
    const seq = this.#batcher.headSeq!;
    const batch = this.#cut(keepalive);
    const size = batch.events.length;
    const entry: StoredEntry = {
      batchId: batch.batchId,
      size,
      seq,
      recovered: false,
      batch,
      written: false,
    };
    // In #stored at once, so batches keep the order they were cut in whatever write ends first.
    this.#stored.push(entry);
    this.#storedEvents += size;
    this.#storedIds.add(batch.batchId);
    try {
      const { evicted } = await outbox.put(toStoredBatch(batch));
      // Shutdown's deadline counted it as failed meanwhile; it stays stored for a later run.
      if (this.#abandonedWith === undefined) this.#spillable.push(entry);
      for (const { batchId, request } of evicted) this.#evicted(batchId, request);
    } catch (error) {
      this.#report(ConnectError.from(error), {
        batchId: batch.batchId,
        events: size,
        willRetry: true,
        reason: "outbox-failed",
      });
    }
    entry.written = true;
    void this.#pump();
  }

  /**
   * The outbox removed a batch to stay within its bound. One waiting here is dropped with it
   * (`dropped.outboxFull`); one being delivered goes on (it only lost its copy); one this
   * processor no longer holds was already counted (failed, kept for a later run): only reported.
   */
  #evicted(batchId: string, request: Uint8Array): void {
    const index = this.#stored.findIndex((entry) => entry.batchId === batchId);
    if (index >= 0) {
      const entry = this.#stored.splice(index, 1)[0]!;
      this.#uncount(entry);
      this.#storedIds.delete(batchId);
      let events: readonly Event[] | undefined = entry.batch?.events;
      try {
        events ??= fromStoredBatch({ batchId, request }).events;
      } catch {}
      this.#drop("outboxFull", entry.size, events, true);
    } else if (!this.#storedIds.has(batchId)) {
      try {
        for (const event of fromStoredBatch({ batchId, request }).events) {
          this.#recordLoss("outboxFull", event, true);
        }
      } catch {
        this.#stats.corruptRecords++;
      }
    }
  }

  /** Takes an entry out of the counters of waiting stored events. */
  #uncount(entry: StoredEntry): void {
    if (entry.batch === undefined) this.#spilledEvents -= entry.size;
    else if (entry.recovered) this.#recoveredEvents -= entry.size;
    else this.#storedEvents -= entry.size;
    // Deliveries take the oldest entry, evictions the oldest too: both O(1) in practice.
    if (this.#spillable[0] === entry) this.#spillable.shift();
    else if (entry.batch !== undefined && !entry.recovered) {
      const index = this.#spillable.indexOf(entry);
      if (index >= 0) this.#spillable.splice(index, 1);
    }
  }

  /** Starts deliveries of stored batches while slots are free, once claimed batches are in. */
  #startStoredDeliveries(): void {
    while (this.#claiming === undefined && this.#stored.length > 0) {
      const entry = this.#stored[0]!;
      if (!entry.written) return;
      const keepalive = !entry.recovered && this.#keepaliveSeq > entry.seq;
      if (!keepalive && this.#activeExports >= this.#limits.maxConcurrentExports) return;
      this.#stored.shift();
      this.#uncount(entry);
      void this.#deliverStored(entry, keepalive);
    }
  }

  /** Delivers a stored batch, reading it back from the outbox first if it was spilled. */
  async #deliverStored(entry: StoredEntry, keepalive: boolean): Promise<void> {
    if (entry.batch !== undefined) return this.#deliver(entry.batch, entry.seq, keepalive, true);
    // Counted in flight (and holding its slot) while it is read back.
    this.#stats.inFlight += entry.size;
    if (!keepalive) this.#activeExports++;
    let batch: EventBatch | undefined;
    try {
      const stored = await this.#outbox!.read(entry.batchId);
      batch = stored === undefined ? undefined : fromStoredBatch(stored);
    } catch {}
    this.#stats.inFlight -= entry.size;
    if (!keepalive) this.#activeExports--;
    if (batch === undefined) {
      // Gone from the outbox (removed to make room meanwhile) or unreadable: lost.
      this.#stats.failed += entry.size;
      this.#storedIds.delete(entry.batchId);
      this.#report(new ConnectError("a spilled batch could not be read back", Code.DataLoss), {
        batchId: entry.batchId,
        events: entry.size,
        willRetry: false,
        reason: "outbox-failed",
      });
      void this.#pump();
      return;
    }
    return this.#deliver(batch, entry.seq, keepalive, true);
  }

  /**
   * Delivers one batch; keepalive ones take no slot. A stored batch is removed from the outbox
   * once settled, unless time ran out for some of its events: then it stays for a later run.
   * Resolves once the batch has settled; never rejects.
   */
  async #deliver(
    batch: EventBatch,
    firstSeq: number,
    keepalive: boolean,
    stored: boolean,
  ): Promise<void> {
    this.#stats.inFlight += batch.events.length;
    // A lone event above the keepalive budget would make fetch refuse the request.
    const delivery = new BatchDelivery(
      this.#delivery,
      batch,
      keepalive && requestBytesOf(batch) <= KEEPALIVE_MAX_BATCH_BYTES,
    );
    this.#deliveries.set(delivery, firstSeq);
    if (!keepalive) this.#activeExports++;
    const { keepStored } = await delivery.run();
    if (stored && !keepStored) await this.#removeStored(batch.batchId);
    this.#storedIds.delete(batch.batchId);
    this.#deliveries.delete(delivery);
    if (!keepalive) this.#activeExports--;
    void this.#pump();
  }

  async #removeStored(batchId: string): Promise<void> {
    try {
      await this.#outbox!.remove(batchId);
    } catch (error) {
      // Left in the outbox, the batch is delivered again by a later run: a duplicate the
      // backend drops by event id, never a loss.
      this.#report(ConnectError.from(error), {
        batchId,
        events: 0,
        willRetry: false,
        reason: "outbox-failed",
      });
    }
  }

  /** Starts `outbox.claim()` unless one runs: what it returns is delivered before new batches. */
  #claim(): void {
    const outbox = this.#outbox;
    if (outbox === undefined || this.#claiming !== undefined || this.#state === "closed") return;
    this.#claiming = (async () => {
      const recovered: StoredEntry[] = [];
      try {
        const { batches, corrupt } = await outbox.claim();
        this.#stats.corruptRecords += corrupt;
        for (const stored of batches) {
          if (this.#storedIds.has(stored.batchId)) continue;
          let batch: EventBatch;
          try {
            batch = fromStoredBatch(stored);
          } catch {
            this.#stats.corruptRecords++;
            await this.#removeStored(stored.batchId);
            continue;
          }
          const size = batch.events.length;
          this.#storedIds.add(batch.batchId);
          this.#stats.recovered += size;
          this.#recoveredEvents += size;
          recovered.push({
            batchId: batch.batchId,
            size,
            seq: -1,
            recovered: true,
            batch,
            written: true,
          });
        }
      } catch (error) {
        this.#report(ConnectError.from(error), {
          batchId: "",
          events: 0,
          willRetry: false,
          reason: "outbox-failed",
        });
      }
      this.#stored.unshift(...recovered);
      this.#claiming = undefined;
      void this.#pump();
    })();
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
      this.#lossReports.add(event);
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
    this.#stopListening?.();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.all([this.options.exporter.shutdown?.(), this.#outbox?.close?.()]),
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
      this.#storedEvents +
      this.#recoveredEvents +
      this.#spilledEvents;
    this.#preparing = { firstSeq: 0, count: 0 };
    this.#stored = [];
    this.#spillable = [];
    this.#storedEvents = 0;
    this.#recoveredEvents = 0;
    this.#spilledEvents = 0;
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

  #recordLoss(reason: LossReason, event: Event, linked: boolean): void {
    if (this.options.lossReport !== undefined && !this.#lossReports.has(event)) {
      this.#losses.record(reason, event, linked);
    }
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
