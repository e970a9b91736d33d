export { type BatchAggregates, batchAggregates } from "./batch-aggregates.js";
export {
  type BatchProcessorOptions,
  createBatchProcessor,
  type PrepareEvent,
} from "./batch-processor.js";
export { BATCH_TOO_LARGE_REASON, ERROR_REASON_METADATA_KEY } from "./batch-too-large.js";
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
} from "./builder-types.js";
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
  type ConnectExporterOptions,
  createConnectExporter,
  ingestPreEncodedEventBatch,
} from "./connect-exporter.js";
export type { ContextManager, SpanContext } from "./context-manager.js";
export { DROP_RANK, type DropRank, dropRankOf } from "./drop-priority.js";
export {
  checkBuiltEventRules,
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
export { validateEvent } from "./event-validation.js";
export type { ErrorHook, ExportErrorInfo, ExportErrorReason } from "./export-error.js";
export type { EventExporter, ExportOptions } from "./exporter.js";
export {
  type PreEncodedEventBatch,
  PreEncodedEventBatchSchema,
  type PreEncodedIngestEventBatchRequest,
  PreEncodedIngestEventBatchRequestSchema,
} from "./gen/chaukas/client/v1/pre_encoded_batch_pb.js";
export { newSpanId, newTraceId, uuidv7 } from "./ids.js";
export {
  KEEPALIVE_BUDGET_BYTES,
  KEEPALIVE_MAX_BATCH_BYTES,
  keepaliveContextKey,
} from "./keepalive.js";
export type { ChainGap, LossReason, LossRecord } from "./loss-ledger.js";
export { LOSS_REPORT_KEY, lossReportEvent } from "./loss-report.js";
// Types only: `createOutbox`, `toStoredBatch` and `fromStoredBatch` are in `@chaukas/client/outbox`.
export type {
  Outbox,
  OutboxClaim,
  OutboxPutResult,
  OutboxStore,
  StoredBatch,
} from "./outbox.js";
export { PROCESSOR_DEFAULTS } from "./processor-defaults.js";
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
// Types only: `toQueryFilter`, `verifyChain`/`contentHash` and `redact` are in the subpaths
// `@chaukas/client/query`, `/integrity` and `/redact` (see the README's "Subpath exports").
export type { EventFilter, QueryOrder } from "./query-filter.js";
export {
  assertHeaderName,
  assertHeaderValue,
  createBearerAuthInterceptor,
  createRequestHeaderInterceptors,
  type RequestHeaderOptions,
} from "./request-headers.js";
export { RETRYABLE_CODES, type RetryOptions } from "./retry.js";
export { createStackContextManager } from "./stack-context-manager.js";
export type { ChaukasStats, DropCounts, DropReason } from "./stats.js";
export { MAX_JSON_DEPTH, toJsonObject } from "./struct.js";
export type { TimeInput } from "./time-input.js";
export { formatTraceparent, parseTraceparent, type TraceParent } from "./trace-context.js";
export {
  TRUNCATION_KEY,
  TRUNCATION_LIMITS,
  type TruncatedEvent,
  truncatePayload,
} from "./truncation.js";
export { ChaukasValidationError } from "./validation-error.js";
export { WIRE_PROTOCOLS, type WireProtocol } from "./wire-protocol.js";
