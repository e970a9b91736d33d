import { type Timestamp, timestampFromMs } from "@bufbuild/protobuf/wkt";
import type {
  Author,
  CostDetails,
  Event,
  EventType,
  PerformanceMetrics,
  RetryInfo,
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
import { monotonicMs, timestampFromFractionalMs } from "./clock.js";
import type { ContextManager, SpanContext } from "./context-manager.js";
import {
  AUTHOR_AGENT,
  AUTHOR_LLM,
  AUTHOR_SYSTEM,
  AUTHOR_TOOL,
  AUTHOR_USER,
  SEVERITY_ERROR,
  SEVERITY_INFO,
  SEVERITY_WARN,
  STATUS_COMPLETED,
  STATUS_FAILED,
  STATUS_IN_PROGRESS,
  STATUS_STARTED,
  TYPE_AGENT_HANDOFF,
  TYPE_AGENT_START,
  TYPE_DATA_ACCESS,
  TYPE_ERROR,
  TYPE_INPUT_RECEIVED,
  TYPE_MCP_CALL_START,
  TYPE_MODEL_INVOCATION_START,
  TYPE_OUTPUT_EMITTED,
  TYPE_POLICY_DECISION,
  TYPE_RETRY,
  TYPE_SESSION_START,
  TYPE_STATE_UPDATE,
  TYPE_SYSTEM,
  TYPE_TOOL_CALL_START,
} from "./enum-values.js";
import {
  buildEvent,
  type EventDefaults,
  errorInfoFrom,
  errorMetadata,
  requireString,
  subMessage,
} from "./event-builders.js";
import { newSpanId, newTraceId, uuidv7 } from "./ids.js";
import { toJsonObject } from "./struct.js";
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
type Content = Event["content"];
type BuildArgs =
  Parameters<typeof buildEvent> extends [EventDefaults, ...infer Rest] ? Rest : never;

const NO_CONTENT: Content = { case: undefined };

/** Builds an event (see `buildEvent` for the arguments) and queues it; returns its id. */
function emit(runtime: ScopeRuntime, ...args: BuildArgs): string {
  const event = buildEvent(runtime.defaults, ...args);
  runtime.submit(event);
  return event.eventId;
}

/**
 * The context of a new span under `parent`: same session, trace and agent (unless given),
 * a new span id. Without a parent, a trace of its own and no session.
 */
function childContext(
  parent: Parent,
  agentId = parent?.agentId,
  agentName = parent?.agentName,
): SpanContext {
  return {
    sessionId: parent?.sessionId ?? "",
    traceId: parent?.traceId ?? newTraceId(),
    spanId: newSpanId(),
    parentSpanId: parent?.spanId,
    agentId,
    agentName,
  };
}

/** The content of case `field` (`toolCall`, ...): see `subMessage`. */
function content(field: string, input: unknown, init?: object, required?: string[]): Content {
  return { case: field, value: subMessage(field, input, init, required) } as Content;
}

function messageContent(role: unknown, text: unknown, metadata?: unknown): Content {
  return content("message", undefined, {
    role,
    text: requireString(text, "message.text", true),
    metadata,
  });
}

function errorContent(error: unknown): Content {
  return { case: "error", value: errorInfoFrom(error) };
}

function stateContent(state: unknown): Content {
  return { case: "stateUpdate", value: toJsonObject(state, "state_update") };
}

function optionalState(state: unknown): Content {
  return state === undefined ? NO_CONTENT : stateContent(state);
}

/** INPUT_RECEIVED / OUTPUT_EMITTED: a message, its role defaulting to `role`. */
function emitMessage(
  runtime: ScopeRuntime,
  parent: Parent,
  input: MessageInit | string,
  type: EventType,
  author: Author,
  role: string,
): string {
  const init: MessageInit = typeof input === "string" ? { text: input } : (input ?? {});
  const message = messageContent(init.role ?? role, init.text, init.messageMetadata);
  return emit(runtime, childContext(parent), type, author, message, init);
}

/**
 * Every builder as a function of the runtime and the parent span: shared by the client
 * (parent = the active span) and by every handle (parent = its own span), so a handle
 * carries data, not closures. Point events get a span of their own under the parent's.
 */
const BUILDERS = {
  agentStart: (runtime: ScopeRuntime, parent: Parent, options: AgentOptions): AgentHandle =>
    startSpan(
      runtime,
      childContext(parent, requireString(options?.agentId, "agent_id"), options.agentName ?? ""),
      TYPE_AGENT_START,
      AUTHOR_AGENT,
      optionalState(options.state),
      options,
    ),

  modelInvocationStart(
    runtime: ScopeRuntime,
    parent: Parent,
    input: ModelInvocationStart,
  ): ModelInvocationHandle {
    const nowMs = Date.now();
    return startSpan(
      runtime,
      childContext(parent),
      TYPE_MODEL_INVOCATION_START,
      AUTHOR_LLM,
      content("llmInvocation", input, { startTime: timestampFromMs(nowMs) }, ["provider", "model"]),
      input,
      nowMs,
    );
  },

  toolCallStart(runtime: ScopeRuntime, parent: Parent, input: ToolCallStart): ToolCallHandle {
    const toolCallId = input?.id ?? uuidv7();
    return startSpan(
      runtime,
      childContext(parent),
      TYPE_TOOL_CALL_START,
      AUTHOR_AGENT,
      content("toolCall", input, { id: toolCallId }, ["name"]),
      input,
      undefined,
      { toolCallId },
    );
  },

  mcpCallStart: (runtime: ScopeRuntime, parent: Parent, input: McpCallStart): McpCallHandle =>
    startSpan(
      runtime,
      childContext(parent),
      TYPE_MCP_CALL_START,
      AUTHOR_AGENT,
      content("mcpCall", input, undefined, ["serverName", "operation"]),
      input,
    ),

  inputReceived: (runtime: ScopeRuntime, parent: Parent, input: MessageInit | string) =>
    emitMessage(runtime, parent, input, TYPE_INPUT_RECEIVED, AUTHOR_USER, "user"),

  outputEmitted: (runtime: ScopeRuntime, parent: Parent, input: MessageInit | string) =>
    emitMessage(runtime, parent, input, TYPE_OUTPUT_EMITTED, AUTHOR_AGENT, "assistant"),

  retry: (runtime: ScopeRuntime, parent: Parent, input: RetryInit) =>
    emit(
      runtime,
      childContext(parent),
      TYPE_RETRY,
      AUTHOR_AGENT,
      input?.reason === undefined ? NO_CONTENT : errorContent(input.reason),
      input,
      SEVERITY_WARN,
      STATUS_IN_PROGRESS,
      {
        retry: subMessage<RetryInfo>("retry", input, {
          strategy: input?.strategy ?? "exponential_backoff",
        }),
      },
    ),

  handoff: (runtime: ScopeRuntime, parent: Parent, input: HandoffInit) =>
    emit(
      runtime,
      childContext(parent),
      TYPE_AGENT_HANDOFF,
      AUTHOR_AGENT,
      content(
        "agentHandoff",
        input,
        {
          fromAgentId: parent?.agentId ?? "",
          fromAgentName: parent?.agentName ?? "",
          handoffData: input?.data,
        },
        ["toAgentId"],
      ),
      input,
    ),

  policyDecision: (runtime: ScopeRuntime, parent: Parent, input: PolicyDecisionInit) =>
    emit(
      runtime,
      childContext(parent),
      TYPE_POLICY_DECISION,
      AUTHOR_SYSTEM,
      content("policy", input, undefined, ["policyId", "outcome"]),
      input,
      input.outcome === "deny" ? SEVERITY_WARN : SEVERITY_INFO,
    ),

  // The event-level pii_categories is the same list, from the options (see DataAccessInit).
  dataAccess: (runtime: ScopeRuntime, parent: Parent, input: DataAccessInit) =>
    emit(
      runtime,
      childContext(parent),
      TYPE_DATA_ACCESS,
      AUTHOR_AGENT,
      content("dataAccess", input, undefined, ["datasource"]),
      input,
    ),

  stateUpdate: (runtime: ScopeRuntime, parent: Parent, state: JsonInput, options?: EventOptions) =>
    emit(
      runtime,
      childContext(parent),
      TYPE_STATE_UPDATE,
      AUTHOR_AGENT,
      stateContent(state),
      options,
    ),

  error: (runtime: ScopeRuntime, parent: Parent, error: unknown, options?: EventOptions) =>
    emit(
      runtime,
      childContext(parent),
      TYPE_ERROR,
      parent?.agentId ? AUTHOR_AGENT : AUTHOR_SYSTEM,
      errorContent(error),
      options,
      SEVERITY_ERROR,
      STATUS_FAILED,
    ),

  system(runtime: ScopeRuntime, parent: Parent, input: SystemInit | string): string {
    const init: SystemInit = typeof input === "string" ? { message: input } : (input ?? {});
    const system =
      init.message === undefined
        ? optionalState(init.state)
        : messageContent("system", init.message);
    return emit(runtime, childContext(parent), TYPE_SYSTEM, AUTHOR_SYSTEM, system, init);
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

type EndResult = EndOptions & ModelInvocationResult & ToolCallResult & McpCallResult & FailOptions;

/** A handle's own data (besides its public ids); its methods are shared on `SPAN_METHODS`. */
interface SpanState {
  readonly runtime: ScopeRuntime;
  readonly context: SpanContext;
  /** The START event's type: the END's is the next one (TOOL_CALL_START + 1 = TOOL_CALL_END). */
  readonly kind: EventType;
  /** The START content's value, whose ids the END repeats (read, never changed). */
  readonly start: {
    readonly provider?: string;
    model?: string;
    startTime?: Timestamp;
    id?: string;
  };
  readonly startMs: number;
  readonly monoMs: number;
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
    finishSpan(this, result);
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

/** Emits a span's START event and returns its handle (`ids`: the handle's own public ids). */
function startSpan<H>(
  runtime: ScopeRuntime,
  context: SpanContext,
  kind: EventType,
  author: Author,
  start: Content,
  options: EventOptions | undefined,
  startMs = Date.now(),
  ids?: object,
): H {
  const span = Object.assign(Object.create(SPAN_METHODS), context, ids, {
    runtime,
    context,
    kind,
    start: start.value,
    startMs,
    monoMs: monotonicMs(),
    ended: false,
  });
  emit(runtime, context, kind, author, start, options, SEVERITY_INFO, STATUS_STARTED);
  return span;
}

/**
 * The first `end()`/`fail()` emits the END event; later ones do nothing. Marked ended only
 * after a successful emit: an invalid result throws and can be retried.
 */
function finishSpan(span: SpanState, result?: EndResult, failure?: { error: unknown }): void {
  if (span.ended) return;
  const durationMs = Math.max(0, monotonicMs() - span.monoMs);
  const { kind, start } = span;
  const response = failure ? result?.output : result?.response;
  const prompt = result?.promptTokens ?? 0;
  const completion = result?.completionTokens ?? 0;
  const lifecycle = kind < TYPE_MODEL_INVOCATION_START;
  emit(
    span.runtime,
    span.context,
    kind + 1,
    kind === TYPE_MODEL_INVOCATION_START
      ? AUTHOR_LLM
      : !lifecycle
        ? AUTHOR_TOOL
        : kind === TYPE_SESSION_START
          ? AUTHOR_SYSTEM
          : AUTHOR_AGENT,
    kind === TYPE_MODEL_INVOCATION_START
      ? content("llmInvocation", result, {
          provider: start.provider,
          model: start.model,
          response,
          // Summed only when both are numbers; otherwise validation reports the bad field.
          totalTokens:
            result?.totalTokens ??
            (typeof prompt === "number" && typeof completion === "number"
              ? prompt + completion
              : 0),
          finishReason: result?.finishReason ?? (failure ? "error" : ""),
          startTime: start.startTime,
          endTime: timestampFromFractionalMs(span.startMs + durationMs),
          durationMs,
        })
      : kind === TYPE_TOOL_CALL_START
        ? content("toolResponse", result, {
            toolCallId: start.id,
            errorMessage: failure ? errorInfoFrom(failure.error).errorMessage : "",
            executionTimeMs: durationMs,
          })
        : kind === TYPE_MCP_CALL_START
          ? // A copy: subMessage would return (and change) the START event's own message.
            content("mcpCall", Object.assign({}, start), {
              request: undefined,
              response,
              executionTimeMs: durationMs,
            })
          : optionalState(result?.state),
    result,
    failure ? SEVERITY_ERROR : SEVERITY_INFO,
    failure ? STATUS_FAILED : STATUS_COMPLETED,
    {
      // A failed tool call carries its error in tool_response.error_message instead.
      metadata: failure && kind !== TYPE_TOOL_CALL_START ? errorMetadata(failure.error) : undefined,
      cost:
        kind === TYPE_MODEL_INVOCATION_START && result?.cost
          ? subMessage<CostDetails>("cost", result.cost, {
              provider: result.cost.provider ?? start.provider,
            })
          : undefined,
      // SESSION_END, AGENT_END carry the span's duration.
      performance: lifecycle
        ? subMessage<PerformanceMetrics>("performance", undefined, { durationMs })
        : undefined,
    },
  );
  span.ended = true;
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
  const id = requireString(options?.sessionId ?? uuidv7(), "session_id");
  const root = { sessionId: id, traceId: remote?.traceId, spanId: remote?.parentId };
  return startSpan(
    runtime,
    childContext(root as SpanContext, options?.agentId, options?.agentName),
    TYPE_SESSION_START,
    AUTHOR_SYSTEM,
    optionalState(options?.state),
    options,
    undefined,
    { id },
  );
}
