import type { Event, EventBatch } from "@chaukas/spec/common/v1";
import { ConnectError } from "@connectrpc/connect";
import {
  cutEncodedBatch,
  encodedEventBatch,
  encodeEventFields,
  newBatch,
} from "./encoded-batch.js";
import type {
  EventProcessor,
  FlushOptions,
  FlushResult,
  ShutdownOptions,
} from "./event-processor.js";
import type { EventExporter } from "./exporter.js";
import { KEEPALIVE_MAX_BATCH_BYTES } from "./keepalive.js";
import { PROCESSOR_DEFAULTS } from "./processor-defaults.js";
import { isSizeRejection, type RetryOptions, type RetryPolicy, retryDelayMs } from "./retry.js";
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
  readonly prepare?: ((events: Event[]) => Event[] | Promise<Event[]>) | undefined;
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

/** A prepared event: the event, its `encodeEventFields` bytes, its position in the queue. */
type Prepared = [event: Event, field: Uint8Array, seq: number];

type Timer = ReturnType<typeof setTimeout>;

/** An export under way: the controller of its current attempt or backoff (a tuple, to stay small). */
type Flight = [controller?: AbortController];

/** Lets an edge/Node runtime exit with a timer pending; no Node import needed. */
const unref = (timer: Timer): Timer => {
  (timer as { unref?: () => void }).unref?.();
  return timer;
};

