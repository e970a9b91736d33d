// The event checks: what passes, what is refused, and the path each refusal names.
import { create, type DescField } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Event,
  EventSchema,
  EventType,
  LLMInvocationSchema,
  PerformanceMetricsSchema,
} from "@chaukas/spec/common/v1";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkBuiltEventRules,
  checkEventRules,
  EVENT_CONTENT_RULES,
} from "./event-content-rules.js";
import { checkField, validateBuiltEvent, validateEvent } from "./event-validation.js";
import type { FieldPath } from "./field-path.js";
import { ChaukasValidationError } from "./validation-error.js";

function valid(): Event {
  return create(EventSchema, {
    eventId: "e1",
    type: EventType.MODEL_INVOCATION_END,
    timestamp: timestampFromMs(Date.now()),
    content: { case: "llmInvocation", value: { provider: "p", model: "m", promptTokens: 1 } },
  });
}

function fieldOf(event: Event): string | undefined {
  try {
    validateEvent(event);
    return undefined;
  } catch (error) {
    if (!(error instanceof ChaukasValidationError)) throw error;
    return error.field;
  }
}

describe("validateEvent", () => {
  it("accepts a valid event", () => {
    expect(fieldOf(valid())).toBeUndefined();
  });

  it("accepts any content with any type, as the spec does (a failed END carrying error)", () => {
    const event = valid();
    event.type = EventType.TOOL_CALL_START;
    expect(fieldOf(event)).toBeUndefined();
    const failedEnd = create(EventSchema, {
      eventId: "e",
      type: EventType.TOOL_CALL_END,
      content: { case: "error", value: { errorMessage: "timeout", recoverable: true } },
    });
    expect(fieldOf(failedEnd)).toBeUndefined();
    expect(fieldOf(create(EventSchema, { eventId: "e", type: EventType.RETRY }))).toBeUndefined();
  });

  it("names a missing event_id and an unspecified or unknown type", () => {
    expect(fieldOf(create(EventSchema, { type: EventType.SYSTEM }))).toBe("event_id");
    expect(fieldOf(create(EventSchema, { eventId: "e" }))).toBe("type");
    expect(fieldOf(create(EventSchema, { eventId: "e", type: 99 as EventType }))).toBe("type");
  });

  it("names bad timestamps and checks Struct fields of raw events", () => {
    const event = valid();
    event.timestamp = { ...timestampFromMs(0), nanos: 1.5 };
    expect(fieldOf(event)).toBe("timestamp.nanos");
    const withStruct = valid();
    withStruct.metadata = { when: new Date(0) as unknown as string };
    expect(fieldOf(withStruct)).toBeUndefined();
    // The checked copy replaces the caller's object: the Date became its ISO string.
    expect(withStruct.metadata).toEqual({ when: "1970-01-01T00:00:00.000Z" });
    withStruct.metadata = { bad: Number.NaN };
    expect(fieldOf(withStruct)).toBe("metadata.bad");
  });

  type Mutation = { field: string; apply: (e: Event) => void };
  const llm = (e: Event) => e.content.value as unknown as Record<string, unknown>;
  const badInt = fc.constantFrom<unknown>(Number.NaN, -1, 0.5, 2 ** 31, "3", 3n, null);
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    badInt.map((v) => ({
      field: "llm_invocation.prompt_tokens",
      apply: (e: Event) => {
        llm(e).promptTokens = v;
      },
    })),
    badInt.map((v) => ({
      field: "llm_invocation.total_tokens",
      apply: (e: Event) => {
        llm(e).totalTokens = v;
      },
    })),
    fc.constantFrom<unknown>(Number.NaN, Number.POSITIVE_INFINITY, "0.1").map((v) => ({
      field: "llm_invocation.temperature",
      apply: (e: Event) => {
        llm(e).temperature = v;
      },
    })),
    fc.constantFrom<unknown>(5, null, {}, Symbol("s")).map((v) => ({
      field: "llm_invocation.model",
      apply: (e: Event) => {
        llm(e).model = v;
      },
    })),
    fc.constantFrom<unknown>(7, 1.5, -1, "INFO").map((v) => ({
      field: "severity",
      apply: (e: Event) => {
        (e as unknown as Record<string, unknown>).severity = v;
      },
    })),
    fc.constantFrom<unknown>(1, null, [1]).map((v) => ({
      field: Array.isArray(v) ? "tags[0]" : "tags",
      apply: (e: Event) => {
        (e as unknown as Record<string, unknown>).tags = v;
      },
    })),
    fc.constantFrom<unknown>(1, true).map((v) => ({
      field: "tenant_id",
      apply: (e: Event) => {
        (e as unknown as Record<string, unknown>).tenantId = v;
      },
    })),
    fc.constantFrom<unknown>(-1, Number.NaN).map((v) => ({
      field: "performance.duration_ms",
      apply: (e: Event) => {
        e.performance = create(PerformanceMetricsSchema, { durationMs: v as number });
      },
    })),
  );

  it("any invalid field gives ChaukasValidationError naming it, never another exception (property)", () => {
    fc.assert(
      fc.property(mutation, ({ field, apply }) => {
        const event = valid();
        apply(event);
        expect(fieldOf(event)).toBe(field);
      }),
    );
  });

  it("validateBuiltEvent checks the rules between a built event's fields", () => {
    const check = (change: (event: Event) => void): string | undefined => {
      const event = valid();
      change(event);
      try {
        validateBuiltEvent(event);
        return undefined;
      } catch (error) {
        if (!(error instanceof ChaukasValidationError)) throw error;
        return error.field;
      }
    };
    expect(check(() => {})).toBeUndefined();
    expect(check((e) => Object.assign(e, { type: EventType.TOOL_CALL_START }))).toBe("content");
    const event = valid();
    event.type = EventType.TOOL_CALL_START;
    expect(() => validateBuiltEvent(event)).toThrow(
      "content: EVENT_TYPE_TOOL_CALL_START carries llmInvocation, expected toolCall",
    );
    expect(
      check((e) => Object.assign(e, { type: EventType.RETRY, content: { case: undefined } })),
    ).toBe("retry");
  });

  it("checkField rejects a value with the field and message validateEvent gives", () => {
    const messageOf = (run: () => unknown): string | undefined => {
      try {
        run();
        return undefined;
      } catch (error) {
        if (!(error instanceof ChaukasValidationError)) throw error;
        return error.message;
      }
    };
    const llm = LLMInvocationSchema.field;
    const cases: [DescField, FieldPath, unknown, (e: Event) => void][] = [
      [EventSchema.field.severity, [], 99, (e) => Object.assign(e, { severity: 99 })],
      [EventSchema.field.agentName, [], 5, (e) => Object.assign(e, { agentName: 5 })],
      [
        llm.promptTokens,
        ["llm_invocation"],
        -1,
        (e) => Object.assign(e.content.value!, { promptTokens: -1 }),
      ],
      [
        llm.maxTokens,
        ["llm_invocation"],
        2 ** 31,
        (e) => Object.assign(e.content.value!, { maxTokens: 2 ** 31 }),
      ],
      [
        llm.temperature,
        ["llm_invocation"],
        Number.NaN,
        (e) => Object.assign(e.content.value!, { temperature: Number.NaN }),
      ],
      [
        llm.startTime,
        ["llm_invocation"],
        { seconds: 2n ** 40n, nanos: 0 },
        (e) => Object.assign(e.content.value!, { startTime: { seconds: 2n ** 40n, nanos: 0 } }),
      ],
    ];
    for (const [field, at, value, change] of cases) {
      const event = valid();
      change(event);
      const expected = messageOf(() => validateEvent(event));
      expect(expected).toBeDefined();
      expect(messageOf(() => checkField(field, value, at))).toBe(expected);
    }
    expect(checkField(EventSchema.field.severity, 2, [])).toBe(2);
    expect(checkField(llm.startTime, undefined, ["llm_invocation"])).toBeUndefined();
  });

  it("messages say what was expected and what came, so the fix is clear", () => {
    const messageOf = (change: (event: Event) => void): string => {
      const event = valid();
      change(event);
      try {
        validateEvent(event);
      } catch (error) {
        if (error instanceof ChaukasValidationError) return error.message;
        throw error;
      }
      return "accepted";
    };
    const llm = (e: Event) => e.content.value as unknown as Record<string, unknown>;
    expect(messageOf((e) => Object.assign(llm(e), { promptTokens: -1 }))).toBe(
      "llm_invocation.prompt_tokens: expected a count >= 0, got -1",
    );
    expect(messageOf((e) => Object.assign(llm(e), { maxTokens: 2 ** 31 }))).toBe(
      "llm_invocation.max_tokens: expected int32, got 2147483648",
    );
    expect(messageOf((e) => Object.assign(llm(e), { model: 5 }))).toBe(
      "llm_invocation.model: expected string, got 5",
    );
    expect(messageOf((e) => Object.assign(e, { severity: "INFO" }))).toBe(
      'severity: expected chaukas.spec.common.v1.Severity, got "INFO"',
    );
    expect(messageOf((e) => Object.assign(e, { tags: ["a", 3n] }))).toBe(
      "tags[1]: expected string, got 3n",
    );
    expect(messageOf((e) => Object.assign(e, { retry: [] }))).toBe(
      "retry: expected chaukas.spec.common.v1.RetryInfo, got an instance of Array",
    );
    expect(messageOf((e) => Object.assign(llm(e), { temperature: Number.NaN }))).toBe(
      "llm_invocation.temperature: expected a finite number, got NaN",
    );
  });

  it("names the timestamp outside years 0001..9999, and the event itself when it is no object", () => {
    const event = valid();
    event.timestamp = { ...timestampFromMs(0), seconds: 253402300800n };
    expect(fieldOf(event)).toBe("timestamp");
    event.timestamp = { ...timestampFromMs(0), nanos: 1_000_000_000 };
    expect(fieldOf(event)).toBe("timestamp");
    expect(fieldOf(null as unknown as Event)).toBe("event");
  });

  it("rejects a content case Event does not have", () => {
    const event = valid();
    (event as unknown as { content: unknown }).content = { case: "bogus", value: {} };
    expect(fieldOf(event)).toBe("content");
    event.type = EventType.SYSTEM;
    expect(fieldOf(event)).toBe("content");
  });
});

