export { type BatchAggregates, batchAggregates } from "./batch-aggregates.js";
export {
  type BatchProcessorOptions,
  createBatchProcessor,
  type DropReason,
  type ExportErrorInfo,
  type ExportErrorReason,
} from "./batch-processor.js";
export { type ConnectExporterOptions, createConnectExporter } from "./connect-exporter.js";
export type { ContextManager, SpanContext } from "./context-manager.js";
export {
  checkEventRules,
  EVENT_CONTENT_RULES,
  type EventContentCase,
  type EventRuleViolation,
} from "./event-content-rules.js";
export type {
  EventProcessor,
  FlushOptions,
  FlushResult,
  ShutdownOptions,
} from "./event-processor.js";
export type { EventExporter, ExportOptions } from "./exporter.js";
export { KEEPALIVE_MAX_BATCH_BYTES, keepaliveContextKey } from "./keepalive.js";
export { PROCESSOR_DEFAULTS } from "./processor-defaults.js";
export {
  BATCH_TOO_LARGE_REASON,
  ERROR_REASON_HEADER,
  RETRYABLE_CODES,
  type RetryOptions,
} from "./retry.js";
export type { ChaukasStats, DropCounts } from "./stats.js";
