// The processor's interface (OpenTelemetry's SpanProcessor slot) and the options and result of
// flush and shutdown.
import type { Event } from "@chaukas/spec/common/v1";
import type { ChaukasStats } from "./stats.js";

/** Options of `flush()`. */
export interface FlushOptions {
  /** Give up waiting after this long; events stay queued. Default: no limit but retries' own. */
  readonly timeoutMs?: number;
  /** Send with fetch keepalive (page hide/unload); batches shrink to fit the browser budget. */
  readonly keepalive?: boolean;
}

/** Options of `shutdown()`. */
export interface ShutdownOptions {
  /** Flush deadline; after it, pending exports are aborted and counted as failed. Default 5000. */
  readonly timeoutMs?: number;
}

/** What `flush()` and `shutdown()` resolve with: they never reject. */
export interface FlushResult {
  /** True when everything queued before the call was delivered or finally failed in time. */
  readonly completed: boolean;
  /** Events still queued or in flight when the call resolved. */
  readonly pending: number;
}

/**
 * Between the API and the exporter: queueing, batching, retries (OpenTelemetry's
 * SpanProcessor slot). `enqueue` is O(1) and never throws or awaits.
 */
export interface EventProcessor {
  enqueue(event: Event): void;
  flush(options?: FlushOptions): Promise<FlushResult>;
  shutdown(options?: ShutdownOptions): Promise<FlushResult>;
  stats(): ChaukasStats;
}
