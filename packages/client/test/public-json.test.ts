import {
  create,
  type DescField,
  type DescMessage,
  equals,
  type JsonObject,
  ScalarType,
} from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  CapabilitiesSchema,
  type Event,
  EventBatchSchema,
  EventSchema,
  EventStatus,
  EventType,
  QueryRequestSchema,
  QueryResponseSchema,
  SortOrder,
} from "@chaukas/spec/common/v1";
import type { ValidateFunction } from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  eventFromPublicJson,
  eventToPublicJson,
  fromPublicJson,
  PUBLIC_CONTENT_KINDS,
  readPublicEventBatch,
  toPublicJson,
} from "../src/rest/public-json.js";
import {
  EVENT_CONTENT_RULES,
  type EventContentCase,
} from "../src/validation/event-content-rules.js";
import { ChaukasValidationError } from "../src/validation/validation-error.js";
import { openapi, schemaValidator as validator } from "./support/openapi.js";

// The mapping of `src/rest/public-json.ts`, held to the spec's OpenAPI document as the repository
// keeps it. Here rather than beside the module because it reads that file, which code under src/
// (universal) may not.
const schemas = openapi.components.schemas;
const validate = {
  event: validator("Event"),
  batch: validator("EventBatch"),
  queryRequest: validator("QueryRequest"),
  queryResponse: validator("QueryResponse"),
  capabilities: validator("Capabilities"),
};

function expectValid(check: ValidateFunction, json: unknown): void {
  const ok = check(json);
  expect(ok ? [] : check.errors, JSON.stringify(json).slice(0, 400)).toEqual([]);
}

// ── fixtures: every field set, by descriptor ──────────────────────────────

/** Strings the API restricts to a few values: the filler uses one of them. */
const RESTRICTED_STRINGS: Readonly<Record<string, string>> = {
  "chaukas.spec.common.v1.PolicyDecision.outcome": "deny",
  "chaukas.spec.common.v1.RedactionInfo.method": "hash",
  "chaukas.spec.common.v1.AgentHandoff.handoff_type": "parallel",
};

const STRUCT: JsonObject = {
  text: "Zürich ☀",
  n: 42,
  x: -0.5,
  flag: true,
  none: null,
  list: [1, "two", { three: [3] }],
  nested: { deep: { deeper: "yes" } },
};

/**
 * A value for every field of `desc` that is not the proto default, so a mapping that drops or
 * confuses any field fails the round trip. `seed` varies enums and numbers between events.
 */
function filled(desc: DescMessage, seed: number): Record<string, unknown> {
  const init: Record<string, unknown> = {};
  for (const field of desc.fields) {
    if (field.oneof !== undefined) continue;
    const one = (i: number) => fieldValue(field, seed + i);
    init[field.localName] = field.fieldKind === "list" ? [one(0), one(1)] : one(0);
  }
  return init;
}

function fieldValue(field: DescField, seed: number): unknown {
  const kind = field.fieldKind === "list" ? field.listKind : field.fieldKind;
  if (kind === "enum") {
    const values = field.enum!.values.filter((v) => v.number !== 0);
    return values[seed % values.length]!.number;
  }
  if (kind === "message") {
    const desc = field.message!;
    if (desc.typeName === "google.protobuf.Struct") return { ...STRUCT, seed };
    if (desc.typeName === "google.protobuf.Timestamp") {
      // Nanoseconds, not only milliseconds, must survive.
      return { ...timestampFromMs(1_760_000_000_000 + seed * 1000), nanos: 123_456_789 + seed };
    }
    if (desc.typeName === "google.protobuf.Any") {
      return {
        typeUrl: `type.example.com/ext.v1.Note${seed}`,
        value: new Uint8Array([seed, 0, 255]),
      };
    }
    return filled(desc, seed);
  }
  switch (field.scalar) {
    case ScalarType.STRING:
      return (
        RESTRICTED_STRINGS[`${field.parent.typeName}.${field.name}`] ?? `${field.name}-${seed}`
      );
    case ScalarType.BOOL:
      return true;
    case ScalarType.INT32:
      return 1000 + seed;
    case ScalarType.DOUBLE:
      return 0.25 + seed;
    default:
      throw new Error(`no fixture for ${field.toString()}`);
  }
}

