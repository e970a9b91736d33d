// The batch processor's defaults, written once: code reads them here, and a test holds the doc
// comments and READMEs to them (test/defaults-documented.test.ts).
/**
 * Every default of the batch processor in one place. The README and the JSDoc of
 * `BatchProcessorOptions` state them too, held to these values by a test.
 */
export const PROCESSOR_DEFAULTS = {
  /** Events the processor holds at most (queued + being prepared + in flight). */
  maxQueueSize: 10_000,
  /** Truncate a payload before an event is dropped when the queue is full. */
  truncateWhenFull: true,
  /**
   * Events per `IngestEventBatch` call at most. Each call costs the client a fixed amount of CPU
   * (connect, HTTP/2, the batch's own fields), so larger batches cost less per event, but a batch
   * is prepared in one synchronous step: 256 took ~30% less client CPU per event than 100 and
   * nearly as little as 512, whose longer steps showed as event-loop stalls (README, "Why these
   * delivery defaults"). `maxBatchBytes` still caps a batch of large events.
   */
  maxBatchSize: 256,
  /** Encoded bytes of one `IngestEventBatchRequest` at most (256 KiB). */
  maxBatchBytes: 256 * 1024,
  /** How long an event may wait for a batch to fill up. */
  flushIntervalMs: 1000,
  /** Exports running at once (each one holds its slot through its retries). */
  maxConcurrentExports: 1,
  /**
   * Deadline of one export attempt for an exporter that sets none (`EventExporter.timeoutMs`); a
   * late attempt is aborted and retried as DeadlineExceeded.
   */
  exportTimeoutMs: 10_000,
  /** Deadline of `shutdown()`. */
  shutdownTimeoutMs: 5000,
  retry: {
    /**
     * Attempts per batch, the first one included. Unlimited: the budget of a batch is time
     * (`maxElapsedMs`), because full-jitter delays may be short by chance and a fixed count
     * of them could run out before an ordinary outage of a few seconds ends.
     */
    maxAttempts: Infinity,
    /** Upper bound of the first retry's delay. */
    initialBackoffMs: 200,
    /** Upper bound of any retry's delay (a server's pushback may exceed it). */
    maxBackoffMs: 5000,
    /** Growth of the delay bound per retry. */
    multiplier: 2,
    /** No retry starts later than this after a batch's first attempt. */
    maxElapsedMs: 60_000,
  },
} as const;
