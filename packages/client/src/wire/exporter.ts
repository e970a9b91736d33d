/** Where batches leave the SDK: the exporter interface the batch processor sends through. */
import type { Event, EventBatch } from "@chaukas/spec/common/v1";

/** Per-export options the batch processor passes to an exporter. */
export interface ExportOptions {
  /** Aborted when the export deadline (`EventExporter.timeoutMs`) passes or the client shuts down. */
  readonly signal: AbortSignal;
  /**
   * True while the page is being hidden or unloaded: the web transport then sends with
   * `fetch(..., { keepalive: true })`. Batches are then at most `KEEPALIVE_MAX_BATCH_BYTES`.
   */
  readonly keepalive?: boolean;
}

/**
 * Where batches leave the SDK: the OpenTelemetry "exporter" slot. The default sends
 * `IngestEventBatch` over a Connect transport; the Node package adds file and console sinks.
 */
export interface EventExporter {
  /**
   * Deadline of one export, in ms, when the exporter has one (the Connect exporter: its
   * transport's `timeoutMs`; the OTLP exporter: its `timeoutMs`). The batch processor cuts an
   * attempt still running then, so the deadline is set once, where the call is made. Default:
   * none; the processor then cuts at `PROCESSOR_DEFAULTS.exportTimeoutMs`.
   */
  readonly timeoutMs?: number;
  /**
   * Encodes a batch's events; bytes identical to `toBinary(EventSchema, e)` for each. The
   * processor encodes every event once with it, to cut batches at `maxBatchBytes`, and the
   * Connect exporter sends those bytes. If it throws, the batch is encoded with `toBinary`.
   * The Connect exporter's is its transport's (`createNodeTransport` attaches the generated
   * encoder of `@chaukas/client/binary-encoding`). Default: protobuf-es `toBinary`.
   */
  readonly encodeEvents?: (events: readonly Event[]) => Uint8Array[];
  /**
   * Sends one batch. Resolves once the backend accepted it; rejects with a `ConnectError`
   * otherwise (its code decides whether the processor retries).
   *
   * The batch and its events are deeply frozen: they were encoded once, and those bytes are what
   * the Connect exporter sends. Change events in `beforeSend`, not here; an exporter wrapping
   * another that needs different events passes on a new batch (`create(EventBatchSchema, ...)`),
   * which is encoded afresh.
   */
  export(batch: EventBatch, options: ExportOptions): Promise<void>;
  /** Releases what the exporter holds (files, connections). Called once, by `shutdown()`. */
  shutdown?(): Promise<void>;
}
