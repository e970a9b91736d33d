import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Event,
  EventSchema,
  EventType,
  PerformanceMetricsSchema,
} from "@chaukas/spec/common/v1";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateBuiltEvent, validateEvent } from "./event-validation.js";
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

  it("names content that contradicts the type", () => {
    const event = valid();
    event.type = EventType.TOOL_CALL_START;
    expect(fieldOf(event)).toBe("content");
  });

  it("names a RETRY without its attachment and an unspecified type", () => {
    const retry = create(EventSchema, { eventId: "e", type: EventType.RETRY });
    expect(fieldOf(retry)).toBe("retry");
    expect(fieldOf(create(EventSchema, { eventId: "e" }))).toBe("type");
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

  it("validateBuiltEvent checks what a builder's caller can set, with the same paths", () => {
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
    expect(check((e) => Object.assign(e, { severity: 99 }))).toBe("severity");
    expect(check((e) => Object.assign(e, { agentName: 5 }))).toBe("agent_name");
    expect(check((e) => Object.assign(e.content.value ?? {}, { promptTokens: -1 }))).toBe(
      "llm_invocation.prompt_tokens",
    );
    expect(check((e) => Object.assign(e, { type: EventType.TOOL_CALL_START }))).toBe("content");
  });
});
