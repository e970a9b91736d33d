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

type Parent = SpanContext | undefined;
type Parts = Omit<EventParts, "spanId" | "parentSpanId">;

function messageInit(input: MessageInit | string): MessageInit {
  return typeof input === "string" ? { text: input } : (input ?? ({} as MessageInit));
}

/** A point event: its own span under the parent's span. */
function emitPoint(
  runtime: ScopeRuntime,
  parent: Parent,
  parts: Parts,
  options: EventOptions | undefined,
): string {
  const event = buildEvent(
    runtime.defaults,
    parent ?? detachedContext(),
    parts,
    newSpanId(),
    parent?.spanId ?? "",
    options,
    wallMs(),
  );
  runtime.submit(event);
  return event.eventId;
}

/** An event of a START/END pair: on the span's own id, parented like the START. */
function emitOnSpan(
  runtime: ScopeRuntime,
  context: SpanContext,
  parts: Parts,
  options: EventOptions | undefined,
  nowMs: number,
): void {
  runtime.submit(
    buildEvent(
      runtime.defaults,
      context,
      parts,
      context.spanId,
      context.parentSpanId ?? "",
      options,
      nowMs,
    ),
  );
}

function point(
  type: EventType,
  author: Author,
  content: Event["content"],
  severity: Severity = Severity.INFO,
  status: EventStatus = EventStatus.COMPLETED,
): Parts {
  return { type, status, severity, author, content };
}

/** The START event of a span. */
function started(type: EventType, author: Author, content: Event["content"]): Parts {
  return point(type, author, content, Severity.INFO, EventStatus.STARTED);
}

const NO_CONTENT: Event["content"] = { case: undefined };

/**
 * Every builder as a function of the runtime and the parent span: shared by the client
 * (parent = the active span) and by every handle (parent = its own span), so a handle
 * carries data, not closures.
 */
const BUILDERS = {
  agentStart: startAgent,
  modelInvocationStart: startModelInvocation,
  toolCallStart: startToolCall,
  mcpCallStart: startMcpCall,

  inputReceived(runtime: ScopeRuntime, parent: Parent, input: MessageInit | string): string {
    const init = messageInit(input);
    const content = { case: "message", value: messageContent(init, "user") } as const;
    return emitPoint(runtime, parent, point(EventType.INPUT_RECEIVED, Author.USER, content), init);
  },

  outputEmitted(runtime: ScopeRuntime, parent: Parent, input: MessageInit | string): string {
    const init = messageInit(input);
    const content = { case: "message", value: messageContent(init, "assistant") } as const;
    return emitPoint(runtime, parent, point(EventType.OUTPUT_EMITTED, Author.AGENT, content), init);
  },

  retry(runtime: ScopeRuntime, parent: Parent, input: RetryInit): string {
    const init = input ?? ({} as RetryInit);
    const content: Event["content"] =
      init.reason === undefined ? NO_CONTENT : { case: "error", value: errorInfoFrom(init.reason) };
    return emitPoint(
      runtime,
      parent,
      {
        ...point(EventType.RETRY, Author.AGENT, content, Severity.WARN, EventStatus.IN_PROGRESS),
        retry: {
          attempt: init.attempt,
          strategy: init.strategy ?? "exponential_backoff",
          backoffMs: init.backoffMs ?? 0,
        },
      },
      init,
    );
  },

  handoff(runtime: ScopeRuntime, parent: Parent, input: HandoffInit): string {
    const init = input ?? ({} as HandoffInit);
    const value = create(AgentHandoffSchema, {
      fromAgentId: parent?.agentId ?? "",
      fromAgentName: parent?.agentName ?? "",
      toAgentId: requireString(init.toAgentId, "agent_handoff.to_agent_id"),
      toAgentName: init.toAgentName ?? "",
      reason: init.reason ?? "",
      handoffType: init.handoffType ?? "",
      handoffData: toOptionalJsonObject(init.data, "agent_handoff.handoff_data"),
    });
    const content = { case: "agentHandoff", value } as const;
    return emitPoint(runtime, parent, point(EventType.AGENT_HANDOFF, Author.AGENT, content), init);
  },

  policyDecision(runtime: ScopeRuntime, parent: Parent, input: PolicyDecisionInit): string {
    const init = input ?? ({} as PolicyDecisionInit);
    const value = create(PolicyDecisionSchema, {
      policyId: requireString(init.policyId, "policy.policy_id"),
      outcome: requireString(init.outcome, "policy.outcome"),
      ruleIds: optionalStrings(init.ruleIds, "policy.rule_ids"),
      rationale: init.rationale ?? "",
    });
    const severity = init.outcome === "deny" ? Severity.WARN : Severity.INFO;
    const parts = point(
      EventType.POLICY_DECISION,
      Author.SYSTEM,
      { case: "policy", value },
      severity,
    );
    return emitPoint(runtime, parent, parts, init);
  },

  dataAccess(runtime: ScopeRuntime, parent: Parent, input: DataAccessInit): string {
    const init = input ?? ({} as DataAccessInit);
    const pii = optionalStrings(init.piiCategories, "data_access.pii_categories");
    const value = create(DataAccessSchema, {
      datasource: requireString(init.datasource, "data_access.datasource"),
      documentIds: optionalStrings(init.documentIds, "data_access.document_ids"),
      chunkIds: optionalStrings(init.chunkIds, "data_access.chunk_ids"),
      piiCategories: pii,
    });
    const content = { case: "dataAccess", value } as const;
    // The event-level pii_categories gets the same list (see DataAccessInit).
    return emitPoint(runtime, parent, point(EventType.DATA_ACCESS, Author.AGENT, content), {
      ...init,
      piiCategories: pii,
    });
  },

  stateUpdate(runtime: ScopeRuntime, parent: Parent, state: JsonInput, options?: EventOptions) {
    const content = { case: "stateUpdate", value: toJsonObject(state, "state_update") } as const;
    return emitPoint(
      runtime,
      parent,
      point(EventType.STATE_UPDATE, Author.AGENT, content),
      options,
    );
  },

  error(runtime: ScopeRuntime, parent: Parent, error: unknown, options?: EventOptions): string {
    const author = parent?.agentId ? Author.AGENT : Author.SYSTEM;
    const content = { case: "error", value: errorInfoFrom(error) } as const;
    const parts = point(EventType.ERROR, author, content, Severity.ERROR, EventStatus.FAILED);
    return emitPoint(runtime, parent, parts, options);
  },

  system(runtime: ScopeRuntime, parent: Parent, input: SystemInit | string): string {
    const init: SystemInit =
      typeof input === "string" ? { message: input } : (input ?? ({} as SystemInit));
    const content: Event["content"] =
      init.message !== undefined
        ? {
            case: "message",
            value: create(MessageContentSchema, {
              role: "system",
              text: requireText(init.message, "message.text"),
            }),
          }
        : stateContent(init.state);
    return emitPoint(runtime, parent, point(EventType.SYSTEM, Author.SYSTEM, content), init);
  },
} satisfies Record<keyof ChaukasScope, unknown>;

