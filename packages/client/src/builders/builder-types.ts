// The option and content types every builder takes: what a session, agent, model call, tool call
// or point event is given.

import type { MessageInitShape } from "@bufbuild/protobuf";
import type {
  Author,
  CostDetailsSchema,
  InfrastructureMetricsSchema,
  Severity,
} from "@chaukas/spec/common/v1";
import type { TimeInput } from "./time-input.js";

/**
 * A JSON object given by the caller, checked and copied into a `google.protobuf.Struct`
 * field (see `toJsonObject` for what is accepted).
 */
export type JsonInput = { readonly [key: string]: unknown };

/** What every builder accepts besides its own fields. */
export interface EventOptions {
  /** Appended to the client's default `tags`. Default: none. */
  readonly tags?: readonly string[];
  /** Overrides the client's default `branch`. */
  readonly branch?: string;
  /** Free-form JSON for `Event.metadata`. Default: none. */
  readonly metadata?: JsonInput;
  /** Overrides the builder's severity (see the README's builders table). */
  readonly severity?: Severity;
  /** Overrides the builder's author (see the README's builders table). */
  readonly author?: Author;
  /** `Event.pii_categories`, e.g. `["EMAIL"]`. Default: none. */
  readonly piiCategories?: readonly string[];
  /** `Event.invocation_id`: your id for the agent invocation. Default: empty. */
  readonly invocationId?: string;
  /** `Event.response_id`: your id for the response being produced. Default: empty. */
  readonly responseId?: string;
  /** `Event.infrastructure`: where the event was produced. Default: none. */
  readonly infrastructure?: MessageInitShape<typeof InfrastructureMetricsSchema>;
}

/** What a point event (one event, no END) accepts besides its own fields. */
export interface PointEventOptions extends EventOptions {
  /**
   * When it happened: the event's `timestamp` (a `Date`, Unix milliseconds or an RFC 3339
   * string; integrations pass the framework's own times). Default: now.
   */
  readonly time?: TimeInput;
  /** The event's own `span_id`: 16 lowercase hex characters, not all zeros. Default: a new one. */
  readonly spanId?: string;
}

/** What every span start (`startSession`, `agentStart`, `*Start`) accepts. */
export interface SpanStartOptions extends EventOptions {
  /** When the span started: the START's `timestamp`. Default: now. */
  readonly startTime?: TimeInput;
  /**
   * The span's `span_id`, e.g. the framework's own: 16 lowercase hex characters, not all zeros.
   * Default: a new random one.
   */
  readonly spanId?: string;
}

/** What every `end(result)` and `fail(error, options)` accepts. */
export interface SpanEndOptions extends EventOptions {
  /**
   * When the span ended: the END's `timestamp`. The span's duration is `endTime` minus its start
   * time when either was given, else the monotonic clock's. Default: now.
   */
  readonly endTime?: TimeInput;
}

/** `chaukas.startSession(options)`: emits SESSION_START. */
export interface SessionOptions extends SpanStartOptions {
  /** The session id. Default: a new UUIDv7. */
  readonly sessionId?: string;
  /**
   * The session's trace id: 32 lowercase hex characters, not all zeros. Wins over
   * `traceparent`'s. Default: `traceparent`'s, else a new trace.
   */
  readonly traceId?: string;
  /** The agent the session runs as; inherited by every event in the session. Default: empty. */
  readonly agentId?: string;
  /** The agent's display name; inherited like `agentId`. Default: empty. */
  readonly agentName?: string;
  /**
   * A W3C `traceparent` from the caller (an HTTP header): the session continues that trace
   * (`trace_id` = its trace id, `parent_span_id` = its parent id). Invalid values are
   * ignored and a new trace starts, as the W3C spec says. Default: a new trace.
   */
  readonly traceparent?: string;
  /** Initial state, sent as the `state_update` content of SESSION_START. Default: none. */
  readonly state?: JsonInput;
}

/** `scope.agentStart(options)`: emits AGENT_START. */
export interface AgentOptions extends SpanStartOptions {
  /** The agent's id, inherited by every event emitted through the agent handle. */
  readonly agentId: string;
  /** The agent's display name. Default: empty. */
  readonly agentName?: string;
  /** Initial state, sent as the `state_update` content of AGENT_START. Default: none. */
  readonly state?: JsonInput;
}

/** `end(options)` of a session or agent: emits SESSION_END / AGENT_END. */
export interface EndOptions extends SpanEndOptions {
  /** Final state, sent as the `state_update` content. Default: none. */
  readonly state?: JsonInput;
}

/** `scope.modelInvocationStart(input)`: emits MODEL_INVOCATION_START. */
export interface ModelInvocationStart extends SpanStartOptions {
  /** E.g. "openai". */
  readonly provider: string;
  /** E.g. "gpt-4o-mini". */
  readonly model: string;
  /** The request as JSON (messages, parameters). Default: none. */
  readonly request?: JsonInput;
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly topP?: number;
  readonly frequencyPenalty?: number;
  readonly presencePenalty?: number;
}