describe("EVENT_CONTENT_RULES", () => {
  it("lists the content cases each event type allows (undefined = no content)", () => {
    const lifecycle = [undefined, "message", "stateUpdate"];
    expect(EVENT_CONTENT_RULES).toEqual({
      [EventType.SESSION_START]: lifecycle,
      [EventType.SESSION_END]: lifecycle,
      [EventType.AGENT_START]: lifecycle,
      [EventType.AGENT_END]: lifecycle,
      [EventType.AGENT_HANDOFF]: ["agentHandoff"],
      [EventType.MODEL_INVOCATION_START]: ["llmInvocation"],
      [EventType.MODEL_INVOCATION_END]: ["llmInvocation"],
      [EventType.TOOL_CALL_START]: ["toolCall"],
      [EventType.TOOL_CALL_END]: ["toolResponse"],
      [EventType.MCP_CALL_START]: ["mcpCall"],
      [EventType.MCP_CALL_END]: ["mcpCall"],
      [EventType.INPUT_RECEIVED]: ["message"],
      [EventType.OUTPUT_EMITTED]: ["message"],
      [EventType.ERROR]: ["error"],
      [EventType.RETRY]: [undefined, "toolCall", "llmInvocation", "error", "mcpCall"],
      [EventType.POLICY_DECISION]: ["policy"],
      [EventType.DATA_ACCESS]: ["dataAccess"],
      [EventType.STATE_UPDATE]: ["stateUpdate"],
      [EventType.SYSTEM]: lifecycle,
    });
  });

  it("checkBuiltEventRules accepts exactly those cases for every type (property)", () => {
    const cases = [undefined, ...EventSchema.oneofs[0]!.fields.map((f) => f.localName)];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 }), fc.constantFrom(...cases), (type, content) => {
        const event = create(EventSchema, { eventId: "e", type, retry: {} });
        (event as unknown as { content: unknown }).content = { case: content, value: {} };
        const allowed = (EVENT_CONTENT_RULES as Readonly<Record<number, readonly unknown[]>>)[type];
        const violation = checkBuiltEventRules(event);
        if (allowed === undefined) expect(violation?.field).toBe("type");
        else expect(violation?.field).toBe(allowed.includes(content) ? undefined : "content");
      }),
    );
  });

  it("checkEventRules, the spec's rules, accepts every content case for every known type (property)", () => {
    const cases = [undefined, ...EventSchema.oneofs[0]!.fields.map((f) => f.localName)];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 }), fc.constantFrom(...cases), (type, content) => {
        const event = create(EventSchema, { eventId: "e", type });
        (event as unknown as { content: unknown }).content = { case: content, value: {} };
        const known =
          (EVENT_CONTENT_RULES as Readonly<Record<number, unknown>>)[type] !== undefined;
        expect(checkEventRules(event)?.field).toBe(known ? undefined : "type");
      }),
    );
  });
});
