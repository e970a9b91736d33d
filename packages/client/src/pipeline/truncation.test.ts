// Payload truncation alone: what is cut, what is kept, and the record of the cut.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { type Event, EventSchema, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { TRUNCATION_KEY, TRUNCATION_LIMITS, truncatePayload } from "./truncation.js";

const long = (n: number) => "x".repeat(n);

function toolCall(args: Record<string, unknown>, metadata?: Record<string, unknown>): Event {
  return create(EventSchema, {
    eventId: "evt-1",
    sessionId: "s-1",
    spanId: "span-1",
    type: EventType.TOOL_CALL_START,
    content: {
      case: "toolCall",
      value: { id: "call-1", name: "search", arguments: args as never },
    },
    metadata: metadata as never,
  });
}

describe("truncatePayload", () => {
  it("cuts long strings, lists and objects of the content, records the paths, keeps the rest", () => {
    const { maxChars, maxItems } = TRUNCATION_LIMITS;
    const event = toolCall(
      {
        query: long(maxChars + 100),
        short: "kept",
        hits: Array.from({ length: maxItems + 4 }, (_, i) => ({
          title: `hit ${i}`,
          body: long(maxChars * 2),
        })),
        wide: Object.fromEntries(Array.from({ length: maxItems + 1 }, (_, i) => [`k${i}`, i])),
      },
      { team: "support" },
    );
    const { event: cut, fields } = truncatePayload(event);

    expect(cut).not.toBe(event);
    const args = (cut.content.value as { arguments: Record<string, unknown> }).arguments;
    expect(args.query).toBe(long(maxChars));
    expect(args.short).toBe("kept");
    const hits = args.hits as { title: string; body: string }[];
    expect(hits).toHaveLength(maxItems);
    expect(hits.every((hit) => hit.body.length === maxChars)).toBe(true);
    expect(Object.keys(args.wide as object)).toHaveLength(maxItems);
    expect(fields).toContain("tool_call.arguments.query");
    expect(fields).toContain("tool_call.arguments.hits");
    expect(fields).toContain("tool_call.arguments.hits[0].body");
    expect(fields).toContain("tool_call.arguments.wide");
    // Ids, type and the other fields as they were; the record beside the user's metadata.
    expect(cut).toMatchObject({ eventId: "evt-1", sessionId: "s-1", spanId: "span-1" });
    expect(cut.type).toBe(EventType.TOOL_CALL_START);
    expect(cut.metadata?.team).toBe("support");
    expect(cut.metadata?.[TRUNCATION_KEY]).toEqual({
      reason: "queue_full",
      max_chars: maxChars,
      max_items: maxItems,
      fields,
    });
    expect(fields).toHaveLength(3 + maxItems); // query, hits, wide, and each hit's body
    // The caller's event is untouched.
    expect(
      (event.content.value as { arguments: Record<string, unknown> }).arguments.query,
    ).toHaveLength(maxChars + 100);
  });

  it("returns a valid Event that encodes and decodes to itself", () => {
    const event = create(EventSchema, {
      eventId: "evt-2",
      type: EventType.MODEL_INVOCATION_END,
      content: {
        case: "llmInvocation",
        value: {
          provider: "openai",
          model: "gpt",
          response: { text: long(5000) },
          promptTokens: 12,
        },
      },
    });
    const { event: cut } = truncatePayload(event);
    // Only what was cut is new: the untouched parts are the event's own.
    const before = event.content.value as { request?: object };
    expect((cut.content.value as { request?: object }).request).toBe(before.request);
    const decoded = fromBinary(EventSchema, toBinary(EventSchema, cut));
    expect(decoded).toEqual(cut);
    expect(decoded.content.case).toBe("llmInvocation");
    expect(toBinary(EventSchema, cut).length).toBeLessThan(TRUNCATION_LIMITS.maxChars + 300);
  });

  it("returns the event itself when nothing needs cutting", () => {
    const event = toolCall({ query: "refunds" });
    expect(truncatePayload(event)).toEqual({ event, fields: [] });
    const empty = create(EventSchema, { eventId: "evt-3", type: EventType.SESSION_END });
    expect(truncatePayload(empty)).toEqual({ event: empty, fields: [] });
  });

  it("names what it cut as redaction paths do: proto field names, JSON keys quoted when not identifiers", () => {
    const { maxChars } = TRUNCATION_LIMITS;
    const event = create(EventSchema, {
      eventId: "evt-4",
      type: EventType.ERROR,
      content: {
        case: "error",
        value: { errorMessage: long(maxChars + 1), stackTrace: long(maxChars + 1) },
      },
    });
    expect(truncatePayload(event).fields).toEqual(["error.error_message", "error.stack_trace"]);
    const odd = toolCall({ "x-api-key": long(maxChars + 1), list: [long(maxChars + 1)] });
    expect(truncatePayload(odd).fields).toEqual([
      'tool_call.arguments["x-api-key"]',
      "tool_call.arguments.list[0]",
    ]);
  });

  it("maps every field of the content messages to its proto name", () => {
    const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const content = EventSchema.oneofs.find((oneof) => oneof.localName === "content")!;
    for (const field of content.fields) {
      expect(snake(field.localName)).toBe(field.name);
      for (const inner of field.message?.fields ?? [])
        expect(snake(inner.localName)).toBe(inner.name);
    }
  });
});