/** `model.end(result)`: emits MODEL_INVOCATION_END with duration and COMPLETED. */
export interface ModelInvocationResult extends SpanEndOptions {
  /** The response as JSON. Default: none. */
  readonly response?: JsonInput;
  /** Non-negative int32. Default: 0. */
  readonly promptTokens?: number;
  /** Non-negative int32. Default: 0. */
  readonly completionTokens?: number;
  /** Non-negative int32. Default: `promptTokens + completionTokens`. */
  readonly totalTokens?: number;
  /** E.g. "stop", "length". Default: empty. */
  readonly finishReason?: string;
  /** `Event.cost`; `provider` defaults to the invocation's provider. Default: none. */
  readonly cost?: MessageInitShape<typeof CostDetailsSchema>;
}

/** `scope.toolCallStart(input)`: emits TOOL_CALL_START. */
export interface ToolCallStart extends SpanStartOptions {
  /** The tool's name. */
  readonly name: string;
  /** Arguments as JSON. Default: none. */
  readonly arguments?: JsonInput;
  /** Your id for this call (e.g. the model's tool_call id). Default: a new UUIDv7. */
  readonly id?: string;
  /** The function within the tool. Default: empty. */
  readonly functionName?: string;
  /** Default: false. */
  readonly authRequired?: boolean;
}

/** `tool.end(result)`: emits TOOL_CALL_END (tool_response) with execution time. */
export interface ToolCallResult extends SpanEndOptions {
  /** The tool's output as JSON. Default: none. */
  readonly output?: JsonInput;
  /** The HTTP status, when the tool is an HTTP call. Default: 0. */
  readonly httpStatus?: number;
}

/** `scope.mcpCallStart(input)`: emits MCP_CALL_START. */
export interface McpCallStart extends SpanStartOptions {
  readonly serverName: string;
  /** E.g. "tools/call", "resources/read". */
  readonly operation: string;
  /** Default: empty. */
  readonly serverUrl?: string;
  /** Transport method, e.g. "POST". Default: empty. */
  readonly method?: string;
  /** Default: none. */
  readonly request?: JsonInput;
  /** Default: empty. */
  readonly protocolVersion?: string;
}

/** `mcp.end(result)`: emits MCP_CALL_END with execution time. */
export interface McpCallResult extends SpanEndOptions {
  /** Default: none. */
  readonly response?: JsonInput;
}

/** Details for `fail(err, details)` of span handles. */
export interface FailOptions extends SpanEndOptions {
  /** What was produced before the failure (tool output, model response). Default: none. */
  readonly output?: JsonInput;
  /** The HTTP status of a failed tool call. Default: 0. */
  readonly httpStatus?: number;
}

/** `scope.inputReceived(input)` / `scope.outputEmitted(input)`: a message. */
export interface MessageInit extends PointEventOptions {
  readonly text: string;
  /** Default: "user" for input, "assistant" for output. */
  readonly role?: string;
  /** `MessageContent.metadata` (not `Event.metadata`). Default: none. */
  readonly messageMetadata?: JsonInput;
}

/** `scope.retry(input)`: emits RETRY. */
export interface RetryInit extends PointEventOptions {
  /** 1-based attempt number about to be made. */
  readonly attempt: number;
  /** Default: "exponential_backoff". */
  readonly strategy?: string;
  /** How long the caller waits before the attempt. Default: 0. */
  readonly backoffMs?: number;
  /** What failed; sent as the `error` content. Default: none. */
  readonly reason?: unknown;
}

/** `scope.handoff(input)`: emits AGENT_HANDOFF from the scope's agent. */
export interface HandoffInit extends PointEventOptions {
  readonly toAgentId: string;
  /** Default: empty. */
  readonly toAgentName?: string;
  /** Default: empty. */
  readonly reason?: string;
  /** "sequential" | "parallel" | "conditional". Default: empty. */
  readonly handoffType?: string;
  /** What is handed over, as JSON. Default: none. */
  readonly data?: JsonInput;
}

/** `scope.policyDecision(input)`: emits POLICY_DECISION (WARN when the outcome is "deny"). */
export interface PolicyDecisionInit extends PointEventOptions {
  readonly policyId: string;
  /** "allow" | "deny" | "review". */
  readonly outcome: string;
  /** Default: none. */
  readonly ruleIds?: readonly string[];
  /** Default: empty. */
  readonly rationale?: string;
}

/** `scope.dataAccess(input)`: emits DATA_ACCESS. */
export interface DataAccessInit extends PointEventOptions {
  /** E.g. "vector://products". */
  readonly datasource: string;
  /** Default: none. */
  readonly documentIds?: readonly string[];
  /** Default: none. */
  readonly chunkIds?: readonly string[];
  // `piiCategories` (from EventOptions) fills both `data_access.pii_categories` and the
  // event's own `pii_categories`, so a filter on either finds the access.
}

/** An error described without an `Error` object, for `scope.error(...)`. */
export interface ErrorInit {
  readonly message: string;
  /** Default: the error's `code` property, or empty. */
  readonly code?: string | number;
  /** Default: the error's stack, or empty. */
  readonly stack?: string;
  /** Default: false. */
  readonly recoverable?: boolean;
  /** Default: empty. */
  readonly recoveryAction?: string;
}

/** `scope.system(input)`: emits SYSTEM. */
export interface SystemInit extends PointEventOptions {
  /** Sent as a `message` with role "system". Default: none. */
  readonly message?: string;
  /** Sent as `state_update` when there is no message. Default: none. */
  readonly state?: JsonInput;
}
