import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  AgentHandoffSchema,
  Author,
  DataAccessSchema,
  type Event,
  EventStatus,
  EventType,
  LLMInvocationSchema,
  MCPCallSchema,
  MessageContentSchema,
  PolicyDecisionSchema,
  Severity,
  ToolCallSchema,
  ToolResponseSchema,
} from "@chaukas/spec/common/v1";
import type {
  AgentOptions,
  DataAccessInit,
  EndOptions,
  EventOptions,
  FailOptions,
  HandoffInit,
  JsonInput,
  McpCallResult,
  McpCallStart,
  MessageInit,
  ModelInvocationResult,
  ModelInvocationStart,
  PolicyDecisionInit,
  RetryInit,
  SessionOptions,
  SystemInit,
  ToolCallResult,
  ToolCallStart,
} from "./builder-types.js";
import { monotonicMs, timestampFromFractionalMs, wallMs } from "./clock.js";
import type { ContextManager, SpanContext } from "./context-manager.js";
import {
  buildEvent,
  copyStrings,
  type EventDefaults,
  type EventParts,
  errorInfoFrom,
  errorMetadata,
  requireString,
  requireText,
} from "./event-builders.js";
import { newSpanId, newTraceId, uuidv7 } from "./ids.js";
import { toJsonObject, toOptionalJsonObject } from "./struct.js";
import { formatTraceparent } from "./trace-context.js";

/** What scopes need from the client: its defaults, its context manager, its queue. */
export interface ScopeRuntime {
  readonly defaults: EventDefaults;
  readonly contextManager: ContextManager;
  /** Validates a built event (Struct fields already checked) and enqueues it. */
  submit(event: Event): void;
}

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
  stateUpdate(state: JsonInput, options?: EventOptions): string;
  /** ERROR (status FAILED, severity ERROR) from an `Error`, an `ErrorInit` or any value. */
  error(error: unknown, options?: EventOptions): string;
  /** SYSTEM: a system message or state. */
  system(input: SystemInit | string): string;
}

