/** What users hold: the scope every builder hangs off, and the handles of started spans. */

import type {
  AgentOptions,
  DataAccessInit,
  EndOptions,
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
  SystemInit,
  ToolCallResult,
  ToolCallStart,
} from "./builder-types.js";
import type { SpanContext } from "./context-manager.js";

/**
 * The builders available wherever events are emitted: on the client (attached to the
 * active context), on a session, an agent, or a model/tool/MCP span. Events emitted
 * through a scope get its span as `parent_span_id` and inherit its session, trace and
 * agent. Point events return their `event_id`; `*Start` builders return a handle.
 * Invalid input throws `ChaukasValidationError` before anything is queued.
 */
export interface ChaukasScope {
  /** AGENT_START: a child agent span; events through the handle carry its agent id. */
  agentStart(options: AgentOptions): AgentHandle;
  /** MODEL_INVOCATION_START; `end()` emits MODEL_INVOCATION_END on the same span. */
  modelInvocationStart(input: ModelInvocationStart): ModelInvocationHandle;
  /** TOOL_CALL_START; `end()` emits TOOL_CALL_END (tool_response) on the same span. */
  toolCallStart(input: ToolCallStart): ToolCallHandle;
  /** MCP_CALL_START; `end()` emits MCP_CALL_END on the same span. */
  mcpCallStart(input: McpCallStart): McpCallHandle;
  /** INPUT_RECEIVED: a user message (author USER, role "user"). */
  inputReceived(input: MessageInit | string): string;
  /** OUTPUT_EMITTED: an agent message (author AGENT, role "assistant"). */
  outputEmitted(input: MessageInit | string): string;
  /** RETRY with the `retry` attachment and, if `reason` is given, the `error` content. */
  retry(input: RetryInit): string;
  /** AGENT_HANDOFF from this scope's agent to another. */
  handoff(input: HandoffInit): string;
  /** POLICY_DECISION (author SYSTEM; WARN when the outcome is "deny"). */
  policyDecision(input: PolicyDecisionInit): string;
  /** DATA_ACCESS: a retrieval (RAG) or datasource read. */
  dataAccess(input: DataAccessInit): string;
  /** STATE_UPDATE with the given JSON as `state_update`. */
  stateUpdate(state: JsonInput, options?: PointEventOptions): string;
  /** ERROR (status FAILED, severity ERROR) from an `Error`, an `ErrorInit` or any value. */
  error(error: unknown, options?: PointEventOptions): string;
  /** SYSTEM: a system message or state. */
  system(input: SystemInit | string): string;
}

/**
 * A scope bound to one span: a session, an agent, or a model/tool/MCP call. Its methods are
 * functions of the span, not of `this`: they work detached (`promise.then(tool.end)`).
 */
export interface SpanScope extends ChaukasScope {
  /** The ids events emitted through this scope inherit. */
  readonly context: SpanContext;
  readonly sessionId: string;
  /** 32 hex characters (W3C). */
  readonly traceId: string;
  /** 16 hex characters (W3C). */
  readonly spanId: string;
  /** The W3C `traceparent` header value for calls made from this span. */
  traceparent(): string;
  /** Runs `fn` with this span active in the client's context manager. */
  run<T>(fn: () => T): T;
}

/** Ends a span: the first `end()` or `fail()` emits the END event, later calls do nothing. */
export interface Endable<Result> {
  /** True once `end()` or `fail()` has been called. */
  readonly ended: boolean;
  /** Emits the END event with status COMPLETED and the span's duration. */
  end(result?: Result): void;
  /**
   * Emits the END event with status FAILED, severity ERROR and the error's description. It
   * takes what `end()` takes (tokens used, final state), but a partial result goes in `output`.
   */
  fail(error: unknown, options?: FailOptions & Omit<Result, "response">): void;
}

/** Returned by `startSession`; `end()` emits SESSION_END. */
export interface SessionHandle extends SpanScope, Endable<EndOptions> {
  /** The session id (`session_id` of every event in it). */
  readonly id: string;
}

/** Returned by `agentStart`; `end()` emits AGENT_END. */
export interface AgentHandle extends SpanScope, Endable<EndOptions> {
  readonly agentId: string;
  readonly agentName: string;
}

/** Returned by `modelInvocationStart`; `end()` emits MODEL_INVOCATION_END. */
export type ModelInvocationHandle = SpanScope & Endable<ModelInvocationResult>;

/** Returned by `toolCallStart`; `end()` emits TOOL_CALL_END. */
export interface ToolCallHandle extends SpanScope, Endable<ToolCallResult> {
  /** `tool_call.id`, repeated as `tool_response.tool_call_id`. */
  readonly toolCallId: string;
}

/** Returned by `mcpCallStart`; `end()` emits MCP_CALL_END. */
export type McpCallHandle = SpanScope & Endable<McpCallResult>;

/**
 * Returned by `chaukas.continueSession(remote, options)`: the server's side of a caller's
 * session. When the caller's session was `adopted` (the caller is trusted and sent one), events
 * carry the caller's session id and hang under the caller's span, and this side emits no
 * SESSION_START or SESSION_END: `end()` emits nothing, and `fail(error)` records an ERROR. Otherwise
 * it is a session of this side's own, on the caller's trace, and `end()` emits its SESSION_END.
 */
export interface ContinuedSessionHandle extends SessionHandle {
  /** True when the events join the caller's session (see above). */
  readonly adopted: boolean;
}
