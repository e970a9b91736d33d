import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { IngestEventBatchRequestSchema } from "@chaukas/spec/client/v1";
import { type Event, EventBatchSchema, EventSchema, EventType } from "@chaukas/spec/common/v1";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PreEncodedIngestEventBatchRequestSchema } from "../gen/chaukas/client/v1/pre_encoded_batch_pb.js";
import { batchAggregates } from "./batch-aggregates.js";
import {
  batchForExporter,
  cutBatch,
  encodeEvents,
  freezeSealedBatch,
  freezesWhereItExposesEvents,
  preEncodedRequest,
  requestBytesOf,
  splitBatch,
} from "./encoded-batch.js";

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
  const bytes = encodeEvents(events);
  return cutBatch(
    events.map((event, i) => ({ event, bytes: bytes[i]!, seq: i })),
    maxEvents,
    maxBytes,
  );
}

describe("cutBatch", () => {
  it("sends, as a PreEncodedIngestEventBatchRequest, exactly the bytes of the spec's IngestEventBatchRequest", () => {
    fc.assert(
      fc.property(arbitraryEvents, (events) => {
        const batch = cut(events, 100, 1 << 30);
        expect(batch.events).toEqual(events);
        expect(batch).toMatchObject(batchAggregates(events));
        const sent = toBinary(PreEncodedIngestEventBatchRequestSchema, preEncodedRequest(batch)!);
        const expected = toBinary(
          IngestEventBatchRequestSchema,
          create(IngestEventBatchRequestSchema, { eventBatch: batch }),
        );
        expect(sent).toEqual(expected);
        expect(requestBytesOf(batch)).toBe(expected.length);
        // A server decodes it with the spec's schema and finds the events as they were.
        expect(fromBinary(IngestEventBatchRequestSchema, sent).eventBatch?.events).toEqual(events);
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
          const size = requestBytesOf(batch);
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

  it("freezes a sealed batch to the last nested field, so the bytes sent are always the events seen", () => {
    const events = [
      create(EventSchema, {
        eventId: "a",
        tags: ["t"],
        content: { case: "toolCall", value: { name: "search", arguments: { q: "x" } } },
      }),
    ];
    const batch = freezeSealedBatch(cut(events, 10, 1000));
    expect(() => {
      batch.batchId = "changed";
    }).toThrow(TypeError);
    expect(() => batch.events.push(create(EventSchema))).toThrow(TypeError);
    expect(() => {
      batch.events[0]!.tags.push("late");
    }).toThrow(TypeError);
    expect(() => {
      const call = batch.events[0]!.content.value as { arguments: { q: string } };
      call.arguments.q = "leaked";
    }).toThrow(TypeError);
    expect(preEncodedRequest(batch)).toBeDefined();
    // A batch an exporter builds itself has no encoding attached: it is encoded afresh.
    expect(preEncodedRequest(create(EventBatchSchema, { ...batch }))).toBeUndefined();
  });

  it("hands an exporter the batch frozen, unless it freezes the batch itself where it exposes the events", () => {
    const event = () =>
      create(EventSchema, {
        eventId: "a",
        content: { case: "toolCall", value: { name: "search", arguments: { q: "x" } } },
      });
    const exporter = { export: async () => {} };
    const connectLike = freezesWhereItExposesEvents({ export: async () => {} });
    const forExporter = batchForExporter(cut([event()], 10, 1000), exporter);
    expect(Object.isFrozen(forExporter.events[0]!.content.value)).toBe(true);
    const forConnectLike = batchForExporter(cut([event()], 10, 1000), connectLike);
    expect(Object.isFrozen(forConnectLike.events[0])).toBe(false);
    // A batch someone else built (no encodings attached) stays theirs: never frozen.
    const built = create(EventBatchSchema, { events: [event()] });
    expect(Object.isFrozen(batchForExporter(built, exporter).events[0])).toBe(false);
  });

  it("splits a batch into two sealed halves of the same events with new batch ids", () => {
    const events = Array.from({ length: 5 }, (_, i) => create(EventSchema, { eventId: `e${i}` }));
    const batch = cut(events, 10, 1 << 20);
    const [first, second] = splitBatch(batch);
    expect(first.events.map((e) => e.eventId)).toEqual(["e0", "e1", "e2"]);
    expect(second.events.map((e) => e.eventId)).toEqual(["e3", "e4"]);
    expect(new Set([batch.batchId, first.batchId, second.batchId]).size).toBe(3);
    for (const half of [first, second]) {
      expect(toBinary(PreEncodedIngestEventBatchRequestSchema, preEncodedRequest(half)!)).toEqual(
        request(half.events, half),
      );
    }
  });
});

describe("encodeEvents", () => {
  it("gives each event's binary encoding", () => {
    fc.assert(
      fc.property(arbitraryEvents, (events) => {
        const encodings = encodeEvents(events);
        expect(encodings).toHaveLength(events.length);
        encodings.forEach((bytes, i) => {
          expect(bytes).toEqual(toBinary(EventSchema, events[i]!));
        });
      }),
      { numRuns: 100 },
    );
  });

  it("throws for something that is not an Event instead of converting it", () => {
    expect(() => encodeEvents([{ eventId: "x" } as unknown as Event])).toThrow();
  });
});
