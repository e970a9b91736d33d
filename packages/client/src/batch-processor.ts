import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Event, type EventBatch, EventBatchSchema } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  addToAggregates,
  type BatchAggregates,
  batchAggregates,
  emptyAggregates,
} from "./batch-aggregates.js";
import { ingestRequestSize } from "./batch-size.js";
import { type BoundedQueue, createBoundedQueue } from "./bounded-queue.js";
import { encodeEventBatch, encodeEventFields } from "./encoded-batch.js";
import type {
  EventProcessor,
  FlushOptions,
  FlushResult,
  ShutdownOptions,
} from "./event-processor.js";
import type { EventExporter } from "./exporter.js";
import { uuidv7 } from "./ids.js";
import { KEEPALIVE_MAX_BATCH_BYTES } from "./keepalive.js";
import { PROCESSOR_DEFAULTS } from "./processor-defaults.js";
import {
  backoffDelayMs,
  isRetryable,
  isSizeRejection,
  type RetryOptions,
  type RetryPolicy,
  serverRetryAdvice,
} from "./retry.js";
import type { ChaukasStats, DropCounts } from "./stats.js";

/** Why an event was dropped: a key of `ChaukasStats.dropped`. */
export type DropReason = keyof DropCounts;

/**
 * Why `onError` was called:
 * - `rejected`: the backend answered with an error (`willRetry` tells whether it is retried);
 * - `timeout`: an attempt passed `exportTimeoutMs` (retried while the budget lasts);
 * - `retries-exhausted`: the last allowed attempt failed; the batch's events count as failed;
 * - `too-large`: the backend refused the batch's size; it is split (`willRetry: true`), or a
 *   single event that cannot fit is dropped (`willRetry: false`, `dropped.tooLarge`);
 * - `shutdown`: `shutdown()`'s deadline passed first; the events count as failed;
 * - `prepare-failed`: `prepare` threw; the events are sent as they were.
 */
export type ExportErrorReason =
  | "rejected"
  | "retries-exhausted"
  | "too-large"
  | "timeout"
  | "shutdown"
  | "prepare-failed";

/** The second argument of `onError`. */
export interface ExportErrorInfo {
  /** The batch concerned; "" when the error happened before a batch was formed. */
  readonly batchId: string;
  /** Events concerned. */
  readonly events: number;
  readonly willRetry: boolean;
  readonly reason: ExportErrorReason;
}

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
   * Transforms events just before they are sized and encoded (`beforeSend`, redaction, the
   * integrity hash chain): called serially, in queue order, once per event. Return the events
   * to send; an omitted event counts as `dropped.beforeSend`. If it throws or rejects, `onError`
   * is told (`prepare-failed`) and the events are sent unmodified. Default: none.
   */
  readonly prepare?: (events: Event[]) => Event[] | Promise<Event[]>;
  /**
   * Told about every failed attempt and every final failure, with the transport's typed
   * `ConnectError`. Called off the caller's stack; an exception it throws is ignored.
   * Default: none.
   */
  readonly onError?: (error: ConnectError, info: ExportErrorInfo) => void;
  /** Told when events are dropped (see `DropCounts`); an exception it throws is ignored. */
  readonly onDrop?: (reason: DropReason, count: number) => void;
  /** @internal Random source of the backoff jitter, in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
  /** @internal Waits between retries; must resolve early when `signal` aborts. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** An event that went through `prepare`, with its encoding and queue position. */
interface PreparedEvent {
  readonly event: Event;
  /**
   * The event as a field of `EventBatch` (tag, length, `toBinary(EventSchema, event)`): the
   * batch is assembled from it, never encoded again; its length is what the event adds.
   */
  readonly bytes: Uint8Array;
  /** Position in the queue (a lower bound when `prepare` dropped events); orders `flush()`. */
  readonly seq: number;
}

/** A dispatched batch and everything split off it, until all of its events settle. */
interface Flight {
  readonly firstSeq: number;
  readonly keepalive: boolean;
  readonly controller: AbortController;
  /** Resolves once every event of the flight is settled and the slot released. */
  done: Promise<void>;
}

