import { create, toJsonString } from "@bufbuild/protobuf";
import { validateEvent } from "@chaukas/client";
import { type Event, EventSchema, EventStatus, EventType, Severity } from "@chaukas/spec/common/v1";
import { Span, type SpanData, type SpanError, type TracingProcessor } from "@openai/agents-core";
import { describe, expect, it } from "vitest";
import type { ContentCapture } from "./model-call.js";
import { finishedSpanEvents, type SpanPlacement } from "./span-events.js";

const idle: TracingProcessor = {
  onTraceStart: async () => {},
  onTraceEnd: async () => {},
  onSpanStart: async () => {},
  onSpanEnd: async () => {},
  shutdown: async () => {},
  forceFlush: async () => {},
};

const place: SpanPlacement = {
  sessionId: "s1",
  traceId: "0af7651916cd43dd8448eb211c80319c",
  spanId: "b7ad6b7169203331",
  parentSpanId: "00f067aa0ba902b7",
  agentId: "Triage",
  agentName: "Triage",
};

const ALL: ContentCapture = { inputs: true, outputs: true, provider: "openai" };
const NONE: ContentCapture = { inputs: false, outputs: false, provider: "openai" };

function finished(data: SpanData, error?: SpanError): Span<SpanData> {
  return new Span(
    {
      traceId: "trace_0af7651916cd43dd8448eb211c80319c",
      data,
      startedAt: "2026-01-02T03:04:05.000Z",
      endedAt: "2026-01-02T03:04:05.250Z",
      ...(error === undefined ? {} : { error }),
    },
    idle,
  );
}

/** The events as the client would queue them: validated like any raw event. */
function events(span: Span<SpanData>, capture = ALL): Event[] {
  return finishedSpanEvents(span, place, capture, Date.now()).map((init) => {
    const event = create(EventSchema, { eventId: "e", ...init });
    validateEvent(event);
    return event;
  });
}

const types = (list: Event[]) => list.map((e) => EventType[e.type]);

describe("finishedSpanEvents", () => {
  it("makes a function span with MCP data an MCP tools/call on the span's own id", () => {
    const span = finished({
      type: "function",
      name: "read_file",
      input: '{"path":"/etc/motd"}',
      output: "hello",
      // The SDK assigns an object, though the type says string.
      mcp_data: { server: "files" } as unknown as string,
    });
    const [start, end] = events(span);
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
    expect([start!.spanId, end!.spanId]).toEqual([place.spanId, place.spanId]);
  });

  it("keeps MCP arguments and results in the process when capture is off", () => {
    const span = finished({
      type: "function",
      name: "read_file",
      input: '{"path":"/etc/motd"}',
      output: "hello",
      mcp_data: '{"server":"files"}',
    });
    const [start, end] = events(span, NONE);
    expect(start!.content.value).toMatchObject({ request: { name: "read_file" } });
    expect(JSON.stringify(start!.content.value)).not.toContain("motd");
    expect(end!.content.value).not.toHaveProperty("response");
  });

  it("sends a failed tool call as START, ERROR under it, and a FAILED END", () => {
    const span = finished(
      { type: "function", name: "charge", input: "not json", output: "" },
      { message: "Error running tool", data: { error: "card declined" } },
    );
    const list = events(span);
    expect(types(list)).toEqual(["TOOL_CALL_START", "ERROR", "TOOL_CALL_END"]);
    const [start, error, end] = list;
    expect(start!.content.value).toMatchObject({
      name: "charge",
      arguments: { input: "not json" },
    });
    expect(error).toMatchObject({ parentSpanId: place.spanId, severity: Severity.ERROR });
    expect(error!.metadata).toEqual({ error_data: { error: "card declined" } });
    expect(end).toMatchObject({ status: EventStatus.FAILED, severity: Severity.ERROR });
    expect(end!.content.value).toMatchObject({ errorMessage: "Error running tool" });
    expect(events(span, NONE)[1]!.metadata).toBeUndefined();
  });

  it("reads a Responses API span: model and tokens from the response, only its output sent", () => {
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
    const [start, end] = events(span);
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

  it("reads Chat Completions tokens and finish reason from the recorded response", () => {
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
    const [start, end] = events(span);
    expect(start!.content.value).toMatchObject({ model: "gpt-4o-mini", temperature: 0.2, topP: 1 });
    expect(end!.content.value).toMatchObject({
      promptTokens: 9,
      completionTokens: 3,
      totalTokens: 12,
      finishReason: "stop",
    });
  });

  it("lists an MCP server's tools, and sends custom spans as SYSTEM without data when inputs are off", () => {
    const list = events(finished({ type: "mcp_tools", server: "files", result: ["read_file"] }));
    expect(types(list)).toEqual(["MCP_CALL_START", "MCP_CALL_END"]);
    expect(list[1]!.content.value).toMatchObject({
      operation: "tools/list",
      response: { tools: ["read_file"] },
    });

    const custom = finished({ type: "custom", name: "cache", data: { key: "user-42" } });
    expect(events(custom)[0]!.content).toEqual({
      case: "stateUpdate",
      value: { name: "cache", data: { key: "user-42" } },
    });
    expect(events(custom, NONE)[0]!.content).toEqual({
      case: "stateUpdate",
      value: { name: "cache" },
    });
  });

  it("gives no event for a task or turn span, but ERROR for a failed task", () => {
    expect(events(finished({ type: "turn", turn: 1, agent_name: "Triage" }))).toEqual([]);
    const failedTurn = finished(
      { type: "turn", turn: 1, agent_name: "Triage" },
      { message: "Error in agent run" },
    );
    expect(events(failedTurn)).toEqual([]);
    const failedTask = finished({ type: "task", name: "run" }, { message: "Error in agent run" });
    expect(types(events(failedTask))).toEqual(["ERROR"]);
  });
});
