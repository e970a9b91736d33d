import type { DescField, JsonObject } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import {
  type AgentHandoff,
  AgentHandoffSchema,
  type Author,
  type CostDetails,
  CostDetailsSchema,
  type DataAccess,
  DataAccessSchema,
  type ErrorInfo,
  ErrorInfoSchema,
  type Event,
  EventSchema,
  EventStatus,
  type EventType,
  type InfrastructureMetrics,
  InfrastructureMetricsSchema,
  type LLMInvocation,
  LLMInvocationSchema,
  type MCPCall,
  MCPCallSchema,
  type MessageContent,
  MessageContentSchema,
  type PerformanceMetrics,
  PerformanceMetricsSchema,
  type PolicyDecision,
  PolicyDecisionSchema,
  type RetryInfo,
  RetryInfoSchema,
  Severity,
  type ToolCall,
  ToolCallSchema,
  type ToolResponse,
  ToolResponseSchema,
} from "@chaukas/spec/common/v1";
import type { EventOptions } from "./builder-types.js";
import { timestampAt } from "./clock.js";
import type { SpanContext } from "./context-manager.js";
import { checkField } from "./event-validation.js";
import { uuidv7 } from "./ids.js";
import { jsonObject, toOptionalJsonObject } from "./struct.js";
import { ChaukasValidationError, type FieldPath } from "./validation-error.js";

/** What the client stamps on every event it builds. */
export interface EventDefaults {
  readonly tenantId: string;
  readonly projectId: string;
  readonly branch: string;
  readonly tags: readonly string[];
}

/** What some builders attach besides the content (messages made by the functions below). */
export interface EventAttachments {
  readonly retry?: RetryInfo | undefined;
  readonly performance?: PerformanceMetrics | undefined;
  readonly cost?: CostDetails | undefined;
  /** Merged under the caller's `metadata` (the caller's keys win). */
  readonly metadata?: JsonObject | undefined;
}

/**
 * Assembles an event on `context`'s span (its `span_id`, `parent_span_id`, session, trace
 * and agent) from the builder's type, author, content and attachments and the caller's
 * options. Whatever the caller gives is checked here, where it is read (the options and the
 * context's agent with `checkField`, JSON and string lists copied with paths like
 * `metadata.x`); the content and attachments were checked as they were made (below). So the built event
 * is not walked again: `validateBuiltEvent` only checks the rules between its fields.
 */
export function buildEvent(
  defaults: EventDefaults,
  context: SpanContext,
  type: EventType,
  author: Author,
  content: Event["content"],
  options: EventOptions | undefined,
  severity: Severity = Severity.INFO,
  status: EventStatus = EventStatus.COMPLETED,
  attachments: EventAttachments = {},
  nowMs: number = Date.now(),
): Event {
  const metadata = toOptionalJsonObject(options?.metadata, "metadata");
  // A literal with every field of Event, in `create(EventSchema)`'s order, rather than `create`
  // copying an init object field by field (see bench/README.md, History). `satisfies` makes a
  // field added to the proto a compile error here.
  return {
    $typeName: EventSchema.typeName,
    eventId: uuidv7(nowMs),
    tenantId: defaults.tenantId,
    projectId: defaults.projectId,
    sessionId: context.sessionId,
    spanId: context.spanId,
    parentSpanId: context.parentSpanId ?? "",
    type,
    severity: given(EVENT.severity, options?.severity, severity, EVENT_PATH),
    status,
    author: given(EVENT.author, options?.author, author, EVENT_PATH),
    timestamp: timestampAt(nowMs),
    agentId: given(EVENT.agentId, context.agentId, "", EVENT_PATH),
    agentName: given(EVENT.agentName, context.agentName, "", EVENT_PATH),
    invocationId: given(EVENT.invocationId, options?.invocationId, "", EVENT_PATH),
    responseId: given(EVENT.responseId, options?.responseId, "", EVENT_PATH),
    isPartial: false,
    isFinal: false,
    hashPrev: "",
    contentHash: "",
    wormProofId: "",
    branch: given(EVENT.branch, options?.branch, defaults.branch, EVENT_PATH),
    tags: [...defaults.tags, ...copyStrings(options?.tags, "tags")],
    traceId: context.traceId,
    content,
    retry: attachments.retry,
    redaction: undefined,
    piiCategories: copyStrings(options?.piiCategories, "pii_categories"),
    performance: attachments.performance,
    infrastructure:
      options?.infrastructure == null ? undefined : infrastructureMetrics(options.infrastructure),
    cost: attachments.cost,
    metadata: attachments.metadata ? { ...attachments.metadata, ...metadata } : metadata,
    extensions: [],
  } satisfies EveryField<Event> as Event;
}