type AnyBuilder = (runtime: ScopeRuntime, parent: Parent, a: unknown, b: unknown) => unknown;
const BUILDER_ENTRIES = Object.entries(BUILDERS) as [keyof ChaukasScope, AnyBuilder][];

/**
 * The builders, resolving their parent with `getContext` on every call: the client's own
 * builders, under the context manager's active span. Made once per client.
 */
export function createScope(
  runtime: ScopeRuntime,
  getContext: () => SpanContext | undefined,
): ChaukasScope {
  const scope: Record<string, unknown> = {};
  for (const [name, build] of BUILDER_ENTRIES) {
    scope[name] = (a: unknown, b: unknown) => build(runtime, getContext(), a, b);
  }
  return scope as unknown as ChaukasScope;
}

function optionalStrings(value: unknown, field: string): string[] {
  return value === undefined ? [] : copyStrings(value, field);
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
function childContext(parent: Parent, agentId?: string, agentName?: string): SpanContext {
  const base = parent ?? detachedContext();
  const context: { -readonly [K in keyof SpanContext]: SpanContext[K] } = {
    sessionId: base.sessionId,
    traceId: base.traceId,
    spanId: newSpanId(),
  };
  if (parent?.spanId) context.parentSpanId = parent.spanId;
  const id = agentId ?? base.agentId;
  const name = agentName ?? base.agentName;
  if (id !== undefined) context.agentId = id;
  if (name !== undefined) context.agentName = name;
  return context;
}

/** What the END event of a span kind carries, from the handle's state and the result. */
type EndParts = (span: SpanState, result: EndResult | undefined, failure: Failure) => Parts;
type EndResult = EndOptions & ModelInvocationResult & ToolCallResult & McpCallResult & FailOptions;
type Failure = { readonly error: unknown } | undefined;

/** A handle's own data; its methods are shared on `SPAN_METHODS`. */
interface SpanState {
  readonly runtime: ScopeRuntime;
  readonly context: SpanContext;
  readonly sessionId: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly startWallMs: number;
  readonly startMonoMs: number;
  readonly endParts: EndParts;
  /** Start-time values the END event repeats (provider/model, MCP server, tool call id). */
  readonly start: Readonly<Record<string, string>>;
  ended: boolean;
}

/** The methods of every span handle, on one prototype: a handle allocates no closures. */
const SPAN_METHODS: Record<string, unknown> & ThisType<SpanState> = {
  traceparent() {
    return formatTraceparent(this.context);
  },
  run<T>(fn: () => T): T {
    return this.runtime.contextManager.with(this.context, fn);
  },
  end(result?: EndResult) {
    finishSpan(this, result, undefined);
  },
  fail(error: unknown, options?: EndResult) {
    finishSpan(this, options, { error });
  },
};
for (const [name, build] of BUILDER_ENTRIES) {
  SPAN_METHODS[name] = function (this: SpanState, a: unknown, b: unknown) {
    return build(this.runtime, this.context, a, b);
  };
}

/** The first `end()`/`fail()` emits the END event; later ones do nothing. */
function finishSpan(span: SpanState, result: EndResult | undefined, failure: Failure): void {
  if (span.ended) return;
  // Marked only after a successful emit: an invalid result throws and can be retried.
  emitOnSpan(span.runtime, span.context, span.endParts(span, result, failure), result, wallMs());
  span.ended = true;
}

/** Starts a span: emits its START event and returns the handle (`extra`: public fields). */
function startSpan<H>(
  runtime: ScopeRuntime,
  context: SpanContext,
  startParts: Parts,
  options: EventOptions | undefined,
  endParts: EndParts,
  start: Record<string, string>,
  startWallMs: number,
  extra?: object,
): H {
  const startMonoMs = monotonicMs();
  emitOnSpan(runtime, context, startParts, options, startWallMs);
  const span = Object.create(SPAN_METHODS) as SpanState;
  Object.assign(span, extra, {
    runtime,
    context,
    sessionId: context.sessionId,
    traceId: context.traceId,
    spanId: context.spanId,
    startWallMs,
    startMonoMs,
    endParts,
    start,
    ended: false,
  });
  return span as H;
}

function elapsedMs(span: SpanState): number {
  return Math.max(0, monotonicMs() - span.startMonoMs);
}

function endStatus(failure: Failure) {
  return failure === undefined
    ? { status: EventStatus.COMPLETED, severity: Severity.INFO }
    : { status: EventStatus.FAILED, severity: Severity.ERROR };
}

function failureMetadata(failure: Failure): { metadata?: ReturnType<typeof errorMetadata> } {
  return failure ? { metadata: errorMetadata(failure.error) } : {};
}

function stateContent(state: JsonInput | undefined): Event["content"] {
  return state === undefined
    ? NO_CONTENT
    : { case: "stateUpdate", value: toJsonObject(state, "state_update") };
}

/** SESSION_END and AGENT_END: the duration, an optional state, the error on failure. */
function lifecycleEnd(type: EventType, author: Author): EndParts {
  return (span, result, failure) => ({
    type,
    ...endStatus(failure),
    author,
    performance: { durationMs: elapsedMs(span) },
    content: stateContent(result?.state),
    ...failureMetadata(failure),
  });
}

const SESSION_END = lifecycleEnd(EventType.SESSION_END, Author.SYSTEM);
const AGENT_END = lifecycleEnd(EventType.AGENT_END, Author.AGENT);

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
  const context = childContext(
    { sessionId, traceId: remote?.traceId ?? newTraceId(), spanId: remote?.parentId ?? "" },
    options?.agentId,
    options?.agentName,
  );
  const parts = started(EventType.SESSION_START, Author.SYSTEM, stateContent(options?.state));
  return startSpan(runtime, context, parts, options, SESSION_END, {}, wallMs(), { id: sessionId });
}

