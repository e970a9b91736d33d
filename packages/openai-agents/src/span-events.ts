import type {
  AgentHandle,
  AgentOptions,
  Endable,
  FailOptions,
  McpCallStart,
  SessionOptions,
  SpanEndOptions,
  SpanScope,
  ToolCallStart,
} from "@chaukas/client";
import { omitUndefined, toLenientJsonObject } from "@chaukas/client/integration";
import type {
  AgentSpanData,
  FunctionSpanData,
  MCPListToolsSpanData,
  Span,
  SpanData,
  SpanError,
} from "@openai/agents-core";
import { type ContentCapture, generationCall, type ModelCall, responseCall } from "./model-call.js";
import { jsonUnder, nameOrUnknown, parseArguments, sdkTime } from "./sdk-values.js";

/*
 * How the SDK's traces and spans become Chaukas events, through the client's builders with the
 * SDK's own ids and times. tracing-processor.ts decides where (which scope) each span goes.
 */

/** What a session says about its trace (a span's trace when the trace itself was missed). */
export interface TraceInfo {
  readonly traceId: string;
  /** The workflow name; empty when unknown. */
  readonly name: string;
  readonly groupId: string | null;
  readonly metadata?: Record<string, unknown> | undefined;
}

/** SESSION_START of a trace: the workflow, OpenAI's trace id and group id as metadata. */
export function sessionOptions(trace: TraceInfo, traceId: string): SessionOptions {
  const traceMetadata = trace.metadata;
  const metadata = toLenientJsonObject({
    openai_trace_id: trace.traceId,
    workflow_name: trace.name || undefined,
    group_id: trace.groupId || undefined,
    trace_metadata:
      typeof traceMetadata === "object" && Object.keys(traceMetadata).length > 0
        ? traceMetadata
        : undefined,
  });
  return omitUndefined<SessionOptions>({ traceId, metadata });
}

/** AGENT_START of an agent span, at the span's start: agent id and name are the agent's name. */
export function agentStartOptions(span: Span<AgentSpanData>, spanId: string): AgentOptions {
  const name = nameOrUnknown(span.spanData.name);
  return omitUndefined<AgentOptions>({
    agentId: name,
    agentName: name,
    spanId,
    startTime: sdkTime(span.startedAt),
  });
}

/**
 * AGENT_END with the agent's tools, handoffs and output type as its state (the runner fills
 * them in after the agent span has started); ERROR under it and FAILED when the span failed.
 */
export function endAgent(agent: AgentHandle, span: Span<AgentSpanData>, capture: ContentCapture) {
  const data = span.spanData;
  const state = toLenientJsonObject({
    tools: data.tools?.length ? data.tools : undefined,
    handoffs: data.handoffs?.length ? data.handoffs : undefined,
    output_type: data.output_type || undefined,
  });
  const ending = omitUndefined({
    endTime: sdkTime(span.endedAt),
    state: state && Object.keys(state).length > 0 ? state : undefined,
  });
  endSpan(agent, span.error, capture, ending, ending);
}

/**
 * The error of a span that has no events of its own (task, speech, transcription, and types a
 * newer SDK may add) as ERROR under its parent. A failed turn gives nothing: the runner gives
 * it the run's error, which its task span also carries.
 */
export function endTransparentSpan(
  parent: SpanScope,
  span: Span<SpanData>,
  capture: ContentCapture,
) {
  if (span.error !== null && span.spanData.type !== "turn") {
    emitError(parent, span.error, capture, sdkTime(span.endedAt));
  }
}

/** Where the events of a finished span (other than an agent's) go. */
export interface FinishedSpanPlace {
  /** The scope of its nearest mapped ancestor (the session's at the top). */
  readonly parent: SpanScope;
  /** Its Chaukas span id, from the SDK's: the `spanId` of its START or its one event. */
  readonly spanId: string;
  /** The scope under the span itself, for the ERROR of a failed handoff, guardrail or custom span. */
  readonly own: () => SpanScope;
}

/**
 * The events of a span that has ended, other than an agent's (see `endAgent`). Model, tool
 * and MCP spans give their START and END together, START back-dated to the span's start,
 * because the SDK fills in their data (arguments, MCP server, model, prompt, usage) while they
 * run; handoffs, guardrails and custom spans give one event. A span with an error adds ERROR
 * under it, and its END is FAILED.
 */
export function emitFinishedSpan(
  span: Span<SpanData>,
  place: FinishedSpanPlace,
  capture: ContentCapture,
): void {
  const endTime = sdkTime(span.endedAt);
  const times: SpanTimes = {
    spanId: place.spanId,
    startTime: sdkTime(span.startedAt) ?? endTime,
    endTime,
  };
  const data = span.spanData;
  switch (data.type) {
    case "generation":
      emitModelCall(place.parent, times, generationCall(data, capture), span.error, capture);
      return;
    case "response":
      emitModelCall(place.parent, times, responseCall(data, capture), span.error, capture);
      return;
    case "function":
      emitFunctionCall(place.parent, times, data, span.error, capture);
      return;
    case "mcp_tools":
      emitListTools(place.parent, times, data, span.error, capture);
      return;
    case "handoff": {
      const to = nameOrUnknown(data.to_agent);
      // From: the agent span the handoff runs in, which is the SDK's `from_agent`.
      place.parent.handoff(
        omitUndefined({ toAgentId: to, toAgentName: to, spanId: place.spanId, time: endTime }),
      );
      break;
    }
    case "guardrail": {
      const deny = data.triggered;
      place.parent.policyDecision(
        omitUndefined({
          policyId: nameOrUnknown(data.name),
          outcome: deny ? "deny" : "allow",
          rationale: deny ? "guardrail tripwire triggered" : undefined,
          spanId: place.spanId,
          time: endTime,
        }),
      );
      break;
    }
    case "custom": {
      const state = toLenientJsonObject({
        name: data.name,
        data: capture.inputs ? data.data : undefined,
      });
      place.parent.system(
        omitUndefined({ state: state ?? { name: data.name }, spanId: place.spanId, time: endTime }),
      );
      break;
    }
    default:
      // Not a mapped type: tracing-processor.ts sends it to endTransparentSpan.
      return;
  }
  if (span.error !== null) emitError(place.own(), span.error, capture, endTime);
}

