// The exporter interface: where batches leave the SDK.

import type { EventBatch } from "@chaukas/spec/common/v1";

/** Per-export options the batch processor passes to an exporter. */
export interface ExportOptions {
  /** Aborted when the export deadline passes or the client shuts down. */
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