interface FlushWaiter {
  readonly target: number;
  readonly resolve: (result: FlushResult) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

type TimerHandle = ReturnType<typeof setTimeout>;

/**
 * Events encoded per `toBinary` call (~0.3 ms of work): large enough to share one buffer, small
 * enough to check the time slice often.
 */
const ENCODE_CHUNK_EVENTS = 32;

/** Lets an edge/Node runtime exit with a timer pending; no Node import needed. */
function unref(timer: TimerHandle): TimerHandle {
  const handle = timer as unknown as { unref?: () => void };
  if (typeof handle.unref === "function") {
    handle.unref();
  }
  return timer;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = unref(setTimeout(done, ms));
    signal.addEventListener("abort", done, { once: true });
  });
}

/** `promise`, or `signal`'s reason as soon as it aborts: an exporter that hangs is abandoned. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function shutdownError(): ConnectError {
  return new ConnectError("shutdown deadline passed before the batch was delivered", Code.Aborted);
}

/**
 * The default `EventProcessor`: a bounded ring-buffer queue, batches cut by count, exact
 * encoded bytes and time, a configurable number of concurrent exports, retries with full-jitter
 * backoff, size splitting, and flush/shutdown with deadlines. Delivery is at-least-once: a
 * retried batch keeps its `batch_id` and event ids so the backend can de-duplicate.
 */
