import { create, equals, fromBinary, isMessage, ScalarType, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  Author,
  type CostDetails,
  EventSchema,
  EventStatus,
  EventType,
  LLMInvocationSchema,
  type PerformanceMetrics,
  type PolicyDecision,
  PolicyDecisionSchema,
  Severity,
  type ToolCall,
} from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { buildEvent, subMessage } from "./event-builders.js";
import { ChaukasValidationError } from "./validation-error.js";

describe("buildEvent", () => {
  it("makes the same message create(EventSchema) makes from the same fields", () => {
    const built = buildEvent(
      { tenantId: "acme", projectId: "bot", branch: "main", tags: ["a"] },
      {
        sessionId: "s",
        traceId: "t".repeat(32),
        spanId: "s".repeat(16),
        parentSpanId: "p".repeat(16),
        agentId: "agent",
      },
      EventType.MODEL_INVOCATION_END,
      Author.LLM,
      {
        case: "llmInvocation",
        value: create(LLMInvocationSchema, { provider: "p", model: "m", promptTokens: 3 }),
      },
      { tags: ["b"], invocationId: "inv", infrastructure: { host: "h", metrics: { cpu: 1 } } },
      Severity.INFO,
      EventStatus.COMPLETED,
      {
        performance: subMessage<PerformanceMetrics>("performance", { durationMs: 12.5 }),
        cost: subMessage<CostDetails>("cost", { totalCost: 0.25 }),
        metadata: { k: "v" },
      },
      1_700_000_000_123,
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

describe("subMessage", () => {
  it("checks required strings, copies string lists and Struct fields, naming proto paths", () => {
    const ruleIds = ["r1"];
    const policy = subMessage<PolicyDecision>(
      "policy",
      { policyId: "p", outcome: "deny", ruleIds, tags: ["not a policy field"] },
      { rationale: "r" },
      ["policyId", "outcome"],
    );
    expect(policy).toEqual(
      create(PolicyDecisionSchema, { policyId: "p", outcome: "deny", ruleIds, rationale: "r" }),
    );
    ruleIds.push("r2");
    expect(policy.ruleIds).toEqual(["r1"]);

    const args = { q: [1, "x"] };
    const call = subMessage<ToolCall>("toolCall", { name: "t", arguments: args });
    args.q.push(2);
    expect(call.arguments).toEqual({ q: [1, "x"] });

    const field = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error instanceof ChaukasValidationError && error.field;
      }
    };
    expect(field(() => subMessage("policy", { outcome: "x" }, {}, ["policyId"]))).toBe(
      "policy.policy_id",
    );
    expect(field(() => subMessage("dataAccess", { chunkIds: ["a", 3] }))).toBe(
      "data_access.chunk_ids[1]",
    );
    expect(field(() => subMessage("toolCall", { arguments: { f: () => 1 } }))).toBe(
      "tool_call.arguments.f",
    );
    // A string input counts as empty, never as an object of its characters.
    expect(subMessage<ToolCall>("toolCall", "abc").name).toBe("");
  });

  it("makes, for every sub-message field of Event, what create makes from the same values", () => {
    // The content cases and the attachments (retry, redaction, performance, ...), not the
    // well-known types (timestamp, metadata, extensions).
    const messageFields = EventSchema.fields.filter((f) =>
      f.message?.typeName.startsWith("chaukas."),
    );
    expect(messageFields.length).toBe(14);
    for (const field of messageFields) {
      const schema = field.message!;
      // One value per field of the right type (a Struct, a string list, a Timestamp, scalars).
      const values: Record<string, unknown> = {};
      for (const f of schema.fields) {
        values[f.localName] =
          f.message?.typeName === "google.protobuf.Struct"
            ? { k: [1, "v"] }
            : f.message
              ? timestampFromMs(1_700_000_000_123)
              : f.fieldKind === "list"
                ? ["a", "b"]
                : f.scalar === ScalarType.STRING
                  ? `${f.name}!`
                  : f.scalar === ScalarType.BOOL
                    ? true
                    : 3;
      }
      for (const input of [undefined, values]) {
        const made = subMessage(field.localName, input);
        const expected = create(schema, input);
        expect(isMessage(made, schema), schema.typeName).toBe(true);
        expect(equals(schema, made, expected), schema.typeName).toBe(true);
        expect(toBinary(schema, made)).toEqual(toBinary(schema, expected));
        // create() leaves unset message fields out; the literal holds them as undefined (one
        // hidden class per type), in the same order.
        const set = Object.entries(made).filter(([, value]) => value !== undefined);
        expect(set.map(([key]) => key)).toEqual(Object.keys(expected));
      }
    }
  });
});