/** A positive integer option (or Infinity where allowed), else a RangeError naming it. */
function positiveInteger(name: string, value: number, infinityAllowed?: boolean): number {
  if (!(value >= 1 && (value % 1 === 0 || (infinityAllowed && value === Infinity)))) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * The default `EventProcessor`: a bounded queue, batches cut by count, exact encoded bytes and
 * time, a configurable number of concurrent exports, retries with full-jitter backoff, size
 * splitting, and flush/shutdown with deadlines. Delivery is at-least-once: a retried batch
 * keeps its `batch_id` and event ids so the backend can de-duplicate.
 *
 * Events carry a sequence number (`seq`, their position in the queue): `flush()` waits until
 * the oldest event not yet settled is one emitted after it was called.
 */
export function createBatchProcessor(options: BatchProcessorOptions): EventProcessor {
  const { exporter, prepare, onError, onDrop, random = Math.random } = options;
  const option = <K extends keyof BatchProcessorOptions & keyof typeof PROCESSOR_DEFAULTS>(
    name: K,
  ) => options[name] ?? PROCESSOR_DEFAULTS[name];
  const limit = (
    name: "maxQueueSize" | "maxBatchSize" | "maxBatchBytes" | "maxConcurrentExports",
  ): number => positiveInteger(name, option(name));
  const maxQueueSize = limit("maxQueueSize");
  const maxBatchSize = limit("maxBatchSize");
  const maxBatchBytes = limit("maxBatchBytes");
  const maxConcurrentExports = limit("maxConcurrentExports");
  const exportTimeoutMs = option("exportTimeoutMs");
  const retry: RetryPolicy = { ...PROCESSOR_DEFAULTS.retry, ...options.retry };
  positiveInteger("retry.maxAttempts", retry.maxAttempts, true);
  const sleep =
    options.sleep ??
    ((ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        const timer = unref(setTimeout(resolve, ms));
        signal.onabort = () => {
          clearTimeout(timer);
          resolve();
        };
      }));

  // An accepted event waits in `queue` (a plain array: V8 moves its start in O(1) when the
  // head is spliced off; it stays there while `prepare` runs on it), then in `prepared`,
  // encoded, until a batch takes it. `prepared` holds a batch or so: it is simply sliced.
  let queue: Event[] = [];
  let prepared: Prepared[] = [];
  /** Events ever accepted into the queue: the next one's `seq`. */
  let nextSeq = 0;
  /** Events with a `seq` below this are due now (interval elapsed, flush, shutdown). */
  let dueSeq = 0;
  /** Events with a `seq` below this go out with keepalive (`flush({ keepalive: true })`). */
  let keepaliveSeq = 0;

  /**
   * Exports under way, each with the `seq` of its first event. A flight holds the controller of
   * its current attempt or backoff (a new one each time, so no listener piles up on a signal
   * that lives across retries): shutdown's deadline aborts it.
   */
  const flights = new Map<Flight, number>();
  /**
   * Set when shutdown's deadline passed: flights still under way give up with it, and a
   * `prepare` that returns later is ignored (its events were counted failed).
   */
  let shutdownError: ConnectError | undefined;
  let activeExports = 0;
  let pumping = false;
  let intervalTimer: Timer | undefined;
  /** One per pending flush(): resolves it once everything emitted before it has settled. */
  const waiters = new Set<() => void>();
  let shuttingDown = false;
  let shutdownPromise: Promise<FlushResult> | undefined;

  let emitted = 0;
  let sent = 0;
  let failed = 0;
  let retried = 0;
  let inFlight = 0;
  let exportCalls = 0;
  const dropped: { -readonly [R in DropReason]: number } = {
    queueFull: 0,
    shutdown: 0,
    beforeSend: 0,
    tooLarge: 0,
  };

  const queued = (): number => queue.length + prepared.length;
  const pending = (): number => queued() + inFlight;
  const headSeq = (): number => prepared[0]?.[2] ?? nextSeq - queue.length;

  /**
   * Hooks are informational: one that throws must not break delivery. Without a batch id the
   * error happened before a batch was formed, and is final.
   */
  function report(
    error: ConnectError,
    reason: ExportErrorReason,
    events: number,
    batchId = "",
    willRetry = false,
  ): void {
    try {
      onError?.(error, { batchId, events, willRetry, reason });
    } catch {}
  }

  function drop(reason: DropReason, count: number): void {
    dropped[reason] += count;
    try {
      onDrop?.(reason, count);
    } catch {}
  }

  /** Arms the interval timer exactly while events wait, so an idle client holds no timer. */
  function updateTimer(): void {
    if (queued() && !shuttingDown) {
      intervalTimer ??= unref(
        setTimeout(() => {
          intervalTimer = undefined;
          dueSeq = nextSeq;
          void pump();
        }, option("flushIntervalMs")),
      );
    } else {
      clearTimeout(intervalTimer);
      intervalTimer = undefined;
    }
  }

  function enqueue(event: Event): void {
    emitted++;
    if (shuttingDown) {
      drop("shutdown", 1);
    } else if (pending() >= maxQueueSize) {
      drop("queueFull", 1);
    } else {
      queue.push(event);
      nextSeq++;
      if (queued() < maxBatchSize) {
        updateTimer();
      } else {
        // Not pump() here: prepare and the encoder must not run on the caller's stack. Extra
        // calls while one runs only mark it to run again.
        queueMicrotask(pump);
      }
    }
  }

  /** Moves events from the queue through `prepare` and the encoder until a batch is prepared. */
  async function prepareMore(): Promise<void> {
    while (prepared.length < maxBatchSize && queue.length > 0) {
      const firstSeq = nextSeq - queue.length;
      const input = queue.slice(0, maxBatchSize - prepared.length);
      let output = input;
      if (prepare) {
        try {
          // prepare may mutate or replace its argument; keep our own reference to the input.
          // Spread: whatever is not an array or other iterable throws here (prepare-failed).
          output = [...(await prepare(input.slice()))];
        } catch (error) {
          report(ConnectError.from(error, 13 /* Internal */), "prepare-failed", input.length);
          output = input;
        }
        if (shutdownError) {
          return; // shutdown's deadline counted these events as failed meanwhile
        }
      }
      queue.splice(0, input.length);
      const added = output.length - input.length;
      if (added < 0) {
        drop("beforeSend", -added);
      } else {
        // Events prepare added were never emitted: count them so the stats invariant holds.
        emitted += added;
      }
      let fields: (Uint8Array | undefined)[];
      try {
        fields = encodeEventFields(output);
      } catch {
        // Find the events at fault, count them failed, keep the rest.
        fields = output.map((event) => {
          try {
            return encodeEventFields([event])[0];
          } catch (error) {
            failed++;
            report(ConnectError.from(error, 3 /* InvalidArgument */), "rejected", 1);
            return undefined;
          }
        });
      }
      output.forEach((event, i) => {
        const field = fields[i];
        // Output i stands at input position <= i when prepare only removes events: a lower bound.
        if (field) prepared.push([event, field, firstSeq + Math.min(i, input.length - 1)]);
      });
    }
  }

  /**
   * The only place batches are formed: serial, so `prepare` sees events once each and in order.
   * Runs until no slot is free or no batch is due. A poke while it runs needs no flag: the loop
   * re-reads the state after each await, and only yields there. Then tells the flush waiters.
   */
  async function pump(): Promise<void> {
    if (!pumping) {
      pumping = true;
      try {
        while (!shutdownError && queued()) {
          const keepalive = keepaliveSeq > headSeq();
          const slot = keepalive || activeExports < maxConcurrentExports;
          if (
            // Due: a full batch by count or bytes (leftovers of a batch cut by bytes may fill
            // the next one), the interval elapsed, or flush().
            !(
              keepalive ||
              queued() >= maxBatchSize ||
              headSeq() < dueSeq ||
              prepared.reduce((bytes, [, field]) => bytes + field.length, 0) >= maxBatchBytes
            ) ||
            // Without a slot the next batch is prepared meanwhile, to leave once one frees.
            (!slot && (prepared.length >= maxBatchSize || !queue.length))
          ) {
            break;
          }
          await prepareMore();
          if (slot && !shutdownError && prepared.length > 0) {
            void dispatch(keepalive);
          }
        }
      } finally {
        pumping = false;
      }
      updateTimer();
    }
    for (const check of waiters) check();
  }

  /**
   * Cuts the next batch off the prepared events and sends it; keepalive ones take no slot.
   * Resolves once the batch has settled; never rejects (nor does `deliver`).
   */
  async function dispatch(keepalive: boolean): Promise<void> {
    const flight: Flight = [];
    flights.set(flight, prepared[0]![2]);
    const batch = cutEncodedBatch(
      prepared,
      maxBatchSize,
      keepalive ? Math.min(maxBatchBytes, KEEPALIVE_MAX_BATCH_BYTES) : maxBatchBytes,
    );
    const size = batch.events.length;
    prepared = prepared.slice(size);
    inFlight += size;
    if (!keepalive) activeExports++;
    await deliver(
      batch,
      flight,
      // A lone event above the keepalive budget would make fetch refuse the request.
      keepalive && encodedEventBatch(batch)!.length < KEEPALIVE_MAX_BATCH_BYTES,
    );
    flights.delete(flight);
    if (!keepalive) activeExports--;
    void pump();
  }

  /** Sends `batch` until it is accepted or finally fails; never rejects. */
  async function deliver(batch: EventBatch, flight: Flight, keepalive: boolean): Promise<void> {
    const { batchId, events } = batch;
    const size = events.length;
    const startedAt = Date.now();
    for (let attempt = 0; ; attempt++) {
      let error = shutdownError;
      let reason: ExportErrorReason = "shutdown";
      let tooLarge: boolean | undefined;
      // undefined: no retry (shutdown, a size rejection, a code or server saying so).
      let delay: number | undefined;
      if (!error) {
        exportCalls++;
        if (attempt > 0) retried++;
        const controller = new AbortController();
        const { signal } = controller;
        flight[0] = controller;
        const timer = unref(
          setTimeout(
            () =>
              controller.abort(
                new ConnectError(
                  `exportTimeoutMs (${exportTimeoutMs} ms) passed`,
                  4 /* DeadlineExceeded */,
                ),
              ),
            exportTimeoutMs,
          ),
        );
        try {
          // Settles at the abort even if the exporter ignores its signal and hangs.
          await new Promise((resolve, reject) => {
            signal.addEventListener("abort", () => reject(signal.reason));
            Promise.resolve(exporter.export(batch, { signal, keepalive })).then(resolve, reject);
          });
          inFlight -= size;
          sent += size;
          return;
        } catch (e) {
          error = ConnectError.from(e);
        } finally {
          clearTimeout(timer);
        }
        // Else shutdown's deadline aborted it: reason "shutdown", no retry.
        if (!shutdownError) {
          tooLarge = isSizeRejection(error);
          // An abort is the timeout's (shutdown's is handled above).
          reason = tooLarge ? "too-large" : signal.aborted ? "timeout" : "rejected";
          delay = retryDelayMs(error, attempt, retry, random);
          if (
            delay !== undefined &&
            (attempt + 1 >= retry.maxAttempts ||
              Date.now() - startedAt + delay > retry.maxElapsedMs)
          ) {
            reason = "retries-exhausted";
            delay = undefined;
          }
        }
      }
      // A batch refused for its size is split in halves: new batches of the same events (same
      // ids), split again until they fit; a single event that cannot fit is dropped.
      const split = tooLarge && size > 1;
      const willRetry = split || delay !== undefined;
      if (!willRetry) {
        inFlight -= size;
        if (tooLarge) drop("tooLarge", 1);
        else failed += size;
      }
      report(shutdownError ?? error, reason, size, batchId, willRetry);
      if (split) {
        const middle = Math.ceil(size / 2);
        for (const half of [events.slice(0, middle), events.slice(middle)]) {
          await deliver(newBatch(half), flight, keepalive);
        }
      }
      if (delay === undefined) return;
      flight[0] = new AbortController();
      await sleep(delay, flight[0].signal);
    }
  }

  function flush({ timeoutMs, keepalive }: FlushOptions = {}): Promise<FlushResult> {
    const target = nextSeq;
    dueSeq = target;
    if (keepalive) keepaliveSeq = target;
    return new Promise((resolve) => {
      const check = (timedOut?: boolean): void => {
        if (timedOut || Math.min(headSeq(), ...flights.values()) >= target) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve({ completed: !timedOut, pending: pending() });
        }
      };
      // Referenced even without a timeout: it keeps Node alive while someone awaits.
      const timer = setTimeout(
        () => timeoutMs !== undefined && check(true),
        timeoutMs ?? 2 ** 31 - 1,
      );
      waiters.add(check);
      void pump();
    });
  }

  return {
    enqueue,
    flush,
    shutdown({
      timeoutMs = PROCESSOR_DEFAULTS.shutdownTimeoutMs,
    }: ShutdownOptions = {}): Promise<FlushResult> {
      shuttingDown = true;
      shutdownPromise ??= (async () => {
        const deadline = Date.now() + timeoutMs;
        // Completed, nothing is pending: no event is accepted once shutdown is called.
        const result = await flush({ timeoutMs });
        if (!result.completed) {
          const error = new ConnectError("shutdown deadline passed", 10 /* Aborted */);
          const count = queued();
          shutdownError = error;
          queue = [];
          prepared = [];
          failed += count;
          if (count) report(error, "shutdown", count);
          for (const flight of flights.keys()) flight[0]?.abort(error);
          await flush(); // every await in deliver() gives way to the abort at once
        }
        updateTimer();
        let timer: Timer | undefined;
        try {
          await Promise.race([
            exporter.shutdown?.(),
            new Promise((resolve) => {
              timer = setTimeout(resolve, deadline - Date.now());
            }),
          ]);
        } catch (error) {
          report(ConnectError.from(error), "shutdown", 0);
        }
        clearTimeout(timer);
        return result;
      })();
      return shutdownPromise;
    },
    stats: (): ChaukasStats => ({
      emitted,
      sent,
      failed,
      retried,
      inFlight,
      exportCalls,
      queued: queued(),
      dropped: { ...dropped },
    }),
  };
}