/** An event of `type` with every field set and the given content case (undefined: none). */
function fullEvent(
  type: EventType,
  contentCase: EventContentCase | undefined,
  seed: number,
): Event {
  const init = filled(EventSchema, seed);
  init.type = type;
  if (contentCase !== undefined) {
    const field = EventSchema.field[contentCase]!;
    init.content = {
      case: contentCase,
      value:
        field.message!.typeName === "google.protobuf.Struct"
          ? { ...STRUCT }
          : filled(field.message!, seed),
    };
  }
  return create(EventSchema, init);
}

const ALL_TYPES = EventSchema.field.type!.enum!.values.filter((v) => v.number !== 0);
const ALL_CASES = EventSchema.oneofs[0]!.fields.map((f) => f.localName as EventContentCase);

/** Every type with each content its builders emit, and every content case at least once. */
const FULL_EVENTS: readonly Event[] = [
  ...ALL_TYPES.flatMap((type, i) =>
    EVENT_CONTENT_RULES[type.number as keyof typeof EVENT_CONTENT_RULES].map((c, j) =>
      fullEvent(type.number, c, i * 10 + j),
    ),
  ),
  ...ALL_CASES.map((c, i) => fullEvent(EventType.SYSTEM, c, 500 + i)),
];

// ── tests ─────────────────────────────────────────────────────────────────

describe("the OpenAPI validator used below", () => {
  it("rejects what the API does not allow, so the conformance checks can fail", () => {
    const good = eventToPublicJson(fullEvent(EventType.TOOL_CALL_START, "toolCall", 1));
    expect(validate.event(good)).toBe(true);
    expect(validate.event({ ...good, type: "EVENT_TYPE_TOOL_CALL_START" })).toBe(false);
    expect(validate.event({ ...good, timestamp: "yesterday" })).toBe(false);
    expect(
      validate.event({ ...good, content: { ...(good.content as JsonObject), kind: "toolcall" } }),
    ).toBe(false);
    const { name: _, ...withoutName } = good.content as JsonObject;
    expect(validate.event({ ...good, content: withoutName })).toBe(false);
    const { status: __, ...withoutStatus } = good;
    expect(validate.event(withoutStatus)).toBe(false);
    expect(validate.event({ ...good, tags: "a,b" })).toBe(false);
  });

  it("agrees with the document's discriminator: each kind maps to the schema whose kind it is", () => {
    const union = schemas.EventContent as { discriminator: { mapping: Record<string, string> } };
    const mapping = Object.entries(union.discriminator.mapping).map(([kind, ref]) => {
      const target = schemas[ref.split("/").at(-1)!] as {
        properties: { kind: { enum: string[] } };
      };
      return [kind, target.properties.kind.enum] as const;
    });
    for (const [kind, targetKinds] of mapping) expect(targetKinds).toEqual([kind]);
    expect(mapping.map(([kind]) => kind).sort()).toEqual(
      Object.values(PUBLIC_CONTENT_KINDS).sort(),
    );
  });
});

