import { create, type JsonValue, toBinary } from "@bufbuild/protobuf";
import { AnySchema, TimestampSchema } from "@bufbuild/protobuf/wkt";
import {
  type Event,
  type EventBatch,
  EventBatchSchema,
  EventSchema,
  EventType,
} from "@chaukas/spec/common/v1";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8Size } from "./exact-size-encoding.js";
import {
  encodeEventBatchList,
  encodeEventList,
} from "./gen/chaukas/spec/common/v1/events_binary.js";

// The generated encoders (wire/gen, from scripts/protoc-gen-binary-encoder.ts) must write the
// bytes protobuf-es's toBinary writes, for every event a caller can build.

/** UTF-16 code units of every kind: ASCII, 2- and 3-byte UTF-8, surrogate pairs and lone halves. */
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({
    unit: fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      fc.constantFrom("é", "✓", "😀", "\ud800", "\udc00", "\u0000"),
    ),
    maxLength: 40,
  }),
  fc.constant("x".repeat(5000)), // long: the native UTF-8 path, and a 2-byte length prefix
  fc.constant("ü".repeat(3000)),
);

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
/** Every double, with the extremes often: NaN, infinities, -0, the largest and the smallest. */
const double = fc.oneof(
  fc.double(),
  fc.constantFrom(-0, 0, Number.NaN, -1.5, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE),
);
/** Known enum values mostly, and any int32 (proto3 enums are open). */
const enumValue = (values: number[]) => fc.oneof(fc.constantFrom(...values), int32);

/** JSON as callers hand it over, with `undefined` (an empty Value) where JSON has none. */
type LooseJson = JsonValue | undefined | LooseJson[] | { [key: string]: LooseJson };

const { json } = fc.letrec<{ json: LooseJson }>((tie) => ({
  json: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    fc.constant(null),
    fc.boolean(),
    double,
    text,
    fc.constant(undefined), // an empty Value, as protobuf-es converts it
    fc.array(tie("json"), { maxLength: 4 }),
    fc.dictionary(text, tie("json"), { maxKeys: 4 }),
  ),
}));
const jsonObject = fc.dictionary(text, json, { maxKeys: 5 }) as fc.Arbitrary<{
  [key: string]: JsonValue;
}>;

/** Unknown fields as protobuf-es keeps them when it reads fields it does not know. */
const unknownFields = fc.array(
  fc.record({
    no: fc.integer({ min: 100, max: 2 ** 29 - 1 }),
    wireType: fc.constantFrom(0, 1, 2, 5),
    data: fc.uint8Array({ maxLength: 8 }),
  }),
  { maxLength: 2 },
);

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const strings = fc.array(text, { maxLength: 3 });

const timestamp = fc
  .record({
    seconds: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    nanos: int32,
  })
  .map((init) => create(TimestampSchema, init));

const content = fc.oneof(
  fc.constant({ case: undefined }),
  fc.record({
    case: fc.constant("message" as const),
    value: fc.record({ role: text, text, metadata: optional(jsonObject) }),
  }),
  fc.record({
    case: fc.constant("toolCall" as const),
    value: fc.record({
      id: text,
      name: text,
      arguments: optional(jsonObject),
      authRequired: fc.boolean(),
      functionName: text,
    }),
  }),
  fc.record({
    case: fc.constant("toolResponse" as const),
    value: fc.record({
      toolCallId: text,
      output: optional(jsonObject),
      errorMessage: text,
      executionTimeMs: double,
      httpStatus: int32,
    }),
  }),
  fc.record({
    case: fc.constant("llmInvocation" as const),
    value: fc.record({
      provider: text,
      model: text,
      request: optional(jsonObject),
      response: optional(jsonObject),
      promptTokens: int32,
      completionTokens: int32,
      totalTokens: int32,
      temperature: double,
      maxTokens: int32,
      topP: double,
      frequencyPenalty: double,
      presencePenalty: double,
      startTime: optional(timestamp),
      endTime: optional(timestamp),
      durationMs: double,
      finishReason: text,
    }),
  }),
  fc.record({
    case: fc.constant("policy" as const),
    value: fc.record({ policyId: text, outcome: text, ruleIds: strings, rationale: text }),
  }),
  fc.record({
    case: fc.constant("dataAccess" as const),
    value: fc.record({
      datasource: text,
      documentIds: strings,
      chunkIds: strings,
      piiCategories: strings,
    }),
  }),
  fc.record({ case: fc.constant("stateUpdate" as const), value: jsonObject }),
  fc.record({
    case: fc.constant("error" as const),
    value: fc.record({
      errorMessage: text,
      errorCode: text,
      stackTrace: text,
      recoverable: fc.boolean(),
      recoveryAction: text,
    }),
  }),
  fc.record({
    case: fc.constant("agentHandoff" as const),
    value: fc.record({
      fromAgentId: text,
      fromAgentName: text,
      toAgentId: text,
      toAgentName: text,
      handoffData: optional(jsonObject),
      reason: text,
      handoffType: text,
    }),
  }),
  fc.record({
    case: fc.constant("mcpCall" as const),
    value: fc.record({
      serverName: text,
      serverUrl: text,
      operation: text,
      method: text,
      request: optional(jsonObject),
      response: optional(jsonObject),
      protocolVersion: text,
      executionTimeMs: double,
    }),
  }),
);

