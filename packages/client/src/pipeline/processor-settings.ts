// The batch processor's options checked and resolved against `PROCESSOR_DEFAULTS`, once, when it
// is created: a bad value throws a `ChaukasValidationError` naming the option.
import { ChaukasValidationError } from "../validation/validation-error.js";
import type { BatchProcessorOptions } from "./batch-processor-options.js";
import { PROCESSOR_DEFAULTS } from "./processor-defaults.js";
import type { RetryPolicy } from "./retry.js";

/** Every limit of a processor, defaults filled in and checked. */
export interface ProcessorSettings {
  readonly maxQueueSize: number;
  readonly truncateWhenFull: boolean;
  readonly maxBatchSize: number;
  readonly maxBatchBytes: number;
  readonly flushIntervalMs: number;
  readonly maxConcurrentExports: number;
  readonly exportTimeoutMs: number;
  readonly retry: RetryPolicy;
}

type LimitName = "maxQueueSize" | "maxBatchSize" | "maxBatchBytes" | "maxConcurrentExports";

/** The settings of `options`; throws `ChaukasValidationError` naming the first bad option. */
export function resolveProcessorSettings(options: BatchProcessorOptions): ProcessorSettings {
  const settings: ProcessorSettings = {
    maxQueueSize: positiveInteger(options, "maxQueueSize"),
    truncateWhenFull: options.truncateWhenFull ?? PROCESSOR_DEFAULTS.truncateWhenFull,
    maxBatchSize: positiveInteger(options, "maxBatchSize"),
    maxBatchBytes: positiveInteger(options, "maxBatchBytes"),
    flushIntervalMs: options.flushIntervalMs ?? PROCESSOR_DEFAULTS.flushIntervalMs,
    maxConcurrentExports: positiveInteger(options, "maxConcurrentExports"),
    // One deadline: the exporter's, set where the call is made (see EventExporter.timeoutMs).
    exportTimeoutMs:
      options.exportTimeoutMs ?? options.exporter.timeoutMs ?? PROCESSOR_DEFAULTS.exportTimeoutMs,
    retry: { ...PROCESSOR_DEFAULTS.retry, ...options.retry },
  };
  const { maxAttempts } = settings.retry;
  if (!(maxAttempts === Infinity || isPositiveInteger(maxAttempts))) {
    throw new ChaukasValidationError(
      "retry.maxAttempts",
      "expected a positive integer or Infinity",
    );
  }
  const { outbox } = options;
  if (outbox !== undefined && typeof outbox?.attach !== "function") {
    throw new ChaukasValidationError(
      "outbox",
      "expected an Outbox: createFileOutbox, createIndexedDbOutbox, or createOutbox(store) from @chaukas/client/outbox",
    );
  }
  return settings;
}

const isPositiveInteger = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 1;

/** The option's value or default; a `ChaukasValidationError` naming it unless a positive integer. */
function positiveInteger(options: BatchProcessorOptions, name: LimitName): number {
  const value = options[name] ?? PROCESSOR_DEFAULTS[name];
  if (!isPositiveInteger(value)) {
    throw new ChaukasValidationError(name, "expected a positive integer");
  }
  return value;
}
