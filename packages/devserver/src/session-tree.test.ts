import { create } from "@bufbuild/protobuf";
import { type Event, EventSchema, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { formatSessionTree } from "./session-tree.js";

const event = (init: Parameters<typeof create<typeof EventSchema>>[1]): Event =>
  create(EventSchema, init);

describe("formatSessionTree", () => {
  it("prints each span once, indented under its parent, with what its START and END carry", () => {
    const events = [
      event({ type: EventType.SESSION_START, spanId: "s", agentName: "Desk" }),
      event({
        type: EventType.INPUT_RECEIVED,
        spanId: "i",
        parentSpanId: "s",
        content: { case: "message", value: { role: "user", text: "hi" } },
      }),
      event({
        type: EventType.MODEL_INVOCATION_START,
        spanId: "m",
        parentSpanId: "s",
        content: { case: "llmInvocation", value: { model: "gpt" } },
      }),
      event({
        type: EventType.MODEL_INVOCATION_END,
        spanId: "m",
        parentSpanId: "s",
        content: {
          case: "llmInvocation",
          value: { model: "gpt", promptTokens: 5, completionTokens: 2, finishReason: "stop" },
        },
      }),
      event({
        type: EventType.TOOL_CALL_START,
        spanId: "t",
        parentSpanId: "m",
        content: { case: "toolCall", value: { name: "search", arguments: { q: "x" } } },
      }),
      event({
        type: EventType.TOOL_CALL_END,
        spanId: "t",
        parentSpanId: "m",
        status: EventStatus.FAILED,
        content: { case: "toolResponse", value: { output: { error: "down" } } },
      }),
      event({ type: EventType.SESSION_END, spanId: "s", agentName: "Desk" }),
    ];
    expect(formatSessionTree(events).split("\n")).toEqual([
      "session Desk",
      "  user: hi",
      "  model gpt: 5→2 tokens, stop",
      '    tool search {"q":"x"} → {"error":"down"} FAILED',
    ]);
  });

  it("leaves out a finish reason the model did not give (an embedding)", () => {
    const events = [
      event({
        type: EventType.MODEL_INVOCATION_START,
        spanId: "e",
        content: { case: "llmInvocation", value: { model: "embed" } },
      }),
      event({
        type: EventType.MODEL_INVOCATION_END,
        spanId: "e",
        content: { case: "llmInvocation", value: { model: "embed", promptTokens: 3 } },
      }),
    ];
    expect(formatSessionTree(events)).toBe("model embed: 3→0 tokens");
  });
});