export function createBatchProcessor(options: BatchProcessorOptions): EventProcessor {
  const exporter = options.exporter;
  const maxQueueSize = options.maxQueueSize ?? PROCESSOR_DEFAULTS.maxQueueSize;
  const maxBatchSize = options.maxBatchSize ?? PROCESSOR_DEFAULTS.maxBatchSize;
  const maxBatchBytes = options.maxBatchBytes ?? PROCESSOR_DEFAULTS.maxBatchBytes;
  const flushIntervalMs = options.flushIntervalMs ?? PROCESSOR_DEFAULTS.flushIntervalMs;
  const maxConcurrentExports =
    options.maxConcurrentExports ?? PROCESSOR_DEFAULTS.maxConcurrentExports;
  const exportTimeoutMs = options.exportTimeoutMs ?? PROCESSOR_DEFAULTS.exportTimeoutMs;
  const retry: RetryPolicy = { ...PROCESSOR_DEFAULTS.retry, ...options.retry };
  const prepare = options.prepare;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  for (const [name, value] of Object.entries({
    maxQueueSize,
    maxBatchSize,
    maxBatchBytes,
    maxConcurrentExports,
  })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }
  if (
    !(retry.maxAttempts === Number.POSITIVE_INFINITY || Number.isInteger(retry.maxAttempts)) ||
    retry.maxAttempts < 1
  ) {
    throw new RangeError(
      `retry.maxAttempts must be a positive integer or Infinity, got ${retry.maxAttempts}`,
    );
  }

  const queue: BoundedQueue<Event> = createBoundedQueue(maxQueueSize);
  /** Prepared and sized, not yet in a batch (leftovers of a batch cut by bytes). */
  let prepared: PreparedEvent[] = [];
  let preparedHead = 0;
  /** Events taken off the queue, not yet through `prepare` and the encoder. */
  let preparing = 0;
  let preparingFirstSeq = 0;
  /** Events ever accepted into the queue: the next one's `seq`. */
  let nextSeq = 0;
  /** Events with a `seq` below this are due now (interval elapsed, flush, shutdown). */
  let dueSeq = 0;
  /** Events with a `seq` below this go out with keepalive (`flush({ keepalive: true })`). */
  let keepaliveSeq = 0;

  const flights = new Set<Flight>();
  let activeExports = 0;
  let pumping = false;
  let pumpAgain = false;
  let pumpScheduled = false;
  let intervalTimer: TimerHandle | undefined;
  /** While someone awaits flush(), a referenced timer keeps Node from exiting mid-backoff. */
  let holdTimer: TimerHandle | undefined;
  const waiters = new Set<FlushWaiter>();
  let shuttingDown = false;
  /** After shutdown's deadline: nothing new is dispatched, leftovers count as failed. */
  let closed = false;
  let shutdownPromise: Promise<FlushResult> | undefined;
  /** Bumped when shutdown abandons what is queued: a `prepareMore` that awaited stops then. */
  let abandonments = 0;

  const counts = {
    emitted: 0,
    sent: 0,
    failed: 0,
    retried: 0,
    inFlight: 0,
    exportCalls: 0,
  };
  const dropped = { queueFull: 0, shutdown: 0, beforeSend: 0, tooLarge: 0 };

  function preparedCount(): number {
    return prepared.length - preparedHead;
  }

  function queuedCount(): number {
    return queue.size + preparing + preparedCount();
  }

  function reportError(error: ConnectError, info: ExportErrorInfo): void {
    try {
      options.onError?.(error, info);
    } catch {
      // A faulty error hook must not break delivery of the next batches.
    }
  }

  function drop(reason: DropReason, count: number): void {
    dropped[reason] += count;
    try {
      options.onDrop?.(reason, count);
    } catch {
      // Same as onError: the hook is informational.
    }
  }

  function enqueue(event: Event): void {
    counts.emitted++;
    if (shuttingDown) {
      drop("shutdown", 1);
      return;
    }
    if (queuedCount() + counts.inFlight >= maxQueueSize || !queue.push(event)) {
      drop("queueFull", 1);
      return;
    }
    nextSeq++;
    if (queuedCount() >= maxBatchSize) {
      if (activeExports < maxConcurrentExports) {
        schedulePump();
      }
    } else if (intervalTimer === undefined) {
      intervalTimer = unref(setTimeout(onInterval, flushIntervalMs));
    }
  }

  function schedulePump(): void {
    if (!pumpScheduled) {
      pumpScheduled = true;
      queueMicrotask(runScheduledPump);
    }
  }

  function runScheduledPump(): void {
    pumpScheduled = false;
    void pump();
  }

  function onInterval(): void {
    intervalTimer = undefined;
    dueSeq = Math.max(dueSeq, nextSeq);
    void pump();
  }

  /** Arms the interval timer exactly while events wait, so an idle client holds no timer. */
  function updateTimer(): void {
    if (queuedCount() === 0 || closed) {
      if (intervalTimer !== undefined) {
        clearTimeout(intervalTimer);
        intervalTimer = undefined;
      }
    } else if (intervalTimer === undefined) {
      intervalTimer = unref(setTimeout(onInterval, flushIntervalMs));
    }
  }

  function headSeq(): number {
    const head = prepared[preparedHead];
    if (head !== undefined) {
      return head.seq;
    }
    return preparing > 0 ? preparingFirstSeq : nextSeq - queue.size;
  }

  /** The oldest event not yet delivered or finally failed. */
  function oldestUnsettledSeq(): number {
    let oldest = queuedCount() > 0 ? headSeq() : Number.POSITIVE_INFINITY;
    for (const flight of flights) {
      oldest = Math.min(oldest, flight.firstSeq);
    }
    return oldest;
  }

  function pending(): number {
    return queuedCount() + counts.inFlight;
  }

  function settleWaiters(): void {
    if (waiters.size === 0) {
      return;
    }
    const oldest = oldestUnsettledSeq();
    for (const waiter of waiters) {
      if (oldest >= waiter.target) {
        finishWaiter(waiter, { completed: true, pending: pending() });
      }
    }
  }

  function finishWaiter(waiter: FlushWaiter, result: FlushResult): void {
    if (!waiters.delete(waiter)) {
      return;
    }
    if (waiter.timer !== undefined) {
      clearTimeout(waiter.timer);
    }
    if (waiters.size === 0 && holdTimer !== undefined) {
      clearTimeout(holdTimer);
      holdTimer = undefined;
    }
    waiter.resolve(result);
  }

  function wantsBatch(): boolean {
    if (closed || queuedCount() - preparing === 0) {
      return false;
    }
    if (queuedCount() >= maxBatchSize || headSeq() < dueSeq) {
      return true;
    }
    // Leftovers of a batch cut by bytes may already fill the next one.
    let bytes = 0;
    for (let i = preparedHead; i < prepared.length; i++) {
      bytes += prepared[i]!.bytes.length;
    }
    return bytes >= maxBatchBytes;
  }

  /** Moves events from the queue through `prepare` and the encoder until a full batch is prepared. */
  async function prepareMore(): Promise<void> {
    const generation = abandonments;
    while (preparedCount() < maxBatchSize && queue.size > 0) {
      const firstSeq = nextSeq - queue.size;
      const input = queue.take(maxBatchSize - preparedCount());
      let output: Event[] = input;
      preparing = input.length;
      preparingFirstSeq = firstSeq;
      if (prepare !== undefined) {
        try {
          // prepare may mutate or replace its argument; keep our own reference to the input.
          const result = prepare(input.slice());
          output = Array.isArray(result) ? result : await result;
          if (!Array.isArray(output)) {
            throw new TypeError("prepare must return an array of events");
          }
        } catch (error) {
          reportError(ConnectError.from(error, Code.Internal), {
            batchId: "",
            events: input.length,
            willRetry: false,
            reason: "prepare-failed",
          });
          output = input;
        }
        if (generation !== abandonments) {
          return; // shutdown's deadline counted these events as failed meanwhile
        }
      }
      if (output.length < input.length) {
        drop("beforeSend", input.length - output.length);
      } else if (output.length > input.length) {
        // Events prepare added were never emitted: count them so the stats invariant holds.
        counts.emitted += output.length - input.length;
      }
      preparing = output.length;
      if (preparedHead > 0 && preparedHead === prepared.length) {
        prepared = [];
        preparedHead = 0;
      }
      for (let i = 0; i < output.length; i += ENCODE_CHUNK_EVENTS) {
        // Output i stands at input position <= i when prepare only removes events: a lower bound.
        const seq = firstSeq + Math.min(i, input.length - 1);
        const chunk = output.slice(i, i + ENCODE_CHUNK_EVENTS);
        preparing -= chunk.length;
        let fields: Uint8Array[];
        try {
          fields = encodeEventFields(chunk);
        } catch {
          encodeOneByOne(chunk, seq);
          continue;
        }
        for (let j = 0; j < chunk.length; j++) {
          const bytes = fields[j]!;
          prepared.push({ event: chunk[j]!, bytes, seq: seq + j });
        }
      }
    }
  }

  /** A chunk that failed to encode: find the events at fault, count them failed, keep the rest. */
  function encodeOneByOne(chunk: Event[], firstSeq: number): void {
    for (let j = 0; j < chunk.length; j++) {
      const event = chunk[j]!;
      let bytes: Uint8Array;
      try {
        bytes = encodeEventFields([event])[0]!;
      } catch (error) {
        counts.failed++;
        reportError(ConnectError.from(error, Code.InvalidArgument), {
          batchId: "",
          events: 1,
          willRetry: false,
          reason: "rejected",
        });
        continue;
      }
      prepared.push({ event, bytes, seq: firstSeq + j });
    }
  }

  /** Cuts the next batch off the prepared events: at most `maxBatchSize` and `byteLimit`. */
  function cutBatch(byteLimit: number): { batch: EventBatch; firstSeq: number; bytes: number } {
    const timestamp = timestampFromMs(Date.now());
    const batchId = uuidv7();
    const aggregates: BatchAggregates = emptyAggregates();
    const candidate: BatchAggregates = emptyAggregates();
    const envelope = { batchIdBytes: batchId.length, timestamp, aggregates: candidate };
    const events: Event[] = [];
    const encodedEvents: Uint8Array[] = [];
    const firstSeq = prepared[preparedHead]!.seq;
    let fieldBytes = 0;
    let bytes = ingestRequestSize(envelope, 0);
    while (events.length < maxBatchSize && preparedHead < prepared.length) {
      const next = prepared[preparedHead]!;
      candidate.totalCost = aggregates.totalCost;
      candidate.totalTokens = aggregates.totalTokens;
      candidate.totalDurationMs = aggregates.totalDurationMs;
      addToAggregates(candidate, next.event);
      const size = ingestRequestSize(envelope, fieldBytes + next.bytes.length);
      // The first event always goes, even alone above the limit: only the backend can say no.
      if (events.length > 0 && size > byteLimit) {
        break;
      }
      events.push(next.event);
      encodedEvents.push(next.bytes);
      addToAggregates(aggregates, next.event);
      fieldBytes += next.bytes.length;
      bytes = size;
      preparedHead++;
    }
    const batch = create(EventBatchSchema, {
      batchId,
      timestamp,
      events,
      totalCost: aggregates.totalCost,
      totalTokens: aggregates.totalTokens,
      totalDurationMs: aggregates.totalDurationMs,
    });
    encodeEventBatch(batch, encodedEvents);
    return { batch, firstSeq, bytes };
  }

  /**
   * The only place batches are formed: serial, so `prepare` sees events once each and in order.
   * Runs until no slot is free or no batch is due; re-runs when poked meanwhile.
   */
  async function pump(): Promise<void> {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        while (!closed) {
          const keepalive = keepaliveSeq > headSeq() && queuedCount() > 0;
          if (!keepalive && !wantsBatch()) {
            break;
          }
          if (!keepalive && activeExports >= maxConcurrentExports) {
            // No slot: encode the next batch meanwhile, so it leaves the moment one frees.
            if (preparedCount() >= maxBatchSize || queue.size === 0) {
              break;
            }
            await prepareMore();
            continue;
          }
          await prepareMore();
          if (closed) {
            break;
          }
          if (preparedCount() === 0) {
            continue; // prepare dropped them all; the queue may hold more
          }
          const limit = keepalive
            ? Math.min(maxBatchBytes, KEEPALIVE_MAX_BATCH_BYTES)
            : maxBatchBytes;
          const { batch, firstSeq, bytes } = cutBatch(limit);
          // A lone event above the keepalive budget would make fetch refuse the request.
          dispatch(batch, firstSeq, keepalive && bytes <= KEEPALIVE_MAX_BATCH_BYTES, keepalive);
        }
      } while (pumpAgain);
    } finally {
      pumping = false;
    }
    if (closed) {
      abandonQueued();
    }
    updateTimer();
    settleWaiters();
  }

  function dispatch(
    batch: EventBatch,
    firstSeq: number,
    keepalive: boolean,
    outsideSlots: boolean,
  ): void {
    const flight: Flight = {
      firstSeq,
      keepalive,
      controller: new AbortController(),
      done: Promise.resolve(),
    };
    flights.add(flight);
    counts.inFlight += batch.events.length;
    if (!outsideSlots) {
      activeExports++;
    }
    const release = (): void => {
      flights.delete(flight);
      if (!outsideSlots) {
        activeExports--;
      }
      if (queuedCount() > 0) {
        void pump();
      } else {
        updateTimer();
      }
      settleWaiters();
    };
    // deliver() does not reject; the slot is released even if a bug made it.
    flight.done = deliver(flight, batch).then(release, release);
  }

  function settle(count: number, outcome: "sent" | "failed" | "tooLarge"): void {
    counts.inFlight -= count;
    if (outcome === "tooLarge") {
      drop("tooLarge", count);
    } else {
      counts[outcome] += count;
    }
  }

  /** Sends `batch` until it is accepted or finally fails; never rejects. */
  async function deliver(flight: Flight, batch: EventBatch): Promise<void> {
    const size = batch.events.length;
    const startedAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      if (flight.controller.signal.aborted) {
        settle(size, "failed");
        reportError(shutdownError(), {
          batchId: batch.batchId,
          events: size,
          willRetry: false,
          reason: "shutdown",
        });
        return;
      }
      counts.exportCalls++;
      if (attempt > 1) {
        counts.retried++;
      }
      const outcome = await attemptExport(flight, batch);
      if (outcome === undefined) {
        settle(size, "sent");
        return;
      }
      const { error, timedOut } = outcome;
      if (flight.controller.signal.aborted) {
        continue; // reported as shutdown at the top of the loop
      }
      const info = { batchId: batch.batchId, events: size };
      if (isSizeRejection(error)) {
        if (size === 1) {
          settle(1, "tooLarge");
          reportError(error, { ...info, willRetry: false, reason: "too-large" });
          return;
        }
        reportError(error, { ...info, willRetry: true, reason: "too-large" });
        const half = Math.ceil(size / 2);
        await deliver(flight, splitBatch(batch.events.slice(0, half)));
        await deliver(flight, splitBatch(batch.events.slice(half)));
        return;
      }
      const reason = timedOut ? "timeout" : "rejected";
      const advice = isRetryable(error) ? serverRetryAdvice(error, Date.now()) : "do-not-retry";
      if (advice === "do-not-retry") {
        settle(size, "failed");
        reportError(error, { ...info, willRetry: false, reason });
        return;
      }
      const delay = advice?.delayMs ?? backoffDelayMs(attempt - 1, retry, random);
      if (attempt >= retry.maxAttempts || Date.now() - startedAt + delay > retry.maxElapsedMs) {
        settle(size, "failed");
        reportError(error, { ...info, willRetry: false, reason: "retries-exhausted" });
        return;
      }
      reportError(error, { ...info, willRetry: true, reason });
      try {
        await abortable(sleep(delay, flight.controller.signal), flight.controller.signal);
      } catch {
        // Aborted by shutdown: handled at the top of the loop.
      }
    }
  }

  /** A half of a batch the backend found too large: a new batch, same events and ids. */
  function splitBatch(events: Event[]): EventBatch {
    const aggregates = batchAggregates(events);
    return create(EventBatchSchema, {
      batchId: uuidv7(),
      timestamp: timestampFromMs(Date.now()),
      events,
      ...aggregates,
    });
  }

  /** One export call under `exportTimeoutMs`; resolves with the error, if any. */
  async function attemptExport(
    flight: Flight,
    batch: EventBatch,
  ): Promise<{ error: ConnectError; timedOut: boolean } | undefined> {
    const controller = new AbortController();
    const timeout = new ConnectError(
      `export attempt exceeded exportTimeoutMs (${exportTimeoutMs} ms)`,
      Code.DeadlineExceeded,
    );
    const onFlightAbort = (): void => controller.abort(flight.controller.signal.reason);
    flight.controller.signal.addEventListener("abort", onFlightAbort, { once: true });
    const timer = unref(setTimeout(() => controller.abort(timeout), exportTimeoutMs));
    try {
      let call: Promise<void>;
      try {
        call = Promise.resolve(
          exporter.export(
            batch,
            flight.keepalive
              ? { signal: controller.signal, keepalive: true }
              : { signal: controller.signal },
          ),
        );
      } catch (error) {
        call = Promise.reject(error);
      }
      await abortable(call, controller.signal);
      return undefined;
    } catch (error) {
      return {
        error: ConnectError.from(error),
        timedOut: controller.signal.aborted && controller.signal.reason === timeout,
      };
    } finally {
      clearTimeout(timer);
      flight.controller.signal.removeEventListener("abort", onFlightAbort);
    }
  }

  /** After shutdown's deadline: what is still queued will never be sent. */
  function abandonQueued(): void {
    const count = queue.size + preparing + preparedCount();
    if (count === 0) {
      return;
    }
    queue.take(queue.size);
    prepared = [];
    preparedHead = 0;
    preparing = 0;
    abandonments++;
    counts.failed += count;
    reportError(shutdownError(), {
      batchId: "",
      events: count,
      willRetry: false,
      reason: "shutdown",
    });
  }

  function flush(flushOptions: FlushOptions = {}): Promise<FlushResult> {
    const target = nextSeq;
    dueSeq = Math.max(dueSeq, target);
    if (flushOptions.keepalive === true) {
      keepaliveSeq = Math.max(keepaliveSeq, target);
    }
    if (oldestUnsettledSeq() >= target) {
      return Promise.resolve({ completed: true, pending: pending() });
    }
    const result = new Promise<FlushResult>((resolve) => {
      const waiter: FlushWaiter = { target, resolve, timer: undefined };
      waiters.add(waiter);
      if (flushOptions.timeoutMs !== undefined) {
        waiter.timer = setTimeout(
          () => finishWaiter(waiter, { completed: false, pending: pending() }),
          Math.max(0, flushOptions.timeoutMs),
        );
      } else if (holdTimer === undefined) {
        holdTimer = setTimeout(() => undefined, 2 ** 31 - 1);
      }
    });
    void pump();
    return result;
  }

  async function runShutdown(timeoutMs: number): Promise<FlushResult> {
    const deadline = Date.now() + timeoutMs;
    const flushed = await flush({ timeoutMs });
    closed = true;
    let abandoned = 0;
    if (!flushed.completed) {
      abandoned = pending();
      abandonQueued();
      const inFlight = [...flights];
      for (const flight of inFlight) {
        flight.controller.abort(shutdownError());
      }
      // Settles promptly: every await in deliver() gives way to the abort signal.
      await Promise.all(inFlight.map((flight) => flight.done));
    }
    updateTimer();
    if (exporter.shutdown !== undefined) {
      const remaining = Math.max(0, deadline - Date.now());
      let timer: TimerHandle | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(() => exporter.shutdown?.()),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, remaining);
          }),
        ]);
      } catch (error) {
        reportError(ConnectError.from(error), {
          batchId: "",
          events: 0,
          willRetry: false,
          reason: "shutdown",
        });
      } finally {
        clearTimeout(timer);
      }
    }
    return { completed: flushed.completed, pending: abandoned };
  }

  return {
    enqueue,
    flush,
    shutdown(shutdownOptions: ShutdownOptions = {}): Promise<FlushResult> {
      if (shutdownPromise === undefined) {
        shuttingDown = true;
        shutdownPromise = runShutdown(
          shutdownOptions.timeoutMs ?? PROCESSOR_DEFAULTS.shutdownTimeoutMs,
        );
      }
      return shutdownPromise;
    },
    stats(): ChaukasStats {
      return {
        ...counts,
        dropped: { ...dropped },
        queued: queuedCount(),
      };
    },
  };
}
