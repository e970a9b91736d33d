/** Events each throughput run delivers (after a warm-up of `THROUGHPUT_WARMUP_EVENTS`). */
export const THROUGHPUT_EVENTS = 20_000;
export const THROUGHPUT_WARMUP_EVENTS = 2_000;
/**
 * Events per `IngestEventBatch` for every contender: the SDK's default `maxBatchSize`
 * (PROCESSOR_DEFAULTS), so the baselines send batches of the same size.
 */
export const THROUGHPUT_BATCH_EVENTS = 100;
