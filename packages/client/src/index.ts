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
export type { ChaukasStats, DropCounts } from "./stats.js";
