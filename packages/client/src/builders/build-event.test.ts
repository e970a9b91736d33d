import { create, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  Author,
  EventSchema,
  EventStatus,
  EventType,
  LLMInvocationSchema,
  Severity,
} from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { buildEvent } from "./build-event.js";
import { costDetails, performanceMetrics } from "./content-messages.js";

describe("buildEvent", () => {
  it("makes the same message create(EventSchema) makes from the same fields", () => {
    const built = buildEvent(
      { tenantId: "acme", projectId: "bot", branch: "main", tags: ["a"] },
      {
        context: {
          sessionId: "s",
          traceId: "t".repeat(32),
          spanId: "s".repeat(16),
          parentSpanId: "p".repeat(16),
          agentId: "agent",
        },
        type: EventType.MODEL_INVOCATION_END,
        author: Author.LLM,
        content: {
          case: "llmInvocation",
          value: create(LLMInvocationSchema, { provider: "p", model: "m", promptTokens: 3 }),
        },
        options: {
          tags: ["b"],
          invocationId: "inv",
          infrastructure: { host: "h", metrics: { cpu: 1 } },
        },
        severity: Severity.INFO,
        status: EventStatus.COMPLETED,
        attachments: {
          performance: performanceMetrics(12.5),
          cost: costDetails({ totalCost: 0.25 }, ""),
          metadata: { k: "v" },
        },
        timeMs: 1_700_000_000_123,
      },
    );
    const expected = create(EventSchema, {
      eventId: built.eventId,
      tenantId: "acme",
      projectId: "bot",
      sessionId: "s",
      spanId: "s".repeat(16),
      parentSpanId: "p".repeat(16),
      type: EventType.MODEL_INVOCATION_END,
      severity: Severity.INFO,
      status: EventStatus.COMPLETED,
      author: Author.LLM,
      timestamp: timestampFromMs(1_700_000_000_123),
      agentId: "agent",
      invocationId: "inv",
      branch: "main",
      tags: ["a", "b"],
      traceId: "t".repeat(32),
      content: { case: "llmInvocation", value: { provider: "p", model: "m", promptTokens: 3 } },
      performance: { durationMs: 12.5 },
      infrastructure: { host: "h", metrics: { cpu: 1 } },
      cost: { totalCost: 0.25 },
      metadata: { k: "v" },
    });
    expect(equals(EventSchema, built, expected)).toBe(true);
    expect(toBinary(EventSchema, built)).toEqual(toBinary(EventSchema, expected));
    expect(
      equals(EventSchema, fromBinary(EventSchema, toBinary(EventSchema, built)), expected),
    ).toBe(true);
    // Every field create() sets is there, in the same order (one hidden class for all events).
    const keys = Object.keys(built).filter((k) => built[k as keyof typeof built] !== undefined);
    expect(keys.filter((k) => k in create(EventSchema))).toEqual(Object.keys(create(EventSchema)));
  });
});