/** A scope bound to one span: a session, an agent, or a model/tool/MCP call. */
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
interface Endable<Result> {
  /** True once `end()` or `fail()` has been called. */
  readonly ended: boolean;
  /** Emits the END event with status COMPLETED and the span's duration. */
  end(result?: Result): void;
  /** Emits the END event with status FAILED, severity ERROR and the error's description. */
  fail(error: unknown, options?: FailOptions): void;
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

/** How a point event is placed: its own span under the scope's span. */
function pointParts(
  context: SpanContext | undefined,
  parts: Omit<EventParts, "spanId" | "parentSpanId">,
): EventParts {
  return { ...parts, spanId: newSpanId(), parentSpanId: context?.spanId ?? "" };
}

function messageInit(input: MessageInit | string): MessageInit {
  return typeof input === "string" ? { text: input } : input;
}

/**
 * The builders, resolving their parent context with `getContext` on every call: a fixed
 * span for handles, the context manager's active span for the client itself.
 */
export function createScope(
  runtime: ScopeRuntime,
  getContext: () => SpanContext | undefined,
): ChaukasScope {
  const emitPoint = (
    parts: Omit<EventParts, "spanId" | "parentSpanId">,
    options: EventOptions | undefined,
  ): string => {
    const context = getContext();
    const event = buildEvent(
      runtime.defaults,
      context ?? detachedContext(),
      pointParts(context, parts),
      options,
      wallMs(),
    );
    runtime.submit(event);
    return event.eventId;
  };

  return {
    agentStart: (options) => startAgent(runtime, getContext(), options),
    modelInvocationStart: (input) => startModelInvocation(runtime, getContext(), input),
    toolCallStart: (input) => startToolCall(runtime, getContext(), input),
    mcpCallStart: (input) => startMcpCall(runtime, getContext(), input),

    inputReceived(input) {
      const init = messageInit(input);
      return emitPoint(
        {
          type: EventType.INPUT_RECEIVED,
          status: EventStatus.COMPLETED,
          severity: Severity.INFO,
          author: Author.USER,
          content: { case: "message", value: messageContent(init, "user") },
        },
        init,
      );
    },

    outputEmitted(input) {
      const init = messageInit(input);
      return emitPoint(
        {
          type: EventType.OUTPUT_EMITTED,
          status: EventStatus.COMPLETED,
          severity: Severity.INFO,
          author: Author.AGENT,
          content: { case: "message", value: messageContent(init, "assistant") },
        },
        init,
      );
    },

    retry(input) {
      return emitPoint(
        {
          type: EventType.RETRY,
          status: EventStatus.IN_PROGRESS,
          severity: Severity.WARN,
          author: Author.AGENT,
          retry: {
            attempt: input.attempt,
            strategy: input.strategy ?? "exponential_backoff",
            backoffMs: input.backoffMs ?? 0,
          },
          content:
            input.reason === undefined
              ? { case: undefined }
              : { case: "error", value: errorInfoFrom(input.reason) },
        },
        input,
      );
    },

    handoff(input) {
      const context = getContext();
      return emitPoint(
        {
          type: EventType.AGENT_HANDOFF,
          status: EventStatus.COMPLETED,
          severity: Severity.INFO,
          author: Author.AGENT,
          content: {
            case: "agentHandoff",
            value: create(AgentHandoffSchema, {
              fromAgentId: context?.agentId ?? "",
              fromAgentName: context?.agentName ?? "",
              toAgentId: requireString(input.toAgentId, "agent_handoff.to_agent_id"),
              toAgentName: input.toAgentName ?? "",
              reason: input.reason ?? "",
              handoffType: input.handoffType ?? "",
              handoffData: toOptionalJsonObject(input.data, "agent_handoff.handoff_data"),
            }),
          },
        },
        input,
      );
    },

    policyDecision(input) {
      return emitPoint(
        {
          type: EventType.POLICY_DECISION,
          status: EventStatus.COMPLETED,
          severity: input.outcome === "deny" ? Severity.WARN : Severity.INFO,
          author: Author.SYSTEM,
          content: {
            case: "policy",
            value: create(PolicyDecisionSchema, {
              policyId: requireString(input.policyId, "policy.policy_id"),
              outcome: requireString(input.outcome, "policy.outcome"),
              ruleIds:
                input.ruleIds === undefined ? [] : copyStrings(input.ruleIds, "policy.rule_ids"),
              rationale: input.rationale ?? "",
            }),
          },
        },
        input,
      );
    },

    dataAccess(input) {
      const pii =
        input.piiCategories === undefined
          ? []
          : copyStrings(input.piiCategories, "data_access.pii_categories");
      return emitPoint(
        {
          type: EventType.DATA_ACCESS,
          status: EventStatus.COMPLETED,
          severity: Severity.INFO,
          author: Author.AGENT,
          content: {
            case: "dataAccess",
            value: create(DataAccessSchema, {
              datasource: requireString(input.datasource, "data_access.datasource"),
              documentIds:
                input.documentIds === undefined
                  ? []
                  : copyStrings(input.documentIds, "data_access.document_ids"),
              chunkIds:
                input.chunkIds === undefined
                  ? []
                  : copyStrings(input.chunkIds, "data_access.chunk_ids"),
              piiCategories: pii,
            }),
          },
        },
        // The event-level pii_categories gets the same list (see DataAccessInit).
        { ...input, piiCategories: pii },
      );
    },

    stateUpdate(state, options) {
      return emitPoint(
        {
          type: EventType.STATE_UPDATE,
          status: EventStatus.COMPLETED,
          severity: Severity.INFO,
          author: Author.AGENT,
          content: { case: "stateUpdate", value: toJsonObject(state, "state_update") },
        },
        options,
      );
    },

    error(error, options) {
      const context = getContext();
      return emitPoint(
        {
          type: EventType.ERROR,
          status: EventStatus.FAILED,
          severity: Severity.ERROR,
          author: context?.agentId ? Author.AGENT : Author.SYSTEM,
          content: { case: "error", value: errorInfoFrom(error) },
        },
        options,
      );
    },

    system(input) {
      const init: SystemInit = typeof input === "string" ? { message: input } : input;
      return emitPoint(
        {
          type: EventType.SYSTEM,
          status: EventStatus.COMPLETED,
          severity: Severity.INFO,
          author: Author.SYSTEM,
          content:
            init.message !== undefined
              ? {
                  case: "message",
                  value: create(MessageContentSchema, { role: "system", text: init.message }),
                }
              : init.state !== undefined
                ? { case: "stateUpdate", value: toJsonObject(init.state, "state_update") }
                : { case: undefined },
        },
        init,
      );
    },
  };
}

function messageContent(init: MessageInit, defaultRole: string) {
  return create(MessageContentSchema, {
    role: init.role ?? defaultRole,
    text: requireText(init.text, "message.text"),
    metadata: toOptionalJsonObject(init.messageMetadata, "message.metadata"),
  });
}

/** Events emitted outside any session get a trace of their own and no session. */
function detachedContext(): SpanContext {
  return { sessionId: "", traceId: newTraceId(), spanId: "" };
}

/** The context of a new span under `parent` (or a detached one). */
function childContext(
  parent: SpanContext | undefined,
  agent?: { agentId: string; agentName: string },
): SpanContext {
  const base = parent ?? detachedContext();
  const agentId = agent?.agentId ?? base.agentId;
  const agentName = agent?.agentName ?? base.agentName;
  return {
    sessionId: base.sessionId,
    traceId: base.traceId,
    spanId: newSpanId(),
    ...(parent?.spanId ? { parentSpanId: parent.spanId } : {}),
    ...(agentId === undefined ? {} : { agentId }),
    ...(agentName === undefined ? {} : { agentName }),
  };
}

/** The span-bound scope: builders under `context`, plus ids, traceparent and run. */
export function createSpanScope(runtime: ScopeRuntime, context: SpanContext): SpanScope {
  return {
    ...createScope(runtime, () => context),
    context,
    sessionId: context.sessionId,
    traceId: context.traceId,
    spanId: context.spanId,
    traceparent: () => formatTraceparent(context),
    run: (fn) => runtime.contextManager.with(context, fn),
  };
}

/** START/END bookkeeping shared by every span handle. */
interface SpanTimer {
  readonly startWallMs: number;
  readonly startMonoMs: number;
}

function startTimer(): SpanTimer {
  return { startWallMs: wallMs(), startMonoMs: monotonicMs() };
}

function elapsedMs(timer: SpanTimer): number {
  return Math.max(0, monotonicMs() - timer.startMonoMs);
}

/** Emits a START/END pair's event on the span's own id, parented like the START. */
function emitOnSpan(
  runtime: ScopeRuntime,
  context: SpanContext,
  parts: Omit<EventParts, "spanId" | "parentSpanId">,
  options: EventOptions | undefined,
  nowMs: number,
): void {
  const event = buildEvent(
    runtime.defaults,
    context,
    { ...parts, spanId: context.spanId, parentSpanId: context.parentSpanId ?? "" },
    options,
    nowMs,
  );
  runtime.submit(event);
}

/**
 * Builds a handle whose END is emitted once. `emitEnd` gets the failure (or undefined) and
 * the caller's options; a second `end()`/`fail()` is ignored, so `finally { x.end() }`
 * after an earlier `fail()` is safe.
 */
function endable<Result extends EventOptions>(
  emitEnd: (result: Result | undefined, failure: { error: unknown } | undefined) => void,
): Endable<Result> {
  let ended = false;
  return {
    get ended() {
      return ended;
    },
    end(result) {
      if (!ended) {
        // Mark only after a successful emit: an invalid result throws and can be retried.
        emitEnd(result, undefined);
        ended = true;
      }
    },
    fail(error, options) {
      if (!ended) {
        emitEnd(options as Result | undefined, { error });
        ended = true;
      }
    },
  };
}

function endStatus(failure: { error: unknown } | undefined) {
  return failure === undefined
    ? { status: EventStatus.COMPLETED, severity: Severity.INFO }
    : { status: EventStatus.FAILED, severity: Severity.ERROR };
}

/** Copies getters (like `ended`) as getters, which object spread would freeze. */
function withEndable<T extends object, R>(target: T, end: Endable<R>): T & Endable<R> {
  return Object.defineProperties(target, {
    ended: { get: () => end.ended, enumerable: true },
    end: { value: end.end, enumerable: true },
    fail: { value: end.fail, enumerable: true },
  }) as T & Endable<R>;
}

/**
 * Starts a session: a new trace (or the caller's, from `traceparent`) whose root span is
 * the session. Exported for the client; users call `chaukas.startSession`.
 */
export function startSessionSpan(
  runtime: ScopeRuntime,
  options: SessionOptions | undefined,
  remote: { traceId: string; parentId: string } | undefined,
): SessionHandle {
  const sessionId = options?.sessionId ?? uuidv7();
  requireString(sessionId, "session_id");
  const context: SpanContext = {
    sessionId,
    traceId: remote?.traceId ?? newTraceId(),
    spanId: newSpanId(),
    ...(remote ? { parentSpanId: remote.parentId } : {}),
    ...(options?.agentId === undefined ? {} : { agentId: options.agentId }),
    ...(options?.agentName === undefined ? {} : { agentName: options.agentName }),
  };
  const timer = startTimer();
  emitOnSpan(
    runtime,
    context,
    {
      type: EventType.SESSION_START,
      status: EventStatus.STARTED,
      severity: Severity.INFO,
      author: Author.SYSTEM,
      content: stateContent(options?.state),
    },
    options,
    timer.startWallMs,
  );
  const end = endable<EndOptions>((result, failure) => {
    emitOnSpan(
      runtime,
      context,
      {
        type: EventType.SESSION_END,
        ...endStatus(failure),
        author: Author.SYSTEM,
        performance: { durationMs: elapsedMs(timer) },
        content: stateContent(result?.state),
        ...(failure ? { metadata: errorMetadata(failure.error) } : {}),
      },
      result,
      wallMs(),
    );
  });
  return withEndable({ ...createSpanScope(runtime, context), id: sessionId }, end);
}

function stateContent(state: JsonInput | undefined): Event["content"] {
  return state === undefined
    ? { case: undefined }
    : { case: "stateUpdate", value: toJsonObject(state, "state_update") };
}

function startAgent(
  runtime: ScopeRuntime,
  parent: SpanContext | undefined,
  options: AgentOptions,
): AgentHandle {
  const agentId = requireString(options?.agentId, "agent_id");
  const agentName = options.agentName ?? "";
  const context = childContext(parent, { agentId, agentName });
  const timer = startTimer();
  emitOnSpan(
    runtime,
    context,
    {
      type: EventType.AGENT_START,
      status: EventStatus.STARTED,
      severity: Severity.INFO,
      author: Author.AGENT,
      content: stateContent(options.state),
    },
    options,
    timer.startWallMs,
  );
  const end = endable<EndOptions>((result, failure) => {
    emitOnSpan(
      runtime,
      context,
      {
        type: EventType.AGENT_END,
        ...endStatus(failure),
        author: Author.AGENT,
        performance: { durationMs: elapsedMs(timer) },
        content: stateContent(result?.state),
        ...(failure ? { metadata: errorMetadata(failure.error) } : {}),
      },
      result,
      wallMs(),
    );
  });
  return withEndable({ ...createSpanScope(runtime, context), agentId, agentName }, end);
}

function startModelInvocation(
  runtime: ScopeRuntime,
  parent: SpanContext | undefined,
  input: ModelInvocationStart,
): ModelInvocationHandle {
  const provider = requireString(input?.provider, "llm_invocation.provider");
  const model = requireString(input.model, "llm_invocation.model");
  const context = childContext(parent);
  const timer = startTimer();
  emitOnSpan(
    runtime,
    context,
    {
      type: EventType.MODEL_INVOCATION_START,
      status: EventStatus.STARTED,
      severity: Severity.INFO,
      author: Author.LLM,
      content: {
        case: "llmInvocation",
        value: create(LLMInvocationSchema, {
          provider,
          model,
          request: toOptionalJsonObject(input.request, "llm_invocation.request"),
          ...definedOnly({
            temperature: input.temperature,
            maxTokens: input.maxTokens,
            topP: input.topP,
            frequencyPenalty: input.frequencyPenalty,
            presencePenalty: input.presencePenalty,
          }),
          startTime: timestampFromMs(timer.startWallMs),
        }),
      },
    },
    input,
    timer.startWallMs,
  );
  const end = endable<ModelInvocationResult & FailOptions>((result, failure) => {
    const durationMs = elapsedMs(timer);
    const promptTokens = result?.promptTokens ?? 0;
    const completionTokens = result?.completionTokens ?? 0;
    const response = failure ? result?.output : result?.response;
    emitOnSpan(
      runtime,
      context,
      {
        type: EventType.MODEL_INVOCATION_END,
        ...endStatus(failure),
        author: Author.LLM,
        content: {
          case: "llmInvocation",
          value: create(LLMInvocationSchema, {
            provider,
            model,
            response: toOptionalJsonObject(response, "llm_invocation.response"),
            promptTokens,
            completionTokens,
            totalTokens: result?.totalTokens ?? sumTokens(promptTokens, completionTokens),
            finishReason: result?.finishReason ?? (failure ? "error" : ""),
            startTime: timestampFromMs(timer.startWallMs),
            endTime: timestampFromFractionalMs(timer.startWallMs + durationMs),
            durationMs,
          }),
        },
        ...(result?.cost ? { cost: { provider, ...result.cost } } : {}),
        ...(failure ? { metadata: errorMetadata(failure.error) } : {}),
      },
      result,
      wallMs(),
    );
  });
  return withEndable(createSpanScope(runtime, context), end);
}

/** Adds only when both are valid numbers; otherwise validation reports the bad field itself. */
function sumTokens(a: unknown, b: unknown): number {
  return typeof a === "number" && typeof b === "number" ? a + b : 0;
}

function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(values) as (keyof T)[]) {
    if (values[key] !== undefined) {
      out[key] = values[key];
    }
  }
  return out;
}

