// `@chaukas/client`: the client, its builders' types, options and stats, the Connect exporter,
// trace context and the validation error. Index files only re-export.

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
  type PreEncodedIngestEventBatchRequest,
  PreEncodedIngestEventBatchRequestSchema,
} from "./gen/chaukas/client/v1/pre_encoded_batch_pb.js";
/**
 * @internal What other `@chaukas` packages use of this one's internals (see `internal.ts`): left
 * out of the API reference, and may change in any release.
 */
export {
  assertHeaderValue,
  BATCH_TOO_LARGE_REASON,
  callDeadlineOf,
  checkRequestHeaders,
  createBatchProcessor,
  ERROR_REASON_METADATA_KEY,
  type EventProcessor,
  keepaliveContextKey,
  lossReportEvent,
  type TransportWithDeadline,
  type TransportWithEventEncoder,
  withCallDeadline,
  withEventEncoder,
} from "./internal.js";
// Types only: `createOutbox`, `toStoredBatch` and `fromStoredBatch` are in `@chaukas/client/outbox`.
export type {
  Outbox,
  OutboxClaim,
  OutboxPutResult,
  OutboxStore,
  StoredBatch,
} from "./outbox.js";
export type { BatchProcessorOptions } from "./pipeline/batch-processor-options.js";
export type { DropRank } from "./pipeline/drop-priority.js";
export type {
  FlushOptions,
  FlushResult,
  ShutdownOptions,
} from "./pipeline/event-processor.js";
export type { ChainGap, LossReason, LossRecord } from "./pipeline/loss-ledger.js";
export { LOSS_REPORT_KEY } from "./pipeline/loss-report.js";
export type { PrepareEvent } from "./pipeline/prepare-stage.js";
export { PROCESSOR_DEFAULTS } from "./pipeline/processor-defaults.js";
export { RETRYABLE_CODES, type RetryOptions } from "./pipeline/retry.js";
export type { ChaukasStats, DropCounts, DropReason } from "./pipeline/stats.js";
export { TRUNCATION_KEY, TRUNCATION_LIMITS } from "./pipeline/truncation.js";
export { BAGGAGE_LIMITS, MAX_REMOTE_SESSION_ID_LENGTH } from "./propagation/baggage.js";
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
  checkEventRules,
  type EventContentCase,
  type EventRuleViolation,
} from "./validation/event-content-rules.js";
export { MAX_JSON_DEPTH } from "./validation/struct.js";
export { ChaukasValidationError } from "./validation/validation-error.js";
export { type ConnectExporterOptions, createConnectExporter } from "./wire/connect-exporter.js";
export type { ErrorHook, ExportErrorInfo, ExportErrorReason } from "./wire/export-error.js";
export type { EventExporter, ExportOptions } from "./wire/exporter.js";
export { KEEPALIVE_BUDGET_BYTES, KEEPALIVE_MAX_BATCH_BYTES } from "./wire/keepalive.js";
export {
  createRequestHeaderInterceptors,
  type RequestHeaderOptions,
} from "./wire/request-headers.js";
export { WIRE_PROTOCOLS, type WireProtocol } from "./wire/wire-protocol.js";