const eventTypes = Object.values(EventType).filter((v): v is number => typeof v === "number");

/** Any event a caller can build, through protobuf-es's `create` (so messages are messages). */
const event: fc.Arbitrary<Event> = fc
  .record({
    init: fc.record({
      eventId: text,
      tenantId: text,
      projectId: text,
      sessionId: text,
      spanId: text,
      parentSpanId: text,
      type: enumValue(eventTypes.filter((t) => t !== 0)),
      severity: enumValue([0, 1, 2, 3, 4]),
      status: enumValue([0, 1, 2, 3, 4, 5]),
      author: enumValue([0, 1, 2, 3, 4, 5]),
      timestamp: optional(timestamp),
      agentId: text,
      agentName: text,
      invocationId: text,
      responseId: text,
      isPartial: fc.boolean(),
      isFinal: fc.boolean(),
      hashPrev: text,
      contentHash: text,
      wormProofId: text,
      branch: text,
      tags: strings,
      traceId: text,
      content,
      retry: optional(fc.record({ attempt: int32, strategy: text, backoffMs: int32 })),
      redaction: optional(fc.record({ fields: strings, method: text, saltId: text })),
      piiCategories: strings,
      performance: optional(
        fc.record({
          cpuPercent: double,
          memoryMb: double,
          durationMs: double,
          throughput: double,
          latencyMs: double,
        }),
      ),
      infrastructure: optional(
        fc.record({
          resourceType: text,
          metrics: optional(jsonObject),
          host: text,
          processId: int32,
          threadId: text,
        }),
      ),
      cost: optional(
        fc.record({
          provider: text,
          service: text,
          inputTokens: int32,
          outputTokens: int32,
          totalTokens: int32,
          inputCost: double,
          outputCost: double,
          totalCost: double,
          currency: text,
          inputRatePerToken: double,
          outputRatePerToken: double,
        }),
      ),
      metadata: optional(jsonObject),
      extensions: fc.array(
        fc
          .record({ typeUrl: text, value: fc.uint8Array({ maxLength: 300 }) })
          .map((init) => create(AnySchema, init)),
        { maxLength: 2 },
      ),
    }),
    unknown: optional(unknownFields),
  })
  .map(({ init, unknown }) => {
    const built = create(EventSchema, init as Parameters<typeof create<typeof EventSchema>>[1]);
    if (unknown !== undefined) built.$unknown = unknown;
    return built;
  });

/**
 * Where two byte arrays first differ, or -1 if they are equal: `toEqual` on large byte arrays is
 * slow enough to stall a property run, and an index says more than a diff of 20 000 numbers.
 */
function firstDifference(a: Uint8Array | undefined, b: Uint8Array): number {
  if (a === undefined) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : length;
}

describe("the generated Event encoder", () => {
  it("writes toBinary's bytes for random events of every type and content case, extremes included", () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 4 }), (events) => {
        const encodings = encodeEventList(events);
        expect(encodings.length).toBe(events.length);
        events.forEach((e, i) => {
          expect(firstDifference(encodings[i], toBinary(EventSchema, e)), `event ${i}`).toBe(-1);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("covers every content case and all 19 event types in that run's generator", () => {
    const seen = new Set<string | undefined>();
    const types = new Set<number>();
    for (const e of fc.sample(event, 2000)) {
      seen.add(e.content.case);
      types.add(e.type);
    }
    expect(seen.size).toBe(11); // ten cases and none
    for (const t of eventTypes.filter((t) => t !== 0)) expect(types).toContain(t);
  });

  it("writes views into one buffer, each exactly one event long", () => {
    const events = fc.sample(event, 5);
    const encodings = encodeEventList(events);
    const buffer = encodings[0]!.buffer;
    expect(encodings.every((bytes) => bytes.buffer === buffer)).toBe(true);
    expect(buffer.byteLength).toBe(encodings.reduce((n, bytes) => n + bytes.length, 0));
  });

  it("writes a batch's own fields as toBinary does (EventBatch)", () => {
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 3 }),
        optional(timestamp),
        optional(jsonObject),
        double,
        int32,
        (events, ts, metadata, cost, tokens) => {
          const batch: EventBatch = create(EventBatchSchema, {
            batchId: "b",
            events,
            totalCost: cost,
            totalTokens: tokens,
            ...(ts ? { timestamp: ts } : {}),
            ...(metadata ? { metadata } : {}),
          });
          expect(
            firstDifference(encodeEventBatchList([batch])[0], toBinary(EventBatchSchema, batch)),
          ).toBe(-1);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("throws, instead of writing other bytes, for a value of another type than its field's", () => {
    const wrong = create(EventSchema, { eventId: "e" });
    (wrong as unknown as { eventId: number }).eventId = 7; // toBinary writes "7"
    expect(() => encodeEventList([wrong])).toThrow(/Event\.event_id/);
    expect(() => encodeEventList([{ eventId: "x" } as unknown as Event])).toThrow();
  });
});

describe("utf8Size", () => {
  it("is the length TextEncoder writes, lone surrogates included", () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(utf8Size(s)).toBe(new TextEncoder().encode(s).length);
      }),
    );
  });
});
