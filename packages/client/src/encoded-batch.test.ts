import { create, toBinary } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { IngestEventBatchRequestSchema } from "@chaukas/spec/client/v1";
import { type Event, EventBatchSchema, EventSchema, EventType } from "@chaukas/spec/common/v1";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { batchAggregates } from "./batch-aggregates.js";
import { cutEncodedBatch, encodedEventBatch, encodeEventFields } from "./encoded-batch.js";

const arbitraryEvents = fc
  .array(
    fc.record({
      text: fc.string({ maxLength: 300 }),
      cost: fc.double({ noNaN: true, min: -10, max: 1e6 }),
      tokens: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      duration: fc.double({ noNaN: true, min: 0, max: 1e9 }),
      type: fc.constantFrom(EventType.MODEL_INVOCATION_END, EventType.SYSTEM),
    }),
    { minLength: 1, maxLength: 30 },
  )
  .map((specs) =>
    specs.map((s, i) =>
      create(EventSchema, {
        eventId: `e${i}`,
        type: s.type,
        content: {
          case: "llmInvocation",
          value: { provider: s.text, totalTokens: s.tokens, durationMs: s.duration },
        },
        cost: { totalCost: s.cost },
      }),
    ),
  );

function request(events: Event[], batch: { batchId: string; timestamp?: unknown }): Uint8Array {
  return toBinary(
    IngestEventBatchRequestSchema,
    create(IngestEventBatchRequestSchema, {
      eventBatch: create(EventBatchSchema, {
        batchId: batch.batchId,
        timestamp: batch.timestamp as never,
        events,
        ...batchAggregates(events),
      }),
    }),
  );
}

function cut(events: Event[], maxEvents: number, maxBytes: number) {
  const fields = encodeEventFields(events);
  return cutEncodedBatch(
    events.map((event, i) => [event, fields[i]!] as const),
    maxEvents,
    maxBytes,
  );
}

describe("cutEncodedBatch", () => {
  it("carries exactly the bytes of its IngestEventBatchRequest, sent as an unknown field 1", () => {
    fc.assert(
      fc.property(arbitraryEvents, (events) => {
        const batch = cut(events, 100, 1 << 30);
        expect(batch.events).toEqual(events);
        expect(batch).toMatchObject(batchAggregates(events));
        const data = encodedEventBatch(batch)!;
        const expected = toBinary(
          IngestEventBatchRequestSchema,
          create(IngestEventBatchRequestSchema, { eventBatch: batch }),
        );
        expect(Uint8Array.of(0x0a, ...data)).toEqual(expected);
        // What the Connect exporter sends on a binary transport.
        expect(
          toBinary(IngestEventBatchRequestSchema, {
            $typeName: IngestEventBatchRequestSchema.typeName,
            $unknown: [{ no: 1, wireType: WireType.LengthDelimited, data }],
          }),
        ).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("takes as many events as fit maxBytes of the request, measured exactly, and maxEvents", () => {
    fc.assert(
      fc.property(
        arbitraryEvents,
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 6000 }),
        (events, maxEvents, maxBytes) => {
          const batch = cut(events, maxEvents, maxBytes);
          const taken = batch.events.length;
          expect(batch.events).toEqual(events.slice(0, taken));
          expect(taken).toBeGreaterThanOrEqual(1);
          expect(taken).toBeLessThanOrEqual(maxEvents);
          const size = encodedEventBatch(batch)!.length + 1;
          expect(size).toBe(request(batch.events, batch).length);
          // A lone event above the limit still goes: only the backend can refuse it.
          if (taken > 1) expect(size).toBeLessThanOrEqual(maxBytes);
          if (taken < Math.min(maxEvents, events.length)) {
            expect(request(events.slice(0, taken + 1), batch).length).toBeGreaterThan(maxBytes);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives a fresh UUIDv7 batch id and the current time to each batch", () => {
    const events = [create(EventSchema, { eventId: "a" })];
    const first = cut(events, 1, 100);
    const second = cut(events, 1, 100);
    expect(first.batchId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(second.batchId).not.toBe(first.batchId);
    expect(Number(first.timestamp?.seconds)).toBeCloseTo(Date.now() / 1000, -1);
  });

  it("forgets its encoding once the batch's id or event list change, so an edited batch is encoded afresh", () => {
    const events = [create(EventSchema, { eventId: "a" }), create(EventSchema, { eventId: "b" })];
    const popped = cut(events, 10, 1000);
    expect(encodedEventBatch(popped)).toBeDefined();
    popped.events.pop();
    expect(encodedEventBatch(popped)).toBeUndefined();

    const replaced = cut(events, 10, 1000);
    replaced.events = replaced.events.filter(() => true);
    expect(encodedEventBatch(replaced)).toBeUndefined();

    const renamed = cut(events, 10, 1000);
    renamed.batchId = "b";
    expect(encodedEventBatch(renamed)).toBeUndefined();
    expect(encodedEventBatch(create(EventBatchSchema))).toBeUndefined();
  });
});

describe("encodeEventFields", () => {
  it("gives each event as an EventBatch field: tag 3, length, toBinary(Event)", () => {
    fc.assert(
      fc.property(arbitraryEvents, (events) => {
        const fields = encodeEventFields(events);
        expect(fields).toHaveLength(events.length);
        fields.forEach((field, i) => {
          expect(field).toEqual(
            toBinary(EventBatchSchema, create(EventBatchSchema, { events: [events[i]!] })),
          );
        });
      }),
      { numRuns: 100 },
    );
  });

  it("throws for something that is not an Event instead of converting it", () => {
    expect(() => encodeEventFields([{ eventId: "x" } as unknown as Event])).toThrow();
  });
});