function startToolCall(
  runtime: ScopeRuntime,
  parent: SpanContext | undefined,
  input: ToolCallStart,
): ToolCallHandle {
  const name = requireString(input?.name, "tool_call.name");
  const toolCallId = input.id ?? uuidv7();
  const context = childContext(parent);
  const timer = startTimer();
  emitOnSpan(
    runtime,
    context,
    {
      type: EventType.TOOL_CALL_START,
      status: EventStatus.STARTED,
      severity: Severity.INFO,
      author: Author.AGENT,
      content: {
        case: "toolCall",
        value: create(ToolCallSchema, {
          id: toolCallId,
          name,
          arguments: toOptionalJsonObject(input.arguments, "tool_call.arguments"),
          functionName: input.functionName ?? "",
          authRequired: input.authRequired ?? false,
        }),
      },
    },
    input,
    timer.startWallMs,
  );
  const end = endable<ToolCallResult & FailOptions>((result, failure) => {
    emitOnSpan(
      runtime,
      context,
      {
        type: EventType.TOOL_CALL_END,
        ...endStatus(failure),
        author: Author.TOOL,
        content: {
          case: "toolResponse",
          value: create(ToolResponseSchema, {
            toolCallId,
            output: toOptionalJsonObject(result?.output, "tool_response.output"),
            errorMessage: failure ? errorInfoFrom(failure.error).errorMessage : "",
            executionTimeMs: elapsedMs(timer),
            httpStatus: result?.httpStatus ?? 0,
          }),
        },
      },
      result,
      wallMs(),
    );
  });
  return withEndable({ ...createSpanScope(runtime, context), toolCallId }, end);
}