/** Event's fields by their protobuf-es names (`EVENT.severity`). */
const EVENT = EventSchema.field;
const EVENT_PATH: FieldPath = [];

/** Checks a list of strings given by the caller and copies it; `undefined` is an empty list. */
export function copyStrings(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new ChaukasValidationError(field, "expected an array of strings");
  }
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== "string") requireString(value[i], `${field}[${i}]`, true);
  }
  return [...(value as string[])];
}

/** Rejects a required string that is not a string, or is empty unless `emptyOk`. */
export function requireString(value: unknown, field: string, emptyOk?: boolean): string {
  if (typeof value !== "string" || !(value || emptyOk)) {
    throw new ChaukasValidationError(field, `expected a ${emptyOk ? "" : "non-empty "}string`);
  }
  return value;
}

/*
 * The messages the builders put in an event's content and attachments, one function per
 * message type, each an object literal with `$typeName` and every field (as the Event in
 * `buildEvent`) whose values are checked where they are read, as `validateEvent` checks them
 * (`checkField`, by the field's descriptor), with errors naming the proto path
 * (`tool_call.arguments.q`). Code that copies fields under computed names (`create`, or one
 * generic maker over the descriptor) goes through V8's slowest property accesses: ~0.4 µs
 * more per message here (bench/README.md, History).
 *
 * `input` is the caller's object (a non-object counts as empty); as `create` read it, every
 * field the builder does not set itself comes from it, and a `null` there means "not set". A
 * value the builder passes is checked as it is, `null` included. `at` is the path of the
 * message: its one Event field name (`["tool_call"]`).
 */

/** Every field of message `M` (a field added to the proto is a compile error). */
type EveryField<M> = { [K in Exclude<keyof M, "$unknown">]-?: unknown };

/** A caller's input: its own properties, read by name. */
type Input = { readonly [key: string]: unknown };
const NO_INPUT: Input = Object.freeze({});

/** A string counts as empty, never as an object of its characters. */
function inputOf(input: unknown): Input {
  return ((typeof input === "object" && input) || NO_INPUT) as Input;
}

/**
 * A scalar from the caller: `zero` (the builder's default) when not given (`undefined` or
 * `null`), else checked.
 */
function given<T>(field: DescField, value: unknown, zero: T, at: FieldPath): T {
  return value == null ? zero : (checkField(field, value, at) as T);
}

/** A value the builder passes, checked as it is. */
function checked<T>(field: DescField, value: T, at: FieldPath): T {
  return checkField(field, value, at) as T;
}

/** A required string from the caller: non-empty (`tool_call.name`). */
function requiredString(field: DescField, value: unknown, at: FieldPath): string {
  return typeof value === "string" && value !== ""
    ? value
    : requireString(value, `${at[0]}.${field.name}`);
}

/** A Struct: checked and copied (`toJsonObject`); `undefined` is not set. */
function json(field: DescField, value: unknown, at: FieldPath): JsonObject | undefined {
  return value === undefined ? undefined : jsonObject(value, [at[0]!, field.name]);
}

/** A Struct from the caller, where `null` is not set too. */
function givenJson(field: DescField, value: unknown, at: FieldPath): JsonObject | undefined {
  return json(field, value ?? undefined, at);
}