describe("toPublicJson / fromPublicJson", () => {
  it("cover all 19 event types and every content case", () => {
    expect(new Set(FULL_EVENTS.map((e) => e.type)).size).toBe(19);
    expect(new Set(FULL_EVENTS.map((e) => e.content.case))).toEqual(
      new Set([undefined, ...ALL_CASES]),
    );
  });

  it("round-trip every field of every event: message → JSON → message is protobuf-equal", () => {
    for (const event of FULL_EVENTS) {
      const json = JSON.parse(JSON.stringify(eventToPublicJson(event)));
      expect(equals(EventSchema, eventFromPublicJson(json), event), JSON.stringify(json)).toBe(
        true,
      );
    }
  });

  it("write JSON the OpenAPI Event schema accepts, for every event", () => {
    for (const event of FULL_EVENTS) expectValid(validate.event, eventToPublicJson(event));
  });

  it("write the API's shapes: snake_case names, enums without prefix, a kind-tagged content", () => {
    const event = fullEvent(EventType.TOOL_CALL_END, "error", 3);
    event.status = EventStatus.FAILED;
    const json = eventToPublicJson(event);
    expect(json).toMatchObject({
      event_id: "event_id-3",
      type: "TOOL_CALL_END",
      status: "FAILED",
      content: { kind: "error_info", error_message: "error_message-3", recoverable: true },
      timestamp: "2025-10-09T08:53:23.123456792Z",
    });
    expect(json).not.toHaveProperty("error");
    expect(json).not.toHaveProperty("eventId");
  });

  it("write state_update beside content, and read it back", () => {
    const event = fullEvent(EventType.STATE_UPDATE, "stateUpdate", 4);
    const json = eventToPublicJson(event);
    expect(json.content).toBeUndefined();
    expect(json.state_update).toEqual(STRUCT);
    expectValid(validate.event, json);
    expect(equals(EventSchema, eventFromPublicJson(json), event)).toBe(true);
  });

  it("write extensions (google.protobuf.Any) as type_url and base64 value", () => {
    const json = eventToPublicJson(fullEvent(EventType.SYSTEM, undefined, 5));
    expect(json.extensions).toEqual([
      { type_url: "type.example.com/ext.v1.Note5", value: "BQD/" },
      { type_url: "type.example.com/ext.v1.Note6", value: "BgD/" },
    ]);
  });

  it("write what the API requires even when it holds the proto default", () => {
    // The required lists of the document itself, for every schema the mapping writes.
    const required = (name: string) => (schemas[name] as { required?: string[] }).required ?? [];
    const empty = create(EventSchema, { type: EventType.SYSTEM, status: EventStatus.COMPLETED });
    empty.timestamp = timestampFromMs(0);
    expect(Object.keys(eventToPublicJson(empty))).toEqual(
      expect.arrayContaining(required("Event")),
    );
    for (const contentCase of ALL_CASES.filter((c) => c !== "stateUpdate")) {
      const event = create(EventSchema, {
        content: { case: contentCase, value: {} } as Event["content"],
      });
      const content = eventToPublicJson(event).content as JsonObject;
      const schemaName = (
        schemas.EventContent as { discriminator: { mapping: Record<string, string> } }
      ).discriminator.mapping[content.kind as string]!.split("/").at(-1)!;
      expect(Object.keys(content).sort(), schemaName).toEqual([...required(schemaName)].sort());
    }
    expect(toPublicJson(EventBatchSchema, create(EventBatchSchema))).toEqual({ events: [] });
  });

  it("leave out an UNSPECIFIED enum (the API has no name for it) and read its absence as UNSPECIFIED", () => {
    const event = create(EventSchema, { eventId: "e", type: EventType.SYSTEM });
    const json = eventToPublicJson(event);
    expect(json).toEqual({ event_id: "e", session_id: "", type: "SYSTEM" });
    expect(equals(EventSchema, eventFromPublicJson(json), event)).toBe(true);
  });

  it("round-trip random events (property), each valid against the document", () => {
    const arbitraryEvent = fc
      .record({
        type: fc.constantFrom(...ALL_TYPES.map((t) => t.number)),
        contentCase: fc.constantFrom(undefined, ...ALL_CASES),
        seed: fc.nat(10_000),
        drop: fc.uniqueArray(fc.constantFrom(...EventSchema.fields.map((f) => f.localName))),
      })
      .map(({ type, contentCase, seed, drop }) => {
        const event = fullEvent(type, contentCase, seed);
        // Fields left at their default must round-trip too; the API's required ones stay.
        const keep = new Set(["eventId", "sessionId", "type", "status", "timestamp"]);
        const defaults = create(EventSchema) as unknown as Record<string, unknown>;
        for (const name of drop) {
          if (!keep.has(name) && name in defaults) {
            (event as unknown as Record<string, unknown>)[name] = defaults[name];
          }
        }
        return event;
      });
    fc.assert(
      fc.property(arbitraryEvent, (event) => {
        const json = JSON.parse(JSON.stringify(eventToPublicJson(event)));
        expectValid(validate.event, json);
        expect(equals(EventSchema, eventFromPublicJson(json), event)).toBe(true);
      }),
      { seed: 29, numRuns: 300 },
    );
  });

  it("round-trip a batch, a query request and response, and capabilities, each valid", () => {
    const batch = create(EventBatchSchema, {
      ...filled(EventBatchSchema, 7),
      events: FULL_EVENTS.slice(0, 5),
    });
    const query = create(QueryRequestSchema, filled(QueryRequestSchema, 8));
    query.orderByTime = SortOrder.ASC;
    query.pageSize = 250; // the API's maximum is 1000
    const response = create(QueryResponseSchema, {
      events: FULL_EVENTS.slice(5, 9),
      nextPageToken: "t",
    });
    const capabilities = create(CapabilitiesSchema, filled(CapabilitiesSchema, 9));
    const cases = [
      [EventBatchSchema, batch, validate.batch],
      [QueryRequestSchema, query, validate.queryRequest],
      [QueryResponseSchema, response, validate.queryResponse],
      [CapabilitiesSchema, capabilities, validate.capabilities],
    ] as const;
    for (const [schema, message, check] of cases) {
      const json = JSON.parse(JSON.stringify(toPublicJson(schema, message as never)));
      expectValid(check, json);
      expect(
        equals(schema, fromPublicJson(schema, json) as never, message as never),
        schema.typeName,
      ).toBe(true);
    }
    expect(toPublicJson(QueryRequestSchema, query)).toMatchObject({
      order_by_time: "ASC",
      filter: {
        types: [expect.any(String), expect.any(String)],
        time: { start: expect.any(String) },
      },
    });
  });
});