/** The span's id and the SDK's times, as each span start and end takes them. */
interface SpanTimes {
  readonly spanId: string;
  readonly startTime: string | undefined;
  readonly endTime: string | undefined;
}

/**
 * ERROR for a span's error, on a span of its own under the failed one. The details may quote
 * tool output or model data (the SDK adds them when it records sensitive data), so they
 * follow `recordOutputs`.
 */
function emitError(
  under: SpanScope,
  error: SpanError,
  capture: ContentCapture,
  time: SpanEndOptions["endTime"],
) {
  const metadata = capture.outputs ? jsonUnder("error_data", error.data) : undefined;
  under.error(error, omitUndefined({ time, metadata }));
}

/**
 * Ends a span as the SDK's ended: `end(result)`, or ERROR under it and `fail(error, failed)`.
 * The builders make the failed END (FAILED, severity ERROR, the error in `metadata.error` or a
 * tool's `error_message`).
 */
function endSpan<Result>(
  handle: SpanScope & Endable<Result>,
  error: SpanError | null,
  capture: ContentCapture,
  result: Result,
  failed: FailOptions & Omit<Result, "response">,
): void {
  if (error === null) {
    handle.end(result);
    return;
  }
  emitError(handle, error, capture, failed.endTime);
  handle.fail(error, failed);
}

function endOptions(times: SpanTimes): SpanEndOptions {
  return omitUndefined<SpanEndOptions>({ endTime: times.endTime });
}

/** MODEL_INVOCATION_START and _END. A failed call's END keeps its tokens, and its response as `output`. */
function emitModelCall(
  parent: SpanScope,
  times: SpanTimes,
  call: ModelCall,
  error: SpanError | null,
  capture: ContentCapture,
) {
  const { spanId, startTime } = times;
  const model = parent.modelInvocationStart({
    ...call.start,
    ...omitUndefined({ spanId, startTime }),
  });
  const end = endOptions(times);
  const { response, ...rest } = call.result;
  endSpan(
    model,
    error,
    capture,
    { ...call.result, ...end },
    { ...rest, ...end, ...omitUndefined<FailOptions>({ output: response }) },
  );
}

/** The MCP server a `function` span's tool belongs to, or `undefined` for a plain tool. */
function mcpServerOf(data: FunctionSpanData): string | undefined {
  // Typed as a string, but the SDK assigns an object `{ server }`; both are read.
  let mcp: unknown = data.mcp_data;
  if (typeof mcp === "string") mcp = parsedOrText(mcp);
  if (mcp === undefined || mcp === null || mcp === "") return undefined;
  const server = typeof mcp === "object" ? (mcp as { server?: unknown }).server : undefined;
  return nameOrUnknown(server);
}

function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** TOOL_CALL_START and _END, or an MCP `tools/call` when the tool is an MCP server's. */
function emitFunctionCall(
  parent: SpanScope,
  times: SpanTimes,
  data: FunctionSpanData,
  error: SpanError | null,
  capture: ContentCapture,
) {
  const args = capture.inputs ? parseArguments(data.input) : undefined;
  const output = capture.outputs && data.output !== "" ? data.output : undefined;
  const serverName = mcpServerOf(data);
  if (serverName !== undefined) {
    emitMcpCall(
      parent,
      times,
      omitUndefined<McpCallStart>({
        serverName,
        operation: "tools/call",
        request: toLenientJsonObject({ name: data.name, arguments: args }),
      }),
      output === undefined ? undefined : jsonUnder("output", output),
      error,
      capture,
    );
    return;
  }
  const { spanId, startTime } = times;
  const tool = parent.toolCallStart(
    omitUndefined<ToolCallStart>({
      name: nameOrUnknown(data.name),
      arguments: args === undefined ? undefined : toLenientJsonObject(args),
      spanId,
      startTime,
    }),
  );
  const end = { ...endOptions(times), ...omitUndefined({ output: jsonUnder("output", output) }) };
  endSpan(tool, error, capture, end, end);
}

/** An MCP server's tool list, as MCP_CALL_START and _END of `tools/list`. */
function emitListTools(
  parent: SpanScope,
  times: SpanTimes,
  data: MCPListToolsSpanData,
  error: SpanError | null,
  capture: ContentCapture,
) {
  emitMcpCall(
    parent,
    times,
    { serverName: nameOrUnknown(data.server), operation: "tools/list" },
    capture.outputs ? jsonUnder("tools", data.result) : undefined,
    error,
    capture,
  );
}

/** MCP_CALL_START and _END. A failed call's END keeps the response. */
function emitMcpCall(
  parent: SpanScope,
  times: SpanTimes,
  call: McpCallStart,
  response: McpCallStart["request"] | undefined,
  error: SpanError | null,
  capture: ContentCapture,
) {
  const { spanId, startTime } = times;
  const mcp = parent.mcpCallStart({ ...call, ...omitUndefined({ spanId, startTime }) });
  const end = endOptions(times);
  endSpan(
    mcp,
    error,
    capture,
    { ...end, ...omitUndefined({ response }) },
    { ...end, ...omitUndefined<FailOptions>({ output: response }) },
  );
}