function startMcpCall(
  runtime: ScopeRuntime,
  parent: SpanContext | undefined,
  input: McpCallStart,
): McpCallHandle {
  const serverName = requireString(input?.serverName, "mcp_call.server_name");
  const operation = requireString(input.operation, "mcp_call.operation");
  const common = {
    serverName,
    serverUrl: input.serverUrl ?? "",
    operation,
    method: input.method ?? "",
    protocolVersion: input.protocolVersion ?? "",
  };
  const context = childContext(parent);
  const timer = startTimer();
  emitOnSpan(
    runtime,
    context,
    {
      type: EventType.MCP_CALL_START,
      status: EventStatus.STARTED,
      severity: Severity.INFO,
      author: Author.AGENT,
      content: {
        case: "mcpCall",
        value: create(MCPCallSchema, {
          ...common,
          request: toOptionalJsonObject(input.request, "mcp_call.request"),
        }),
      },
    },
    input,
    timer.startWallMs,
  );
  const end = endable<McpCallResult & FailOptions>((result, failure) => {
    const response = failure ? result?.output : result?.response;
    emitOnSpan(
      runtime,
      context,
      {
        type: EventType.MCP_CALL_END,
        ...endStatus(failure),
        author: Author.TOOL,
        content: {
          case: "mcpCall",
          value: create(MCPCallSchema, {
            ...common,
            response: toOptionalJsonObject(response, "mcp_call.response"),
            executionTimeMs: elapsedMs(timer),
          }),
        },
        ...(failure ? { metadata: errorMetadata(failure.error) } : {}),
      },
      result,
      wallMs(),
    );
  });
  return withEndable(createSpanScope(runtime, context), end);
}