describe("fromPublicJson refuses what the API does not allow, naming the property", () => {
  const base = eventToPublicJson(fullEvent(EventType.MODEL_INVOCATION_END, "llmInvocation", 2));
  const cases: [string, JsonObject, string][] = [
    ["a prefixed enum name", { ...base, type: "EVENT_TYPE_MODEL_INVOCATION_END" }, "type"],
    ["UNSPECIFIED", { ...base, status: "UNSPECIFIED" }, "status"],
    [
      "an unknown kind",
      { ...base, content: { kind: "llm", provider: "x", model: "y" } },
      "content.kind",
    ],
    [
      "a number as a string",
      { ...base, content: { ...(base.content as JsonObject), prompt_tokens: "5" } },
      "content.prompt_tokens",
    ],
    ["an int32 out of range", { ...base, retry: { attempt: 2 ** 31 } }, "retry.attempt"],
    ["a fraction for an integer", { ...base, cost: { input_tokens: 1.5 } }, "cost.input_tokens"],
    ["a timestamp that is not RFC 3339", { ...base, timestamp: "2025-10-09 08:53" }, "timestamp"],
    ["a tag that is not a string", { ...base, tags: ["a", 2] }, "tags[1]"],
    ["tags that are not a list", { ...base, tags: "a,b" }, "tags"],
    ["content and state_update both", { ...base, state_update: { a: 1 } }, "state_update"],
    ["metadata that is not an object", { ...base, metadata: [1] }, "metadata"],
    ["an event that is not an object", [] as unknown as JsonObject, "event"],
  ];
  it.each(cases)("%s", (_, json, field) => {
    let thrown: unknown;
    try {
      eventFromPublicJson(json);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ChaukasValidationError);
    expect((thrown as ChaukasValidationError).field).toBe(field);
  });

  it("but accepts what the API leaves open: missing required fields, null, unknown properties, free-text values", () => {
    const event = eventFromPublicJson({
      event_id: "e1",
      type: "SYSTEM",
      agent_name: null,
      x_vendor: { anything: true },
      content: { kind: "policy_decision", policy_id: "p", outcome: "escalate" },
    });
    expect(event.sessionId).toBe("");
    expect(event.status).toBe(EventStatus.UNSPECIFIED);
    expect(event.content).toEqual({
      case: "policy",
      value: expect.objectContaining({ outcome: "escalate" }),
    });
  });

  it("names the batch's property when a batch is read whole", () => {
    const json = { events: [base, { ...base, severity: "FATAL" }] };
    expect(() => fromPublicJson(EventBatchSchema, json)).toThrow(
      expect.objectContaining({ field: "events[1].severity" }),
    );
  });
});

describe("readPublicEventBatch", () => {
  it("keeps every event it can read and names the others by index and event_id", () => {
    const good = FULL_EVENTS.slice(0, 3).map(eventToPublicJson);
    const { batch, invalid } = readPublicEventBatch({
      batch_id: "b-1",
      events: [good[0], { ...good[1], type: "NOPE" }, good[2], "not an event", { event_id: 7 }],
    });
    expect(batch.batchId).toBe("b-1");
    expect(batch.events.map((e) => e.eventId)).toEqual([0, 2].map((i) => FULL_EVENTS[i]!.eventId));
    expect(invalid.map(({ index, eventId, error }) => [index, eventId, error.field])).toEqual([
      [1, FULL_EVENTS[1]!.eventId, "type"],
      [3, "", "event"],
      [4, "", "event_id"],
    ]);
  });

  it("throws only when the batch itself cannot be read", () => {
    expect(() => readPublicEventBatch({ events: {} })).toThrow(
      expect.objectContaining({ field: "events" }),
    );
    expect(() => readPublicEventBatch({ events: [], timestamp: 5 })).toThrow(
      expect.objectContaining({ field: "timestamp" }),
    );
    expect(() => readPublicEventBatch("[]")).toThrow(ChaukasValidationError);
    expect(readPublicEventBatch({}).batch.events).toEqual([]);
  });
});
