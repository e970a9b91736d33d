/**
 * The messages the builders put in an event's content and attachments, one function per
 * message type (see input-checks.ts for how the caller's values are read).
 */

import type { Timestamp } from "@bufbuild/protobuf/wkt";
import {
  type AgentHandoff,
  AgentHandoffSchema,
  type CostDetails,
  CostDetailsSchema,
  type DataAccess,
  DataAccessSchema,
  type ErrorInfo,
  ErrorInfoSchema,
  type Event,
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
  type ToolCall,
  ToolCallSchema,
  type ToolResponse,
  ToolResponseSchema,
} from "@chaukas/spec/common/v1";
import type { FieldPath } from "../validation/field-path.js";
import { toJsonObject } from "../validation/struct.js";
import {
  checked,
  type EveryField,
  given,
  givenJson,
  givenStrings,
  inputOf,
  json,
  requiredString,
  requireString,
} from "./input-checks.js";

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

/** An event's `content` oneof: one of the messages above, or none. */
export type Content = Event["content"];

export const NO_CONTENT: Content = { case: undefined };

/** `message` content. */
export function messageCase(role: unknown, text: unknown, metadata?: unknown): Content {
  return { case: "message", value: messageContent(role, text, metadata) };
}

/** `state_update` content, checked and copied. */
export function stateContent(state: unknown): Content {
  return { case: "stateUpdate", value: toJsonObject(state, "state_update") };
}

/** `state_update` content when a state is given, else none. */
export function optionalState(state: unknown): Content {
  return state === undefined ? NO_CONTENT : stateContent(state);
}
