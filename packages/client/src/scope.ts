import type { Timestamp } from "@bufbuild/protobuf/wkt";
import {
  Author,
  type Event,
  EventStatus,
  EventType,
  type MCPCall,
  Severity,
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
import { monotonicMs, timestampAt, timestampFromFractionalMs } from "./clock.js";
import type { ContextManager, SpanContext } from "./context-manager.js";
import {
  agentHandoff,
  buildEvent,
  costDetails,
  dataAccess,
  type EventAttachments,
  type EventDefaults,
  errorInfoFrom,
  errorMetadata,
  llmInvocationEnded,
  llmInvocationStarted,
  mcpCallEnded,
  mcpCallStarted,
  messageContent,
  performanceMetrics,
  policyDecision,
  requireString,
  retryInfo,
  toolCall,
  toolResponse,
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

function messageCase(role: unknown, text: unknown, metadata?: unknown): Content {
  return { case: "message", value: messageContent(role, text, metadata) };
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
  const message = messageCase(init.role ?? role, init.text, init.messageMetadata);
  return emit(runtime, childContext(parent), type, author, message, init);
}

/**
 * Every builder as a function of the runtime and the parent span: shared by the client
 * (parent = the active span) and by every handle (parent = its own span). Point events get
 * a span of their own under the parent's.
 */
const BUILDERS = {
  agentStart: (runtime: ScopeRuntime, parent: Parent, options: AgentOptions): AgentHandle => {
    const agentId = requireString(options?.agentId, "agent_id");
    const agentName = options.agentName ?? "";
    const context = childContext(parent, agentId, agentName);
    const start = optionalState(options.state);
    return Object.assign(startSpan(runtime, context, SPAN_KINDS.agent, start, options), {
      agentId,
      agentName,
    });
  },

  modelInvocationStart(
    runtime: ScopeRuntime,
    parent: Parent,
    input: ModelInvocationStart,
  ): ModelInvocationHandle {
    const nowMs = Date.now();
    return startSpan(
      runtime,
      childContext(parent),
      SPAN_KINDS.modelInvocation,
      { case: "llmInvocation", value: llmInvocationStarted(input, timestampAt(nowMs)) },
      input,
      nowMs,
    );
  },

  toolCallStart(runtime: ScopeRuntime, parent: Parent, input: ToolCallStart): ToolCallHandle {
    const nowMs = Date.now();
    const toolCallId = input?.id ?? uuidv7(nowMs);
    const start: Content = { case: "toolCall", value: toolCall(input, toolCallId) };
    return Object.assign(
      startSpan(runtime, childContext(parent), SPAN_KINDS.toolCall, start, input, nowMs),
      { toolCallId },
    );
  },

  mcpCallStart: (runtime: ScopeRuntime, parent: Parent, input: McpCallStart): McpCallHandle =>
    startSpan(
      runtime,
      childContext(parent),
      SPAN_KINDS.mcpCall,
      { case: "mcpCall", value: mcpCallStarted(input) },
      input,
    ),

  inputReceived: (runtime: ScopeRuntime, parent: Parent, input: MessageInit | string) =>
    emitMessage(runtime, parent, input, EventType.INPUT_RECEIVED, Author.USER, "user"),

  outputEmitted: (runtime: ScopeRuntime, parent: Parent, input: MessageInit | string) =>
    emitMessage(runtime, parent, input, EventType.OUTPUT_EMITTED, Author.AGENT, "assistant"),

  retry: (runtime: ScopeRuntime, parent: Parent, input: RetryInit) =>
    emit(
      runtime,
      childContext(parent),
      EventType.RETRY,
      Author.AGENT,
      input?.reason === undefined ? NO_CONTENT : errorContent(input.reason),
      input,
      Severity.WARN,
      EventStatus.IN_PROGRESS,
      {
        retry: retryInfo(input, input?.strategy ?? "exponential_backoff"),
      },
    ),

  handoff: (runtime: ScopeRuntime, parent: Parent, input: HandoffInit) =>
    emit(
      runtime,
      childContext(parent),
      EventType.AGENT_HANDOFF,
      Author.AGENT,
      {
        case: "agentHandoff",
        value: agentHandoff(input, parent?.agentId ?? "", parent?.agentName ?? "", input?.data),
      },
      input,
    ),

  policyDecision: (runtime: ScopeRuntime, parent: Parent, input: PolicyDecisionInit) =>
    emit(
      runtime,
      childContext(parent),
      EventType.POLICY_DECISION,
      Author.SYSTEM,
      { case: "policy", value: policyDecision(input) },
      input,
      input.outcome === "deny" ? Severity.WARN : Severity.INFO,
    ),

  // The event-level pii_categories is the same list, from the options (see DataAccessInit).
  dataAccess: (runtime: ScopeRuntime, parent: Parent, input: DataAccessInit) =>
    emit(
      runtime,
      childContext(parent),
      EventType.DATA_ACCESS,
      Author.AGENT,
      { case: "dataAccess", value: dataAccess(input) },
      input,
    ),

  stateUpdate: (runtime: ScopeRuntime, parent: Parent, state: JsonInput, options?: EventOptions) =>
    emit(
      runtime,
      childContext(parent),
      EventType.STATE_UPDATE,
      Author.AGENT,
      stateContent(state),
      options,
    ),

  error: (runtime: ScopeRuntime, parent: Parent, error: unknown, options?: EventOptions) =>
    emit(
      runtime,
      childContext(parent),
      EventType.ERROR,
      parent?.agentId ? Author.AGENT : Author.SYSTEM,
      errorContent(error),
      options,
      Severity.ERROR,
      EventStatus.FAILED,
    ),

  system(runtime: ScopeRuntime, parent: Parent, input: SystemInit | string): string {
    const init: SystemInit = typeof input === "string" ? { message: input } : (input ?? {});
    const system =
      init.message === undefined ? optionalState(init.state) : messageCase("system", init.message);
    return emit(runtime, childContext(parent), EventType.SYSTEM, Author.SYSTEM, system, init);
  },
} satisfies Record<keyof ChaukasScope, unknown>;

/**
 * Every builder as a closure over the runtime and the parent it reads, in one object literal:
 * V8 makes it in one step with one shape, where setting them one by one under computed names
 * cost a handle ~250 ns more (bench/README.md, History). The return type makes a new builder a
 * compile error here.
 */
function scopeMethods(runtime: ScopeRuntime, getParent: () => Parent): ChaukasScope {
  return {
    agentStart: (options) => BUILDERS.agentStart(runtime, getParent(), options),
    modelInvocationStart: (input) => BUILDERS.modelInvocationStart(runtime, getParent(), input),
    toolCallStart: (input) => BUILDERS.toolCallStart(runtime, getParent(), input),
    mcpCallStart: (input) => BUILDERS.mcpCallStart(runtime, getParent(), input),
    inputReceived: (input) => BUILDERS.inputReceived(runtime, getParent(), input),
    outputEmitted: (input) => BUILDERS.outputEmitted(runtime, getParent(), input),
    retry: (input) => BUILDERS.retry(runtime, getParent(), input),
    handoff: (input) => BUILDERS.handoff(runtime, getParent(), input),
    policyDecision: (input) => BUILDERS.policyDecision(runtime, getParent(), input),
    dataAccess: (input) => BUILDERS.dataAccess(runtime, getParent(), input),
    stateUpdate: (state, options) => BUILDERS.stateUpdate(runtime, getParent(), state, options),
    error: (error, options) => BUILDERS.error(runtime, getParent(), error, options),
    system: (input) => BUILDERS.system(runtime, getParent(), input),
  };
}

/**
 * The builders, resolving their parent with `getContext` on every call: the client's own
 * builders, under the context manager's active span. Made once per client.
 */
export function createScope(
  runtime: ScopeRuntime,
  getContext: () => SpanContext | undefined,
): ChaukasScope {
  return scopeMethods(runtime, getContext);
}

/** What `end(result)` and `fail(error, options)` of any span kind may be given. */
type EndResult = EndOptions & ModelInvocationResult & ToolCallResult & McpCallResult & FailOptions;

/** A started span, as its handle's functions see it. */
interface Span {
  readonly runtime: ScopeRuntime;
  readonly context: SpanContext;
  readonly kind: SpanKind;
  /** The START content's value, whose ids the END repeats (read, never changed). */
  readonly start: {
    readonly provider?: string;
    readonly model?: string;
    readonly startTime?: Timestamp;
    readonly id?: string;
  };
  readonly startMs: number;
  /** `monotonicMs()` at the start: the END's duration is measured from it. */
  readonly monoMs: number;
}

/** How a span ended: what its kind's END is made of. */
interface Ending {
  /** The argument of `end(result)`, or the options of `fail(error, options)`. */
  readonly result: EndResult | undefined;
  /** Set by `fail()`: what failed. */
  readonly failure: { readonly error: unknown } | undefined;
  readonly durationMs: number;
}

/** The END event's content and what it carries besides. */
interface EndParts {
  readonly content: Content;
  readonly attachments: EventAttachments;
}

/**
 * One kind of span (one `*Start` builder): the types and authors of its START and END events,
 * and how the END is made. The END's severity and status come from how it ended (INFO and
 * COMPLETED, or ERROR and FAILED), for every kind alike.
 */
interface SpanKind {
  readonly startType: EventType;
  readonly endType: EventType;
  readonly startAuthor: Author;
  readonly endAuthor: Author;
  readonly end: (span: Span, ending: Ending) => EndParts;
}

/** A failed span's error as the END event's `metadata.error` (not for tool calls, see below). */
function failureMetadata(ending: Ending) {
  return ending.failure ? errorMetadata(ending.failure.error) : undefined;
}

/** SESSION_END, AGENT_END: the final state, if any; the duration as `performance`. */
function lifecycleEnd(_span: Span, ending: Ending): EndParts {
  return {
    content: optionalState(ending.result?.state),
    attachments: {
      metadata: failureMetadata(ending),
      performance: performanceMetrics(ending.durationMs),
    },
  };
}

/**
 * MODEL_INVOCATION_END: the START's provider, model and start time, the result's tokens and
 * response (a failure's partial `output`), end time and duration; `cost` from the result.
 */
function modelInvocationEnd(span: Span, ending: Ending): EndParts {
  const { start } = span;
  const { result, failure, durationMs } = ending;
  const prompt = result?.promptTokens ?? 0;
  const completion = result?.completionTokens ?? 0;
  return {
    content: {
      case: "llmInvocation",
      value: llmInvocationEnded(result, {
        provider: start.provider ?? "",
        model: start.model ?? "",
        response: failure ? result?.output : result?.response,
        // Summed only when both are numbers; otherwise the check reports the bad field.
        totalTokens:
          result?.totalTokens ??
          (typeof prompt === "number" && typeof completion === "number" ? prompt + completion : 0),
        finishReason: result?.finishReason ?? (failure ? "error" : ""),
        startTime: start.startTime,
        endTime: timestampFromFractionalMs(span.startMs + durationMs),
        durationMs,
      }),
    },
    attachments: {
      metadata: failureMetadata(ending),
      cost: result?.cost
        ? costDetails(result.cost, result.cost.provider ?? start.provider)
        : undefined,
    },
  };
}

/**
 * TOOL_CALL_END: a `tool_response` to the START's tool call id, with the execution time. A
 * failed call's error is its `error_message`, so it is not repeated in `metadata`.
 */
function toolCallEnd(span: Span, { result, failure, durationMs }: Ending): EndParts {
  return {
    content: {
      case: "toolResponse",
      value: toolResponse(
        result,
        span.start.id ?? "",
        failure ? errorInfoFrom(failure.error).errorMessage : "",
        durationMs,
      ),
    },
    attachments: {},
  };
}

/** MCP_CALL_END: the START's call (server, operation, ...) without its request, with the response. */
function mcpCallEnd(span: Span, ending: Ending): EndParts {
  const { result, failure, durationMs } = ending;
  return {
    content: {
      case: "mcpCall",
      value: mcpCallEnded(
        span.start as MCPCall,
        failure ? result?.output : result?.response,
        durationMs,
      ),
    },
    attachments: { metadata: failureMetadata(ending) },
  };
}

/** Every span kind, by the builder that starts it (`startSession` for the session). */
const SPAN_KINDS = {
  session: {
    startType: EventType.SESSION_START,
    endType: EventType.SESSION_END,
    startAuthor: Author.SYSTEM,
    endAuthor: Author.SYSTEM,
    end: lifecycleEnd,
  },
  agent: {
    startType: EventType.AGENT_START,
    endType: EventType.AGENT_END,
    startAuthor: Author.AGENT,
    endAuthor: Author.AGENT,
    end: lifecycleEnd,
  },
  modelInvocation: {
    startType: EventType.MODEL_INVOCATION_START,
    endType: EventType.MODEL_INVOCATION_END,
    startAuthor: Author.LLM,
    endAuthor: Author.LLM,
    end: modelInvocationEnd,
  },
  toolCall: {
    startType: EventType.TOOL_CALL_START,
    endType: EventType.TOOL_CALL_END,
    startAuthor: Author.AGENT,
    endAuthor: Author.TOOL,
    end: toolCallEnd,
  },
  mcpCall: {
    startType: EventType.MCP_CALL_START,
    endType: EventType.MCP_CALL_END,
    startAuthor: Author.AGENT,
    endAuthor: Author.TOOL,
    end: mcpCallEnd,
  },
} as const satisfies Record<string, SpanKind>;

/** Emits a span's START event and returns its handle (the builders add the kind's own ids). */
function startSpan(
  runtime: ScopeRuntime,
  context: SpanContext,
  kind: SpanKind,
  start: Content,
  options: EventOptions | undefined,
  startMs = Date.now(),
): SpanHandle {
  const span: Span = {
    runtime,
    context,
    kind,
    start: start.value as Span["start"],
    startMs,
    monoMs: monotonicMs(),
  };
  const handle = new LiveSpanHandle(span);
  emit(
    runtime,
    context,
    kind.startType,
    kind.startAuthor,
    start,
    options,
    Severity.INFO,
    EventStatus.STARTED,
    undefined,
    startMs,
  );
  return handle;
}

/** What every span handle has; `Endable<EndResult>` accepts what every kind's `end()` takes. */
type SpanHandle = SpanScope & Endable<EndResult>;

/**
 * A span's handle. Its methods work detached (`promise.then(tool.end, tool.fail)`,
 * `const { toolCallStart } = session`): each is a getter that returns a closure over the span,
 * made on first use and kept, so `tool.end === tool.end`. Made lazily because most handles use
 * few of their 17 methods (a tool call: `end`). Building all of them per span was ~1.5 KB per
 * handle, as much as its two events (bench/README.md, History). `ended` is a plain field that
 * `finishSpan` sets.
 */
class LiveSpanHandle implements SpanHandle {
  readonly context: SpanContext;
  readonly sessionId: string;
  readonly traceId: string;
  readonly spanId: string;
  ended = false;
  readonly #span: Span;
  #builders: ChaukasScope | undefined;
  #end: SpanHandle["end"] | undefined;
  #fail: SpanHandle["fail"] | undefined;
  #traceparent: SpanHandle["traceparent"] | undefined;
  #run: SpanHandle["run"] | undefined;

  constructor(span: Span) {
    const { context } = span;
    this.#span = span;
    this.context = context;
    this.sessionId = context.sessionId;
    this.traceId = context.traceId;
    this.spanId = context.spanId;
  }

  get end(): SpanHandle["end"] {
    this.#end ??= (result) => finishSpan(this.#span, this, result, undefined);
    return this.#end;
  }
  get fail(): SpanHandle["fail"] {
    this.#fail ??= (error, options) => finishSpan(this.#span, this, options, { error });
    return this.#fail;
  }
  get traceparent(): SpanHandle["traceparent"] {
    this.#traceparent ??= () => formatTraceparent(this.context);
    return this.#traceparent;
  }
  get run(): SpanHandle["run"] {
    this.#run ??= (fn) => this.#span.runtime.contextManager.with(this.context, fn);
    return this.#run;
  }

  /** The builders under this span, all made on the first use of one. */
  #scope(): ChaukasScope {
    this.#builders ??= scopeMethods(this.#span.runtime, () => this.context);
    return this.#builders;
  }
  get agentStart() {
    return this.#scope().agentStart;
  }
  get modelInvocationStart() {
    return this.#scope().modelInvocationStart;
  }
  get toolCallStart() {
    return this.#scope().toolCallStart;
  }
  get mcpCallStart() {
    return this.#scope().mcpCallStart;
  }
  get inputReceived() {
    return this.#scope().inputReceived;
  }
  get outputEmitted() {
    return this.#scope().outputEmitted;
  }
  get retry() {
    return this.#scope().retry;
  }
  get handoff() {
    return this.#scope().handoff;
  }
  get policyDecision() {
    return this.#scope().policyDecision;
  }
  get dataAccess() {
    return this.#scope().dataAccess;
  }
  get stateUpdate() {
    return this.#scope().stateUpdate;
  }
  get error() {
    return this.#scope().error;
  }
  get system() {
    return this.#scope().system;
  }
}

/**
 * The first `end()`/`fail()` emits the END event; later ones do nothing. Marked ended only
 * after a successful emit: an invalid result throws and can be retried.
 */
function finishSpan(
  span: Span,
  handle: { ended: boolean },
  result: EndResult | undefined,
  failure: Ending["failure"],
): void {
  if (handle.ended) return;
  const durationMs = Math.max(0, monotonicMs() - span.monoMs);
  const { kind } = span;
  const { content, attachments } = kind.end(span, { result, failure, durationMs });
  emit(
    span.runtime,
    span.context,
    kind.endType,
    kind.endAuthor,
    content,
    result,
    failure ? Severity.ERROR : Severity.INFO,
    failure ? EventStatus.FAILED : EventStatus.COMPLETED,
    attachments,
  );
  handle.ended = true;
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
  const context = childContext(root as SpanContext, options?.agentId, options?.agentName);
  const start = optionalState(options?.state);
  return Object.assign(startSpan(runtime, context, SPAN_KINDS.session, start, options), { id });
}
