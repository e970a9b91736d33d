import type { JsonObject, MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { newSpanId, uuidv7 } from "@chaukas/client";
import {
  Author,
  type EventSchema,
  EventStatus,
  EventType,
  Severity,
} from "@chaukas/spec/common/v1";
import type {
  AgentSpanData,
  FunctionSpanData,
  MCPListToolsSpanData,
  Span,
  SpanData,
  SpanError,
} from "@openai/agents-core";
import {
  nonEmptyString,
  parseArguments,
  toJsonObject,
  toJsonValue,
  wrapJson,
} from "./json-value.js";
import { type ContentCapture, generationCall, type ModelCall, responseCall } from "./model-call.js";

/** A raw event for `chaukas.emit`, every id given. */
export type EventInit = MessageInitShape<typeof EventSchema>;

/** Where an event sits: its session, trace, span and parent, and the agent it runs under. */
export interface SpanPlacement {
  readonly sessionId: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly agentId: string;
  readonly agentName: string;
}

type Content = EventInit["content"];

interface EventParts {
  readonly content?: Content;
  readonly severity?: Severity;
  readonly status?: EventStatus;
  readonly metadata?: JsonObject | undefined;
  readonly responseId?: string | undefined;
  readonly durationMs?: number;
}

function event(
  place: SpanPlacement,
  type: EventType,
  author: Author,
  atMs: number,
  parts: EventParts = {},
): EventInit {
  return {
    sessionId: place.sessionId,
    traceId: place.traceId,
    spanId: place.spanId,
    parentSpanId: place.parentSpanId,
    agentId: place.agentId,
    agentName: place.agentName,
    type,
    author,
    severity: parts.severity ?? Severity.INFO,
    status: parts.status ?? EventStatus.COMPLETED,
    timestamp: timestampFromMs(atMs),
    ...(parts.content === undefined ? {} : { content: parts.content }),
    ...(parts.metadata === undefined ? {} : { metadata: parts.metadata }),
    ...(parts.responseId === undefined ? {} : { responseId: parts.responseId }),
    ...(parts.durationMs === undefined ? {} : { performance: { durationMs: parts.durationMs } }),
  };
}

/** The END of a span: COMPLETED, or FAILED with severity ERROR. */
function endParts(error: SpanError | null): EventParts {
  return error === null
    ? {}
    : { severity: Severity.ERROR, status: EventStatus.FAILED, metadata: errorMetadata(error) };
}

/** The `metadata.error` of a failed END, as the client's builders write it. */
function errorMetadata(error: SpanError): JsonObject {
  return { error: { message: error.message } };
}

/** Milliseconds of the SDK's ISO timestamps; `fallback` when there is none. */
export function msOf(iso: string | null, fallback: number): number {
  const ms = iso === null ? Number.NaN : Date.parse(iso);
  return Number.isFinite(ms) ? ms : fallback;
}

/** What a session says about its trace (a span's trace when the trace itself was missed). */
export interface TraceInfo {
  readonly traceId: string;
  /** The workflow name; empty when unknown. */
  readonly name: string;
  readonly groupId: string | null;
  readonly metadata?: Record<string, unknown> | undefined;
}

/** SESSION_START of a trace: the workflow, OpenAI's trace id and group id as metadata. */
export function sessionStartEvent(place: SpanPlacement, atMs: number, trace: TraceInfo): EventInit {
  const metadata: JsonObject = { openai_trace_id: trace.traceId };
  if (trace.name) metadata.workflow_name = trace.name;
  if (trace.groupId) metadata.group_id = trace.groupId;
  const traceMetadata = toJsonObject(trace.metadata);
  if (traceMetadata !== undefined && Object.keys(traceMetadata).length > 0) {
    metadata.trace_metadata = traceMetadata;
  }
  return event(place, EventType.SESSION_START, Author.SYSTEM, atMs, {
    status: EventStatus.STARTED,
    metadata,
  });
}

/** SESSION_END of a trace, with the session's duration; FAILED when the run failed. */
export function sessionEndEvent(
  place: SpanPlacement,
  atMs: number,
  durationMs: number,
  error: SpanError | null = null,
): EventInit {
  return event(place, EventType.SESSION_END, Author.SYSTEM, atMs, {
    ...endParts(error),
    durationMs,
  });
}

/** AGENT_START, sent when the agent span starts. */
export function agentStartEvent(place: SpanPlacement, atMs: number): EventInit {
  return event(place, EventType.AGENT_START, Author.AGENT, atMs, { status: EventStatus.STARTED });
}

/**
 * The agent's tools, handoffs and output type as the `state_update` of AGENT_END: the runner
 * fills them in after the agent span has started.
 */
function agentState(data: AgentSpanData): Content | undefined {
  const state: JsonObject = {};
  if (data.tools?.length) state.tools = [...data.tools];
  if (data.handoffs?.length) state.handoffs = [...data.handoffs];
  if (data.output_type) state.output_type = data.output_type;
  return Object.keys(state).length === 0 ? undefined : { case: "stateUpdate", value: state };
}

/** ERROR for a span's error, on a span of its own under the failed one. */
function errorEvent(
  place: SpanPlacement,
  atMs: number,
  error: SpanError,
  capture: ContentCapture,
): EventInit {
  // The details may quote tool output or model data (the SDK adds them when it records
  // sensitive data), so they follow `recordOutputs`.
  const details = capture.outputs ? wrapJson("error_data", error.data) : undefined;
  return event(
    { ...place, spanId: newSpanId(), parentSpanId: place.spanId },
    EventType.ERROR,
    place.agentId === "" ? Author.SYSTEM : Author.AGENT,
    atMs,
    {
      severity: Severity.ERROR,
      status: EventStatus.FAILED,
      content: { case: "error", value: { errorMessage: error.message } },
      metadata: details,
    },
  );
}

function llmInvocation(call: ModelCall, startMs: number) {
  return {
    provider: call.provider,
    model: call.model,
    startTime: timestampFromMs(startMs),
  };
}

/** MODEL_INVOCATION_START and _END, both written when the span ends (see the README). */
function modelEvents(
  place: SpanPlacement,
  startMs: number,
  endMs: number,
  call: ModelCall,
  error: SpanError | null,
): EventInit[] {
  const start = event(place, EventType.MODEL_INVOCATION_START, Author.LLM, startMs, {
    status: EventStatus.STARTED,
    content: {
      case: "llmInvocation",
      value: {
        ...llmInvocation(call, startMs),
        request: call.request,
        // proto3 scalars: 0 is "not set".
        temperature: call.temperature ?? 0,
        topP: call.topP ?? 0,
        maxTokens: call.maxTokens ?? 0,
        frequencyPenalty: call.frequencyPenalty ?? 0,
        presencePenalty: call.presencePenalty ?? 0,
      },
    },
  });
  const end = event(place, EventType.MODEL_INVOCATION_END, Author.LLM, endMs, {
    ...endParts(error),
    responseId: call.responseId,
    content: {
      case: "llmInvocation",
      value: {
        ...llmInvocation(call, startMs),
        response: call.response,
        promptTokens: call.promptTokens ?? 0,
        completionTokens: call.completionTokens ?? 0,
        totalTokens: call.totalTokens ?? 0,
        finishReason: call.finishReason ?? (error === null ? "" : "error"),
        endTime: timestampFromMs(endMs),
        durationMs: endMs - startMs,
      },
    },
  });
  return [start, end];
}

/** The MCP server a `function` span's tool belongs to, or `undefined` for a plain tool. */
function mcpServerOf(data: FunctionSpanData): string | undefined {
  // Typed as a string, but the SDK assigns an object `{ server }`; both are read.
  let mcp: unknown = data.mcp_data;
  if (typeof mcp === "string") mcp = toJsonValueOfText(mcp);
  if (mcp === undefined || mcp === null || mcp === "") return undefined;
  const server = typeof mcp === "object" ? (mcp as { server?: unknown }).server : undefined;
  return nonEmptyString(server) ?? "unknown";
}

function toJsonValueOfText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toolEvents(
  place: SpanPlacement,
  startMs: number,
  endMs: number,
  data: FunctionSpanData,
  error: SpanError | null,
  capture: ContentCapture,
): EventInit[] {
  const toolCallId = uuidv7(startMs);
  const start = event(place, EventType.TOOL_CALL_START, Author.AGENT, startMs, {
    status: EventStatus.STARTED,
    content: {
      case: "toolCall",
      value: {
        id: toolCallId,
        name: data.name,
        arguments: capture.inputs ? parseArguments(data.input) : undefined,
      },
    },
  });
  const end = event(place, EventType.TOOL_CALL_END, Author.TOOL, endMs, {
    ...endParts(error),
    // A failed tool call carries its error in tool_response.error_message, as with the builders.
    metadata: undefined,
    content: {
      case: "toolResponse",
      value: {
        toolCallId,
        output: capture.outputs && data.output !== "" ? wrapJson("output", data.output) : undefined,
        errorMessage: error?.message ?? "",
        executionTimeMs: endMs - startMs,
      },
    },
  });
  return [start, end];
}

function mcpEvents(
  place: SpanPlacement,
  startMs: number,
  endMs: number,
  call: { serverName: string; operation: string; request?: JsonObject; response?: JsonObject },
  error: SpanError | null,
): EventInit[] {
  const mcpCall = { serverName: call.serverName, operation: call.operation };
  const start = event(place, EventType.MCP_CALL_START, Author.AGENT, startMs, {
    status: EventStatus.STARTED,
    content: { case: "mcpCall", value: { ...mcpCall, request: call.request } },
  });
  const end = event(place, EventType.MCP_CALL_END, Author.TOOL, endMs, {
    ...endParts(error),
    content: {
      case: "mcpCall",
      value: { ...mcpCall, response: call.response, executionTimeMs: endMs - startMs },
    },
  });
  return [start, end];
}

function functionEvents(
  place: SpanPlacement,
  startMs: number,
  endMs: number,
  data: FunctionSpanData,
  error: SpanError | null,
  capture: ContentCapture,
): EventInit[] {
  const serverName = mcpServerOf(data);
  if (serverName === undefined) return toolEvents(place, startMs, endMs, data, error, capture);
  const args = capture.inputs ? parseArguments(data.input) : undefined;
  return mcpEvents(
    place,
    startMs,
    endMs,
    {
      serverName,
      operation: "tools/call",
      request: args === undefined ? { name: data.name } : { name: data.name, arguments: args },
      ...(capture.outputs && data.output !== "" ? { response: { output: data.output } } : {}),
    },
    error,
  );
}

function listToolsEvents(
  place: SpanPlacement,
  startMs: number,
  endMs: number,
  data: MCPListToolsSpanData,
  error: SpanError | null,
  capture: ContentCapture,
): EventInit[] {
  const tools = capture.outputs ? toJsonValue(data.result) : undefined;
  return mcpEvents(
    place,
    startMs,
    endMs,
    {
      serverName: nonEmptyString(data.server) ?? "unknown",
      operation: "tools/list",
      ...(tools === undefined ? {} : { response: { tools } }),
    },
    error,
  );
}

/**
 * The events of a span that has ended, in emission order. Agent spans give AGENT_END (their
 * START went out when they started) with the agent's tools and handoffs; model, tool and MCP spans give their START and END
 * together, because the SDK fills in their data (arguments, MCP server, model, prompt,
 * usage) while they run; handoffs, guardrails and custom spans give one event. A span with
 * an error adds ERROR, and its END is FAILED. Span types Chaukas has no event for (task,
 * speech, transcription) give only their ERROR, if any.
 */
export function finishedSpanEvents(
  span: Span<SpanData>,
  place: SpanPlacement,
  capture: ContentCapture,
  nowMs: number,
): EventInit[] {
  const endMs = msOf(span.endedAt, nowMs);
  const startMs = Math.min(msOf(span.startedAt, endMs), endMs);
  const error = span.error;
  const failure = error === null ? [] : [errorEvent(place, endMs, error, capture)];
  const data = span.spanData;
  switch (data.type) {
    case "agent":
      return [
        ...failure,
        event(place, EventType.AGENT_END, Author.AGENT, endMs, {
          ...endParts(error),
          content: agentState(data),
          durationMs: endMs - startMs,
        }),
      ];
    case "generation":
      return withFailure(
        modelEvents(place, startMs, endMs, generationCall(data, capture), error),
        failure,
      );
    case "response":
      return withFailure(
        modelEvents(place, startMs, endMs, responseCall(data, capture), error),
        failure,
      );
    case "function":
      return withFailure(functionEvents(place, startMs, endMs, data, error, capture), failure);
    case "mcp_tools":
      return withFailure(listToolsEvents(place, startMs, endMs, data, error, capture), failure);
    case "handoff": {
      const to = data.to_agent ?? "";
      const from = data.from_agent ?? place.agentName;
      const handoff = event(place, EventType.AGENT_HANDOFF, Author.AGENT, endMs, {
        content: {
          case: "agentHandoff",
          value: { fromAgentId: from, fromAgentName: from, toAgentId: to, toAgentName: to },
        },
      });
      return [handoff, ...failure];
    }
    case "guardrail": {
      const deny = data.triggered;
      const policy = event(place, EventType.POLICY_DECISION, Author.SYSTEM, endMs, {
        severity: deny ? Severity.WARN : Severity.INFO,
        content: {
          case: "policy",
          value: {
            policyId: data.name,
            outcome: deny ? "deny" : "allow",
            rationale: deny ? "guardrail tripwire triggered" : "",
          },
        },
      });
      return [policy, ...failure];
    }
    case "custom": {
      const state: JsonObject = { name: data.name };
      const custom = capture.inputs ? toJsonValue(data.data) : undefined;
      if (custom !== undefined) state.data = custom;
      const system = event(place, EventType.SYSTEM, Author.SYSTEM, endMs, {
        content: { case: "stateUpdate", value: state },
      });
      return [system, ...failure];
    }
    case "turn":
      // The runner gives a failed turn the run's error, which its task span also carries.
      return [];
    default:
      return failure;
  }
}

/** START, ERROR, END: the ERROR goes between a span's two events. */
function withFailure(pair: EventInit[], failure: EventInit[]): EventInit[] {
  return failure.length === 0 ? pair : [pair[0]!, ...failure, ...pair.slice(1)];
}