/** A list of strings from the caller, copied; `undefined` and `null` are an empty list. */
function givenStrings(field: DescField, value: unknown, at: FieldPath): string[] {
  return copyStrings(value ?? undefined, `${at[0]}.${field.name}`);
}

const MESSAGE = MessageContentSchema.field;
const MESSAGE_AT: FieldPath = ["message"];

/** `message` content: a role, a text (may be empty) and its own metadata. */
export function messageContent(role: unknown, text: unknown, metadata: unknown): MessageContent {
  const at = MESSAGE_AT;
  return {
    $typeName: MessageContentSchema.typeName,
    role: checked(MESSAGE.role, role as string, at),
    text: requireString(text, "message.text", true),
    metadata: json(MESSAGE.metadata, metadata, at),
  } satisfies EveryField<MessageContent>;
}

const TOOL_CALL = ToolCallSchema.field;
const TOOL_CALL_AT: FieldPath = ["tool_call"];

/** TOOL_CALL_START's `tool_call`, with the call's `id`. */
export function toolCall(input: unknown, id: string): ToolCall {
  const from = inputOf(input);
  const at = TOOL_CALL_AT;
  return {
    $typeName: ToolCallSchema.typeName,
    id: checked(TOOL_CALL.id, id, at),
    name: requiredString(TOOL_CALL.name, from.name, at),
    arguments: givenJson(TOOL_CALL.arguments, from.arguments, at),
    authRequired: given(TOOL_CALL.authRequired, from.authRequired, false, at),
    functionName: given(TOOL_CALL.functionName, from.functionName, "", at),
  } satisfies EveryField<ToolCall>;
}

const TOOL_RESPONSE = ToolResponseSchema.field;
const TOOL_RESPONSE_AT: FieldPath = ["tool_response"];

/** TOOL_CALL_END's `tool_response` to call `toolCallId`: the caller's output and HTTP status. */
export function toolResponse(
  input: unknown,
  toolCallId: string,
  errorMessage: string,
  executionTimeMs: number,
): ToolResponse {
  const from = inputOf(input);
  const at = TOOL_RESPONSE_AT;
  return {
    $typeName: ToolResponseSchema.typeName,
    toolCallId: checked(TOOL_RESPONSE.toolCallId, toolCallId, at),
    output: givenJson(TOOL_RESPONSE.output, from.output, at),
    errorMessage: checked(TOOL_RESPONSE.errorMessage, errorMessage, at),
    executionTimeMs: checked(TOOL_RESPONSE.executionTimeMs, executionTimeMs, at),
    httpStatus: given(TOOL_RESPONSE.httpStatus, from.httpStatus, 0, at),
  } satisfies EveryField<ToolResponse>;
}

const LLM = LLMInvocationSchema.field;
const LLM_AT: FieldPath = ["llm_invocation"];

/** MODEL_INVOCATION_START's `llm_invocation`: the caller's fields and the start time. */
export function llmInvocationStarted(input: unknown, startTime: Timestamp): LLMInvocation {
  const from = inputOf(input);
  const at = LLM_AT;
  return {
    $typeName: LLMInvocationSchema.typeName,
    provider: requiredString(LLM.provider, from.provider, at),
    model: requiredString(LLM.model, from.model, at),
    request: givenJson(LLM.request, from.request, at),
    response: givenJson(LLM.response, from.response, at),
    promptTokens: given(LLM.promptTokens, from.promptTokens, 0, at),
    completionTokens: given(LLM.completionTokens, from.completionTokens, 0, at),
    totalTokens: given(LLM.totalTokens, from.totalTokens, 0, at),
    temperature: given(LLM.temperature, from.temperature, 0, at),
    maxTokens: given(LLM.maxTokens, from.maxTokens, 0, at),
    topP: given(LLM.topP, from.topP, 0, at),
    frequencyPenalty: given(LLM.frequencyPenalty, from.frequencyPenalty, 0, at),
    presencePenalty: given(LLM.presencePenalty, from.presencePenalty, 0, at),
    startTime: checked(LLM.startTime, startTime, at),
    endTime: given<Timestamp | undefined>(LLM.endTime, from.endTime, undefined, at),
    durationMs: given(LLM.durationMs, from.durationMs, 0, at),
    finishReason: given(LLM.finishReason, from.finishReason, "", at),
  } satisfies EveryField<LLMInvocation>;
}

