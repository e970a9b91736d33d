import { PROCESSOR_DEFAULTS } from "@chaukas/client";
import { NODE_TRANSPORT_DEFAULTS } from "@chaukas/transport-node";

/**
 * Events each throughput run delivers (after a warm-up of `THROUGHPUT_WARMUP_EVENTS`). To profile
 * the steady state: `BENCH_EVENTS=100000 BENCH_WARMUP=20000` (the row's check then shows the
 * counts emitted).
 */
export const THROUGHPUT_EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
export const THROUGHPUT_WARMUP_EVENTS = Number(process.env.BENCH_WARMUP ?? 2_000);

/**
 * How every contender of row 2 delivers: the SDK's defaults, so the hand-written baseline uses
 * the same batch size, the same number of calls in flight and the same compression. Each can be
 * overridden for a measurement (`BENCH_BATCH_SIZE`, `BENCH_CALLS_IN_FLIGHT`, `BENCH_COMPRESSION`,
 * `BENCH_COMPRESS_MIN_BYTES`); every contender of the run then uses the override alike.
 */
export interface DeliverySettings {
  /** Events per `IngestEventBatch` call: `PROCESSOR_DEFAULTS.maxBatchSize`. */
  readonly batchSize: number;
  /** Calls in flight at once: `PROCESSOR_DEFAULTS.maxConcurrentExports`. */
  readonly callsInFlight: number;
  /** `NODE_TRANSPORT_DEFAULTS.compression`. */
  readonly compression: "gzip" | "none";
  /** Smallest request compressed: `NODE_TRANSPORT_DEFAULTS.compressMinBytes`. */
  readonly compressMinBytes: number;
}

const fromEnv = (name: string, fallback: number): number =>
  process.env[name] === undefined ? fallback : Number(process.env[name]);

export const DELIVERY: DeliverySettings = {
  batchSize: fromEnv("BENCH_BATCH_SIZE", PROCESSOR_DEFAULTS.maxBatchSize),
  callsInFlight: fromEnv("BENCH_CALLS_IN_FLIGHT", PROCESSOR_DEFAULTS.maxConcurrentExports),
  compression:
    process.env.BENCH_COMPRESSION === "none" || process.env.BENCH_COMPRESSION === "gzip"
      ? process.env.BENCH_COMPRESSION
      : NODE_TRANSPORT_DEFAULTS.compression,
  compressMinBytes: fromEnv("BENCH_COMPRESS_MIN_BYTES", NODE_TRANSPORT_DEFAULTS.compressMinBytes),
};