function startAgent(runtime: ScopeRuntime, parent: Parent, options: AgentOptions): AgentHandle {
  const agentId = requireString(options?.agentId, "agent_id");
  const agentName = options.agentName ?? "";
  const context = childContext(parent, agentId, agentName);
  const parts = started(EventType.AGENT_START, Author.AGENT, stateContent(options.state));
  return startSpan(runtime, context, parts, options, AGENT_END, {}, wallMs(), {
    agentId,
    agentName,
  });
}

function startModelInvocation(
  runtime: ScopeRuntime,
  parent: Parent,
  input: ModelInvocationStart,
): ModelInvocationHandle {
  const provider = requireString(input?.provider, "llm_invocation.provider");
  const model = requireString(input.model, "llm_invocation.model");
  const context = childContext(parent);
  const nowMs = wallMs();
  const value = create(LLMInvocationSchema, {
    provider,
    model,
    request: toOptionalJsonObject(input.request, "llm_invocation.request"),
    temperature: input.temperature ?? 0,
    maxTokens: input.maxTokens ?? 0,
    topP: input.topP ?? 0,
    frequencyPenalty: input.frequencyPenalty ?? 0,
    presencePenalty: input.presencePenalty ?? 0,
    startTime: timestampFromMs(nowMs),
  });
  const parts = started(EventType.MODEL_INVOCATION_START, Author.LLM, {
    case: "llmInvocation",
    value,
  });
  return startSpan(runtime, context, parts, input, modelEnd, { provider, model }, nowMs);
}