/** What MODEL_INVOCATION_END's builder sets itself; the rest comes from the caller's result. */
export interface LlmInvocationEnding {
  readonly provider: string;
  readonly model: string;
  readonly response: unknown;
  readonly totalTokens: unknown;
  readonly finishReason: unknown;
  readonly startTime: Timestamp | undefined;
  readonly endTime: Timestamp;
  readonly durationMs: number;
}

/** MODEL_INVOCATION_END's `llm_invocation`. */
export function llmInvocationEnded(input: unknown, end: LlmInvocationEnding): LLMInvocation {
  const from = inputOf(input);
  const at = LLM_AT;
  return {
    $typeName: LLMInvocationSchema.typeName,
    provider: checked(LLM.provider, end.provider, at),
    model: checked(LLM.model, end.model, at),
    request: givenJson(LLM.request, from.request, at),
    response: json(LLM.response, end.response, at),
    promptTokens: given(LLM.promptTokens, from.promptTokens, 0, at),
    completionTokens: given(LLM.completionTokens, from.completionTokens, 0, at),
    totalTokens: checked(LLM.totalTokens, end.totalTokens as number, at),
    temperature: given(LLM.temperature, from.temperature, 0, at),
    maxTokens: given(LLM.maxTokens, from.maxTokens, 0, at),
    topP: given(LLM.topP, from.topP, 0, at),
    frequencyPenalty: given(LLM.frequencyPenalty, from.frequencyPenalty, 0, at),
    presencePenalty: given(LLM.presencePenalty, from.presencePenalty, 0, at),
    startTime: checked(LLM.startTime, end.startTime, at),
    endTime: checked(LLM.endTime, end.endTime, at),
    durationMs: checked(LLM.durationMs, end.durationMs, at),
    finishReason: checked(LLM.finishReason, end.finishReason as string, at),
  } satisfies EveryField<LLMInvocation>;
}

const MCP = MCPCallSchema.field;
const MCP_AT: FieldPath = ["mcp_call"];

/** MCP_CALL_START's `mcp_call`, all from the caller. */
export function mcpCallStarted(input: unknown): MCPCall {
  const from = inputOf(input);
  const at = MCP_AT;
  return {
    $typeName: MCPCallSchema.typeName,
    serverName: requiredString(MCP.serverName, from.serverName, at),
    serverUrl: given(MCP.serverUrl, from.serverUrl, "", at),
    operation: requiredString(MCP.operation, from.operation, at),
    method: given(MCP.method, from.method, "", at),
    request: givenJson(MCP.request, from.request, at),
    response: givenJson(MCP.response, from.response, at),
    protocolVersion: given(MCP.protocolVersion, from.protocolVersion, "", at),
    executionTimeMs: given(MCP.executionTimeMs, from.executionTimeMs, 0, at),
  } satisfies EveryField<MCPCall>;
}

/** MCP_CALL_END's `mcp_call`: the START's call without its request, with the response. */
export function mcpCallEnded(start: MCPCall, response: unknown, executionTimeMs: number): MCPCall {
  const at = MCP_AT;
  return {
    $typeName: MCPCallSchema.typeName,
    serverName: given(MCP.serverName, start.serverName, "", at),
    serverUrl: given(MCP.serverUrl, start.serverUrl, "", at),
    operation: given(MCP.operation, start.operation, "", at),
    method: given(MCP.method, start.method, "", at),
    request: undefined,
    response: json(MCP.response, response, at),
    protocolVersion: given(MCP.protocolVersion, start.protocolVersion, "", at),
    executionTimeMs: checked(MCP.executionTimeMs, executionTimeMs, at),
  } satisfies EveryField<MCPCall>;
}

