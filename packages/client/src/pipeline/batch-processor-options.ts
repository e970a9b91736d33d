// The options of `createBatchProcessor`, each with its default (`PROCESSOR_DEFAULTS`): the limits
// of the queue and batches, delivery's deadline and retries, and the hooks.
import type { Event } from "@chaukas/spec/common/v1";
import type { Outbox } from "../outbox.js";
import type { ErrorHook } from "../wire/export-error.js";
import type { EventExporter } from "../wire/exporter.js";
import type { LossRecord } from "./loss-ledger.js";
import type { PrepareEvent } from "./prepare-stage.js";
import type { RetryOptions } from "./retry.js";
import type { DropReason } from "./stats.js";

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
   * `timeoutMs`, else 10 000
   */
  readonly exportTimeoutMs?: number;
  /** Retry policy; each field's default is on `RetryOptions`. Default: `PROCESSOR_DEFAULTS.retry`. */
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
