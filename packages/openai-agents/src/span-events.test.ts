import { toJsonString } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { createChaukasClient } from "@chaukas/client";
import { pendingSpanScope } from "@chaukas/client/integration";
import { type Event, EventSchema, EventStatus, EventType, Severity } from "@chaukas/spec/common/v1";
import { Span, type SpanData, type SpanError, type TracingProcessor } from "@openai/agents-core";
import { describe, expect, it } from "vitest";
import type { ContentCapture } from "./model-call.js";
import { emitFinishedSpan, endTransparentSpan } from "./span-events.js";

const idle: TracingProcessor = {
  onTraceStart: async () => {},
  onTraceEnd: async () => {},
  onSpanStart: async () => {},
  onSpanEnd: async () => {},
  shutdown: async () => {},
  forceFlush: async () => {},
};

/** The span's Chaukas id, and its parent's (the agent it runs in). */
const SPAN_ID = "b7ad6b7169203331";
const AGENT_SPAN_ID = "00f067aa0ba902b7";
const STARTED = "2026-01-02T03:04:05.000Z";
const ENDED = "2026-01-02T03:04:05.250Z";

const ALL: ContentCapture = { inputs: true, outputs: true, provider: "openai" };
const NONE: ContentCapture = { inputs: false, outputs: false, provider: "openai" };

function finished(data: SpanData, error?: SpanError): Span<SpanData> {
  return new Span(
    {
      traceId: "trace_0af7651916cd43dd8448eb211c80319c",
      data,
      startedAt: STARTED,
      endedAt: ENDED,
      ...(error === undefined ? {} : { error }),
    },
    idle,
  );
}

/**
 * The events of a finished span under the agent "Triage", as a real client queues them (the
 * builders validate every one): `emit` is what tracing-processor.ts calls for a mapped span,
 * `endTransparentSpan` for the others.
 */
async function events(
  span: Span<SpanData>,
  capture = ALL,
  emit: "mapped" | "transparent" = "mapped",
): Promise<Event[]> {
  const sent: Event[] = [];
  const chaukas = createChaukasClient({
    exporter: {
      async export(batch) {
        sent.push(...batch.events);
      },
    },
    tenantId: "acme",
    projectId: "unit",
  });
  const agent = chaukas
    .startSession()
    .agentStart({ agentId: "Triage", agentName: "Triage", spanId: AGENT_SPAN_ID });
  if (emit === "transparent") endTransparentSpan(agent, span, capture);
  else {
    const own = () => pendingSpanScope(chaukas, agent, SPAN_ID);
    emitFinishedSpan(span, { parent: agent, spanId: SPAN_ID, own }, capture);
  }
  await chaukas.shutdown();
  return sent.slice(2); // SESSION_START and the agent's START
}

const types = (list: Event[]) => list.map((e) => EventType[e.type]);
const ms = (event: Event | undefined) => timestampMs(event!.timestamp!);