const ERROR = ErrorInfoSchema.field;
const ERROR_AT: FieldPath = ["error"];

/** `error` content, from the fields `errorInfoFrom` found. */
export function errorInfo(
  errorMessage: string,
  errorCode: string,
  stackTrace: string,
  recoverable: boolean,
  recoveryAction: string,
): ErrorInfo {
  const at = ERROR_AT;
  return {
    $typeName: ErrorInfoSchema.typeName,
    errorMessage: checked(ERROR.errorMessage, errorMessage, at),
    errorCode: checked(ERROR.errorCode, errorCode, at),
    stackTrace: checked(ERROR.stackTrace, stackTrace, at),
    recoverable: checked(ERROR.recoverable, recoverable, at),
    recoveryAction: checked(ERROR.recoveryAction, recoveryAction, at),
  } satisfies EveryField<ErrorInfo>;
}

const HANDOFF = AgentHandoffSchema.field;
const HANDOFF_AT: FieldPath = ["agent_handoff"];

/** AGENT_HANDOFF's `agent_handoff` from the scope's agent, with the data handed over. */
export function agentHandoff(
  input: unknown,
  fromAgentId: string,
  fromAgentName: string,
  handoffData: unknown,
): AgentHandoff {
  const from = inputOf(input);
  const at = HANDOFF_AT;
  return {
    $typeName: AgentHandoffSchema.typeName,
    fromAgentId: checked(HANDOFF.fromAgentId, fromAgentId, at),
    fromAgentName: checked(HANDOFF.fromAgentName, fromAgentName, at),
    toAgentId: requiredString(HANDOFF.toAgentId, from.toAgentId, at),
    toAgentName: given(HANDOFF.toAgentName, from.toAgentName, "", at),
    handoffData: json(HANDOFF.handoffData, handoffData, at),
    reason: given(HANDOFF.reason, from.reason, "", at),
    handoffType: given(HANDOFF.handoffType, from.handoffType, "", at),
  } satisfies EveryField<AgentHandoff>;
}

const POLICY = PolicyDecisionSchema.field;
const POLICY_AT: FieldPath = ["policy"];

/** POLICY_DECISION's `policy`, all from the caller. */
export function policyDecision(input: unknown): PolicyDecision {
  const from = inputOf(input);
  const at = POLICY_AT;
  return {
    $typeName: PolicyDecisionSchema.typeName,
    policyId: requiredString(POLICY.policyId, from.policyId, at),
    outcome: requiredString(POLICY.outcome, from.outcome, at),
    ruleIds: givenStrings(POLICY.ruleIds, from.ruleIds, at),
    rationale: given(POLICY.rationale, from.rationale, "", at),
  } satisfies EveryField<PolicyDecision>;
}

const DATA_ACCESS = DataAccessSchema.field;
const DATA_ACCESS_AT: FieldPath = ["data_access"];

/** DATA_ACCESS's `data_access`, all from the caller. */
export function dataAccess(input: unknown): DataAccess {
  const from = inputOf(input);
  const at = DATA_ACCESS_AT;
  return {
    $typeName: DataAccessSchema.typeName,
    datasource: requiredString(DATA_ACCESS.datasource, from.datasource, at),
    documentIds: givenStrings(DATA_ACCESS.documentIds, from.documentIds, at),
    chunkIds: givenStrings(DATA_ACCESS.chunkIds, from.chunkIds, at),
    piiCategories: givenStrings(DATA_ACCESS.piiCategories, from.piiCategories, at),
  } satisfies EveryField<DataAccess>;
}

const RETRY = RetryInfoSchema.field;
const RETRY_AT: FieldPath = ["retry"];

/** RETRY's `retry` attachment: the caller's attempt and backoff, and the strategy. */
export function retryInfo(input: unknown, strategy: string): RetryInfo {
  const from = inputOf(input);
  const at = RETRY_AT;
  return {
    $typeName: RetryInfoSchema.typeName,
    attempt: given(RETRY.attempt, from.attempt, 0, at),
    strategy: checked(RETRY.strategy, strategy, at),
    backoffMs: given(RETRY.backoffMs, from.backoffMs, 0, at),
  } satisfies EveryField<RetryInfo>;
}