function modelEnd(span: SpanState, result: EndResult | undefined, failure: Failure): Parts {
  const { provider = "", model = "" } = span.start;
  const durationMs = elapsedMs(span);
  const promptTokens = result?.promptTokens ?? 0;
  const completionTokens = result?.completionTokens ?? 0;
  const value = create(LLMInvocationSchema, {
    provider,
    model,
    response: toOptionalJsonObject(
      failure ? result?.output : result?.response,
      "llm_invocation.response",
    ),
    promptTokens,
    completionTokens,
    totalTokens: result?.totalTokens ?? sumTokens(promptTokens, completionTokens),
    finishReason: result?.finishReason ?? (failure ? "error" : ""),
    startTime: timestampFromMs(span.startWallMs),
    endTime: timestampFromFractionalMs(span.startWallMs + durationMs),
    durationMs,
  });
  return {
    type: EventType.MODEL_INVOCATION_END,
    ...endStatus(failure),
    author: Author.LLM,
    content: { case: "llmInvocation", value },
    ...(result?.cost ? { cost: { provider, ...result.cost } } : {}),
    ...failureMetadata(failure),
  };
}

/** Adds only when both are valid numbers; otherwise validation reports the bad field itself. */
function sumTokens(a: unknown, b: unknown): number {
  return typeof a === "number" && typeof b === "number" ? a + b : 0;
}

function startToolCall(
  runtime: ScopeRuntime,
  parent: Parent,
  input: ToolCallStart,
): ToolCallHandle {
  const name = requireString(input?.name, "tool_call.name");
  const toolCallId = input.id ?? uuidv7();
  const context = childContext(parent);
  const value = create(ToolCallSchema, {
    id: toolCallId,
    name,
    arguments: toOptionalJsonObject(input.arguments, "tool_call.arguments"),
    functionName: input.functionName ?? "",
    authRequired: input.authRequired ?? false,
  });
  const parts = started(EventType.TOOL_CALL_START, Author.AGENT, { case: "toolCall", value });
  return startSpan(runtime, context, parts, input, toolEnd, { toolCallId }, wallMs(), {
    toolCallId,
  });
}

function toolEnd(span: SpanState, result: EndResult | undefined, failure: Failure): Parts {
  const value = create(ToolResponseSchema, {
    toolCallId: span.start.toolCallId ?? "",
    output: toOptionalJsonObject(result?.output, "tool_response.output"),
    errorMessage: failure ? errorInfoFrom(failure.error).errorMessage : "",
    executionTimeMs: elapsedMs(span),
    httpStatus: result?.httpStatus ?? 0,
  });
  return {
    type: EventType.TOOL_CALL_END,
    ...endStatus(failure),
    author: Author.TOOL,
    content: { case: "toolResponse", value },
  };
}

function startMcpCall(runtime: ScopeRuntime, parent: Parent, input: McpCallStart): McpCallHandle {
  const common = {
    serverName: requireString(input?.serverName, "mcp_call.server_name"),
    serverUrl: input.serverUrl ?? "",
    operation: requireString(input.operation, "mcp_call.operation"),
    method: input.method ?? "",
    protocolVersion: input.protocolVersion ?? "",
  };
  const context = childContext(parent);
  const value = create(MCPCallSchema, {
    ...common,
    request: toOptionalJsonObject(input.request, "mcp_call.request"),
  });
  const parts = started(EventType.MCP_CALL_START, Author.AGENT, { case: "mcpCall", value });
  return startSpan(runtime, context, parts, input, mcpEnd, common, wallMs());
}

function mcpEnd(span: SpanState, result: EndResult | undefined, failure: Failure): Parts {
  const value = create(MCPCallSchema, {
    ...span.start,
    response: toOptionalJsonObject(
      failure ? result?.output : result?.response,
      "mcp_call.response",
    ),
    executionTimeMs: elapsedMs(span),
  });
  return {
    type: EventType.MCP_CALL_END,
    ...endStatus(failure),
    author: Author.TOOL,
    content: { case: "mcpCall", value },
    ...failureMetadata(failure),
  };
}