describe("emitFinishedSpan", async () => {
  it("makes a function span with MCP data an MCP tools/call on the span's own id", async () => {
    const span = finished({
      type: "function",
      name: "read_file",
      input: '{"path":"/etc/motd"}',
      output: "hello",
      // The SDK assigns an object, though the type says string.
      mcp_data: { server: "files" } as unknown as string,
    });
    const [start, end] = await events(span);
    expect(types([start!, end!])).toEqual(["MCP_CALL_START", "MCP_CALL_END"]);
    expect(start!.content.value).toMatchObject({
      serverName: "files",
      operation: "tools/call",
      request: { name: "read_file", arguments: { path: "/etc/motd" } },
    });
    expect(end!.content.value).toMatchObject({
      response: { output: "hello" },
      executionTimeMs: 250,
    });
    expect(start!.timestamp).not.toEqual(end!.timestamp);
    expect([start!.spanId, end!.spanId]).toEqual([SPAN_ID, SPAN_ID]);
  });

  it("keeps MCP arguments and results in the process when capture is off", async () => {
    const span = finished({
      type: "function",
      name: "read_file",
      input: '{"path":"/etc/motd"}',
      output: "hello",
      mcp_data: '{"server":"files"}',
    });
    const [start, end] = await events(span, NONE);
    expect(start!.content.value).toMatchObject({ request: { name: "read_file" } });
    expect(JSON.stringify(start!.content.value)).not.toContain("motd");
    expect(end!.content.value).toMatchObject({ response: undefined });
  });

  it("sends a failed tool call as START, ERROR under it, and a FAILED END", async () => {
    const span = finished(
      { type: "function", name: "charge", input: "not json", output: "" },
      { message: "Error running tool", data: { error: "card declined" } },
    );
    const list = await events(span);
    expect(types(list)).toEqual(["TOOL_CALL_START", "ERROR", "TOOL_CALL_END"]);
    const [start, error, end] = list;
    expect(start!.content.value).toMatchObject({
      name: "charge",
      arguments: { input: "not json" },
    });
    expect(error).toMatchObject({ parentSpanId: SPAN_ID, severity: Severity.ERROR });
    expect(error!.metadata).toEqual({ error_data: { error: "card declined" } });
    expect(end).toMatchObject({ status: EventStatus.FAILED, severity: Severity.ERROR });
    expect(end!.content.value).toMatchObject({ errorMessage: "Error running tool" });
    expect((await events(span, NONE))[1]!.metadata).toBeUndefined();
  });

  it("reads a Responses API span: model and tokens from the response, only its output sent", async () => {
    const span = finished({
      type: "response",
      response_id: "resp_1",
      _input: [{ role: "user", content: "hi" }],
      _response: {
        id: "resp_1",
        model: "gpt-4.1-mini",
        status: "completed",
        instructions: "You are a secret prompt.",
        usage: { input_tokens: 11, output_tokens: 7, total_tokens: 18 },
        output: [{ type: "message", content: [{ type: "output_text", text: "hello" }] }],
        temperature: 0.5,
      },
    });
    const [start, end] = await events(span);
    expect(start!.content.value).toMatchObject({
      provider: "openai",
      model: "gpt-4.1-mini",
      request: { input: [{ role: "user", content: "hi" }] },
      temperature: 0.5,
    });
    expect(end).toMatchObject({ responseId: "resp_1" });
    expect(end!.content.value).toMatchObject({
      promptTokens: 11,
      completionTokens: 7,
      totalTokens: 18,
      durationMs: 250,
      response: { id: "resp_1", status: "completed" },
    });
    expect(toJsonString(EventSchema, end!)).not.toContain("secret prompt");
  });

  it("reads Chat Completions tokens and finish reason from the recorded response", async () => {
    const span = finished({
      type: "generation",
      model: "gpt-4o-mini",
      model_config: { temperature: 0.2, top_p: 1, base_url: "https://api.openai.com/v1" },
      input: [{ role: "user", content: "hi" }],
      output: [
        {
          id: "chatcmpl-1",
          model: "gpt-4o-mini",
          choices: [{ finish_reason: "stop", message: { content: "hello" } }],
          usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
        },
      ],
    });
    const [start, end] = await events(span);
    expect(start!.content.value).toMatchObject({ model: "gpt-4o-mini", temperature: 0.2, topP: 1 });
    expect(end!.content.value).toMatchObject({
      promptTokens: 9,
      completionTokens: 3,
      totalTokens: 12,
      finishReason: "stop",
    });
  });

  it("lists an MCP server's tools, and sends custom spans as SYSTEM without data when inputs are off", async () => {
    const list = await events(
      finished({ type: "mcp_tools", server: "files", result: ["read_file"] }),
    );
    expect(types(list)).toEqual(["MCP_CALL_START", "MCP_CALL_END"]);
    expect(list[1]!.content.value).toMatchObject({
      operation: "tools/list",
      response: { tools: ["read_file"] },
    });

    const custom = finished({ type: "custom", name: "cache", data: { key: "user-42" } });
    expect((await events(custom))[0]!.content).toEqual({
      case: "stateUpdate",
      value: { name: "cache", data: { key: "user-42" } },
    });
    expect((await events(custom, NONE))[0]!.content).toEqual({
      case: "stateUpdate",
      value: { name: "cache" },
    });
  });

  it("gives no event for a task or turn span, but ERROR under the parent for a failed task", async () => {
    const turn = finished({ type: "turn", turn: 1, agent_name: "Triage" });
    expect(await events(turn, ALL, "transparent")).toEqual([]);
    const failedTurn = finished(
      { type: "turn", turn: 1, agent_name: "Triage" },
      { message: "Error in agent run" },
    );
    expect(await events(failedTurn, ALL, "transparent")).toEqual([]);
    const failedTask = finished({ type: "task", name: "run" }, { message: "Error in agent run" });
    const [error] = await events(failedTask, ALL, "transparent");
    expect(error).toMatchObject({ type: EventType.ERROR, parentSpanId: AGENT_SPAN_ID });
    expect(ms(error)).toBe(Date.parse(ENDED));
  });

  it("sends START and END at the SDK's times on the SDK's span, and a failed model call FAILED with its error", async () => {
    const span = finished(
      { type: "generation", model: "", input: [{ role: "user", content: "hi" }] },
      { message: "Rate limited", data: { status: 429 } },
    );
    const list = await events(span);
    expect(types(list)).toEqual(["MODEL_INVOCATION_START", "ERROR", "MODEL_INVOCATION_END"]);
    const [start, error, end] = list;
    expect([ms(start), ms(error), ms(end)]).toEqual([
      Date.parse(STARTED),
      Date.parse(ENDED),
      Date.parse(ENDED),
    ]);
    expect(start).toMatchObject({
      spanId: SPAN_ID,
      parentSpanId: AGENT_SPAN_ID,
      agentId: "Triage",
    });
    // The builders require a model name; the SDK left it empty.
    expect(start!.content.value).toMatchObject({ model: "unknown" });
    expect(error).toMatchObject({
      parentSpanId: SPAN_ID,
      metadata: { error_data: { status: 429 } },
    });
    expect(end).toMatchObject({
      spanId: SPAN_ID,
      status: EventStatus.FAILED,
      severity: Severity.ERROR,
      metadata: { error: { message: "Rate limited" } },
    });
    expect(end!.content.value).toMatchObject({ finishReason: "error", durationMs: 250 });
  });

  it("puts a failed handoff's ERROR under the handoff's own span", async () => {
    const span = finished(
      { type: "handoff", from_agent: "Triage", to_agent: "Refunds" },
      { message: "Multiple handoffs detected" },
    );
    const [handoff, error] = await events(span);
    expect(handoff).toMatchObject({ type: EventType.AGENT_HANDOFF, spanId: SPAN_ID });
    expect(handoff!.content.value).toMatchObject({ fromAgentId: "Triage", toAgentId: "Refunds" });
    expect(error).toMatchObject({
      type: EventType.ERROR,
      parentSpanId: SPAN_ID,
      agentId: "Triage",
    });
  });
});
