import {
  type BatchProcessorOptions,
  type ChaukasStats,
  ChaukasValidationError,
  createBatchProcessor,
  type EventExporter,
  type EventProcessor,
  type FlushOptions,
  type FlushResult,
  lossReportEvent,
  type ShutdownOptions,
} from "@chaukas/client";
import type { Event, EventBatch } from "@chaukas/spec/common/v1";

/**
 * One destination of `createFanOutExporter`: its exporter and the options of its own pipeline
 * (queue, batching, retries), documented on `BatchProcessorOptions` with their defaults.
 */
export interface FanOutDestination
  extends Omit<BatchProcessorOptions, "exporter" | "prepare" | "lossReport"> {
  /** Where this destination's batches go. Required. */
  readonly exporter: EventExporter;
  /**
   * Add a SYSTEM event recording this destination's losses to the session, sent to this
   * destination (see the client README's "Loss reports"). Default: true.
   */
  readonly reportLoss?: boolean;
}

/** An `EventExporter` that hands every batch to several pipelines of their own. */
export interface FanOutExporter extends EventExporter {
  /**
   * Resolves when every destination delivered, or finally failed, what it was handed before the
   * call: `chaukas.flush()` resolves once the events are handed over, so await both. Never
   * rejects. `completed` is true when every destination completed; `pending` sums them.
   */
  flush(options?: FlushOptions): Promise<FlushResult>;
  /** Each destination's pipeline counters, by the name it was given. */
  stats(): Readonly<Record<string, ChaukasStats>>;
  /** Shuts every destination's pipeline down (called by the client's `shutdown()`). */
  shutdown(options?: ShutdownOptions): Promise<void>;
}

/**
 * Sends a client's events to several destinations, e.g. a Chaukas backend and an OpenTelemetry
 * Collector, each with its own queue, retries and loss accounting:
 * ```ts
 * const fanOut = createFanOutExporter({
 *   chaukas: { exporter: createConnectExporter(transport) },
 *   collector: { exporter: createOtlpExporter({ url }) },
 * });
 * const chaukas = createChaukasClient({ transport, exporter: fanOut, tenantId, projectId });
 * ```
 * Each batch the client's pipeline forms (after `beforeSend` and the integrity chain, so every
 * destination gets the same redacted, chained events) is handed to one `createBatchProcessor` per
 * destination, and the export resolves at once. So a destination that is down or slow never holds
 * up another: it queues, retries and drops on its own, and `stats()` says, per destination, what
 * was sent, failed and dropped, and why. The client's own `stats().sent` counts hand-overs.
 * Throws `ChaukasValidationError` for a destination without an exporter or with bad options.
 */
export function createFanOutExporter(
  destinations: Readonly<Record<string, FanOutDestination>>,
): FanOutExporter {
  const names = Object.keys(destinations ?? {});
  if (names.length === 0) {
    throw new ChaukasValidationError("destinations", "expected at least one destination");
  }
  /** Tenant and project of the events handed over: the loss reports' own. */
  let owner: Pick<Event, "tenantId" | "projectId" | "branch"> | undefined;
  const pipelines = new Map<string, EventProcessor>();
  for (const name of names) {
    const { reportLoss = true, ...options } = destinations[name]!;
    if (typeof options.exporter?.export !== "function") {
      throw new ChaukasValidationError(`${name}.exporter`, "expected an EventExporter");
    }
    pipelines.set(
      name,
      createBatchProcessor({
        ...options,
        lossReport: reportLoss
          ? (record) =>
              Object.assign(lossReportEvent(record), {
                tenantId: owner?.tenantId ?? "",
                projectId: owner?.projectId ?? "",
                branch: owner?.branch ?? "",
              })
          : undefined,
      }),
    );
  }

  return {
    async export(batch: EventBatch): Promise<void> {
      const [first] = batch.events;
      if (first !== undefined) owner ??= first;
      for (const pipeline of pipelines.values()) {
        for (const event of batch.events) pipeline.enqueue(event);
      }
    },

    async flush(options?: FlushOptions): Promise<FlushResult> {
      const results = await Promise.all([...pipelines.values()].map((p) => p.flush(options)));
      return {
        completed: results.every((result) => result.completed),
        pending: results.reduce((sum, result) => sum + result.pending, 0),
      };
    },

    stats: () =>
      Object.fromEntries([...pipelines].map(([name, pipeline]) => [name, pipeline.stats()])),

    async shutdown(options?: ShutdownOptions): Promise<void> {
      await Promise.all([...pipelines.values()].map((pipeline) => pipeline.shutdown(options)));
    },
  };
}
