export type {
  AgentOptions,
  DataAccessInit,
  EndOptions,
  ErrorInit,
  EventOptions,
  FailOptions,
  HandoffInit,
  JsonInput,
  McpCallResult,
  McpCallStart,
  MessageInit,
  ModelInvocationResult,
  ModelInvocationStart,
  PointEventOptions,
  PolicyDecisionInit,
  RetryInit,
  SessionOptions,
  SpanEndOptions,
  SpanStartOptions,
  SystemInit,
  ToolCallResult,
  ToolCallStart,
} from "./builders/builder-types.js";
export type { ContextManager, SpanContext } from "./builders/context-manager.js";
export { newSpanId, newTraceId, uuidv7 } from "./builders/ids.js";
export { CALLER_SESSION_ID_KEY, type ContinueSessionOptions } from "./builders/scope.js";
export type {
  AgentHandle,
  ChaukasScope,
  ContinuedSessionHandle,
  Endable,
  McpCallHandle,
  ModelInvocationHandle,
  SessionHandle,
  SpanScope,
  ToolCallHandle,
} from "./builders/scope-types.js";
export { createStackContextManager } from "./builders/stack-context-manager.js";
export type { TimeInput } from "./builders/time-input.js";
export {
  type BeforeSendResult,
  type ChaukasClient,
  type ChaukasClientOptions,
  CLIENT_DEFAULTS,
  createChaukasClient,
  type EmitOptions,
  type IntegrityChain,
  type QueryOptions,
  type QueryPage,
  type QueryPageOptions,
} from "./client.js";
export {
  type PreEncodedEventBatch,
  PreEncodedEventBatchSchema,
  type PreEncodedIngestEventBatchRequest,
  PreEncodedIngestEventBatchRequestSchema,
} from "./gen/chaukas/client/v1/pre_encoded_batch_pb.js";
// Types only: `createOutbox`, `toStoredBatch` and `fromStoredBatch` are in `@chaukas/client/outbox`.
export type {
  Outbox,
  OutboxClaim,
  OutboxPutResult,
  OutboxStore,
  StoredBatch,
} from "./outbox.js";
export { createBatchProcessor } from "./pipeline/batch-processor.js";
export type { BatchProcessorOptions } from "./pipeline/batch-processor-options.js";
export { BATCH_TOO_LARGE_REASON, ERROR_REASON_METADATA_KEY } from "./pipeline/batch-too-large.js";
export { DROP_RANK, type DropRank, dropRankOf } from "./pipeline/drop-priority.js";
export type {
  EventProcessor,
  FlushOptions,
  FlushResult,
  ShutdownOptions,
} from "./pipeline/event-processor.js";
export type { ChainGap, LossReason, LossRecord } from "./pipeline/loss-ledger.js";
export { LOSS_REPORT_KEY, lossReportEvent } from "./pipeline/loss-report.js";
export type { PrepareEvent } from "./pipeline/prepare-stage.js";
export { PROCESSOR_DEFAULTS } from "./pipeline/processor-defaults.js";
export { RETRYABLE_CODES, type RetryOptions } from "./pipeline/retry.js";
export type { ChaukasStats, DropCounts, DropReason } from "./pipeline/stats.js";
export {
  TRUNCATION_KEY,
  TRUNCATION_LIMITS,
  type TruncatedEvent,
  truncatePayload,
} from "./pipeline/truncation.js";
export {
  BAGGAGE_LIMITS,
  MAX_REMOTE_SESSION_ID_LENGTH,
  SESSION_BAGGAGE_KEY,
} from "./propagation/baggage.js";
export type { Carrier, HeadersCarrier, RecordCarrier } from "./propagation/carrier.js";
export {
  type ContinueFromRequestOptions,
  type ContinueFromRequestStep,
  continueFromRequest,
  type RequestContinuer,
  type RequestWithHeaders,
} from "./propagation/continue-from-request.js";
export type { RemoteContext } from "./propagation/remote-context.js";
export {
  formatTraceparent,
  parseTraceparent,
  type TraceParent,
} from "./propagation/trace-context.js";
// Types only: `toQueryFilter`, `verifyChain`/`contentHash` and `redact` are in the subpaths
// `@chaukas/client/query`, `/integrity` and `/redact` (see the README's "Subpath exports").
export type { EventFilter, QueryOrder } from "./query-filter.js";
export {
  checkBuiltEventRules,
  checkEventRules,
  EVENT_CONTENT_RULES,
  type EventContentCase,
  type EventRuleViolation,
} from "./validation/event-content-rules.js";
export { validateEvent } from "./validation/event-validation.js";
export { MAX_JSON_DEPTH, toJsonObject } from "./validation/struct.js";
export { ChaukasValidationError } from "./validation/validation-error.js";
export { type BatchAggregates, batchAggregates } from "./wire/batch-aggregates.js";
export {
  callDeadlineOf,
  type TransportWithDeadline,
  withCallDeadline,
} from "./wire/call-deadline.js";
export {
  type ConnectExporterOptions,
  createConnectExporter,
  ingestPreEncodedEventBatch,
} from "./wire/connect-exporter.js";
export type { ErrorHook, ExportErrorInfo, ExportErrorReason } from "./wire/export-error.js";
export type { EventExporter, ExportOptions } from "./wire/exporter.js";
export {
  KEEPALIVE_BUDGET_BYTES,
  KEEPALIVE_MAX_BATCH_BYTES,
  keepaliveContextKey,
} from "./wire/keepalive.js";
export {
  assertHeaderName,
  assertHeaderValue,
  checkRequestHeaders,
  createBearerAuthInterceptor,
  createRequestHeaderInterceptors,
  type RequestHeaderOptions,
} from "./wire/request-headers.js";
export { WIRE_PROTOCOLS, type WireProtocol } from "./wire/wire-protocol.js";