const PERFORMANCE = PerformanceMetricsSchema.field;
const PERFORMANCE_AT: FieldPath = ["performance"];

/** The `performance` attachment of SESSION_END and AGENT_END: the span's duration. */
export function performanceMetrics(durationMs: number): PerformanceMetrics {
  return {
    $typeName: PerformanceMetricsSchema.typeName,
    cpuPercent: 0,
    memoryMb: 0,
    durationMs: checked(PERFORMANCE.durationMs, durationMs, PERFORMANCE_AT),
    throughput: 0,
    latencyMs: 0,
  } satisfies EveryField<PerformanceMetrics>;
}

const COST = CostDetailsSchema.field;
const COST_AT: FieldPath = ["cost"];

/** The `cost` attachment of MODEL_INVOCATION_END, from the caller, with its provider. */
export function costDetails(input: unknown, provider: unknown): CostDetails {
  const from = inputOf(input);
  const at = COST_AT;
  return {
    $typeName: CostDetailsSchema.typeName,
    provider: checked(COST.provider, provider as string, at),
    service: given(COST.service, from.service, "", at),
    inputTokens: given(COST.inputTokens, from.inputTokens, 0, at),
    outputTokens: given(COST.outputTokens, from.outputTokens, 0, at),
    totalTokens: given(COST.totalTokens, from.totalTokens, 0, at),
    inputCost: given(COST.inputCost, from.inputCost, 0, at),
    outputCost: given(COST.outputCost, from.outputCost, 0, at),
    totalCost: given(COST.totalCost, from.totalCost, 0, at),
    currency: given(COST.currency, from.currency, "", at),
    inputRatePerToken: given(COST.inputRatePerToken, from.inputRatePerToken, 0, at),
    outputRatePerToken: given(COST.outputRatePerToken, from.outputRatePerToken, 0, at),
  } satisfies EveryField<CostDetails>;
}

const INFRASTRUCTURE = InfrastructureMetricsSchema.field;
const INFRASTRUCTURE_AT: FieldPath = ["infrastructure"];

/** The `infrastructure` of any event, all from the caller's options. */
export function infrastructureMetrics(input: unknown): InfrastructureMetrics {
  const from = inputOf(input);
  const at = INFRASTRUCTURE_AT;
  return {
    $typeName: InfrastructureMetricsSchema.typeName,
    resourceType: given(INFRASTRUCTURE.resourceType, from.resourceType, "", at),
    metrics: givenJson(INFRASTRUCTURE.metrics, from.metrics, at),
    host: given(INFRASTRUCTURE.host, from.host, "", at),
    processId: given(INFRASTRUCTURE.processId, from.processId, 0, at),
    threadId: given(INFRASTRUCTURE.threadId, from.threadId, "", at),
  } satisfies EveryField<InfrastructureMetrics>;
}

/**
 * Describes anything thrown as an `ErrorInfo`. An `Error` or a plain `{ message, code, stack,
 * recoverable, recoveryAction }` object gives those fields (an `Error` without a message its
 * name, a code only when a string or number); anything else is converted with `String()`.
 */
export function errorInfoFrom(error: unknown): ErrorInfo {
  // Anything but an object is its own message; so is an object without one ("[object Object]").
  const {
    message = error,
    code,
    stack,
    recoverable,
    recoveryAction,
  } = ((typeof error === "object" && error) || {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  return errorInfo(
    message === "" && error instanceof Error ? error.name : String(message),
    typeof code === "number" ? String(code) : text(code),
    text(stack),
    recoverable === true,
    text(recoveryAction),
  );
}

/** The `metadata.error` entry of a failed span's END event. */
export function errorMetadata(error: unknown): JsonObject {
  const { errorMessage: message, errorCode: code } = errorInfoFrom(error);
  return { error: code ? { message, code } : { message } };
}
