import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BytesValueSchema, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { IngestEventBatchRequestSchema } from "@chaukas/spec/client/v1";
import { EventBatchSchema, EventSchema, EventType } from "@chaukas/spec/common/v1";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { batchAggregates } from "./batch-aggregates.js";
import { encodedEventBatch, encodeEventBatch, encodeEventFields } from "./encoded-batch.js";

const arbitraryBatch = fc
  .record({
    specs: fc.array(
      fc.record({
        text: fc.string({ maxLength: 300 }),
        cost: fc.double({ noNaN: true, min: 0, max: 1e6 }),
        tokens: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        duration: fc.double({ noNaN: true, min: 0, max: 1e9 }),
      }),
      { maxLength: 30 },
    ),
    ms: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    batchId: fc.constantFrom("", "b", crypto.randomUUID()),
    metadata: fc.option(fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }))),
  })
  .map(({ specs, ms, batchId, metadata }) => {
    const events = specs.map((s, i) =>
      create(EventSchema, {
        eventId: `e${i}`,
        type: EventType.MODEL_INVOCATION_END,
        content: {
          case: "llmInvocation",
          value: { provider: s.text, totalTokens: s.tokens, durationMs: s.duration },
        },
        cost: { totalCost: s.cost },
      }),
    );
    return create(EventBatchSchema, {
      batchId,
      timestamp: timestampFromMs(ms),
      events,
      ...batchAggregates(events),
      ...(metadata === null
        ? {}
        : {
            metadata: {
              fields: Object.fromEntries(
                Object.entries(metadata).map(([k, v]) => [
                  k,
                  { kind: { case: "stringValue", value: v } },
                ]),
              ),
            },
          }),
    });
  });

describe("encodeEventBatch", () => {
  it("writes exactly toBinary(EventBatch) from the events' own encodings, in any split", () => {
    fc.assert(
      fc.property(arbitraryBatch, (batch) => {
        const encoded = encodeEventBatch(batch, encodeEventFields(batch.events));
        expect(encoded).toEqual(toBinary(EventBatchSchema, batch));
        // Batches are cut across encoding chunks: fields from several calls concatenate alike.
        const half = Math.floor(batch.events.length / 2);
        const pieces = [
          ...encodeEventFields(batch.events.slice(0, half)),
          ...encodeEventFields(batch.events.slice(half)),
        ];
        expect(encodeEventBatch(batch, pieces)).toEqual(encoded);
      }),
      { numRuns: 300 },
    );
  });

  it("sent as BytesValue, is byte-for-byte the IngestEventBatchRequest", () => {
    fc.assert(
      fc.property(arbitraryBatch, (batch) => {
        const encoded = encodeEventBatch(batch, encodeEventFields(batch.events));
        expect(toBinary(BytesValueSchema, create(BytesValueSchema, { value: encoded }))).toEqual(
          toBinary(
            IngestEventBatchRequestSchema,
            create(IngestEventBatchRequestSchema, { eventBatch: batch }),
          ),
        );
      }),
      { numRuns: 100 },
    );
  });

  it("is forgotten once the batch's id or event list change, so an edited batch is encoded afresh", () => {
    const [batch] = fc.sample(arbitraryBatch, { numRuns: 1, seed: 7 });
    if (batch === undefined) throw new Error("no sample");
    batch.events.push(create(EventSchema, { eventId: "x" }));
    const encoded = encodeEventBatch(batch, encodeEventFields(batch.events));
    expect(encodedEventBatch(batch)).toBe(encoded);
    batch.events.pop();
    expect(encodedEventBatch(batch)).toBeUndefined();

    const replaced = create(EventBatchSchema, { batchId: "a", events: [create(EventSchema)] });
    encodeEventBatch(replaced, encodeEventFields(replaced.events));
    replaced.events = [create(EventSchema, { eventId: "y" })];
    expect(encodedEventBatch(replaced)).toBeUndefined();

    const renamed = create(EventBatchSchema, { batchId: "a" });
    encodeEventBatch(renamed, []);
    renamed.batchId = "b";
    expect(encodedEventBatch(renamed)).toBeUndefined();
    expect(encodedEventBatch(create(EventBatchSchema))).toBeUndefined();
  });
});

describe("encodeEventFields", () => {
  it("gives each event as an EventBatch field: tag 3, length, toBinary(Event)", () => {
    fc.assert(
      fc.property(arbitraryBatch, ({ events }) => {
        const fields = encodeEventFields(events);
        expect(fields).toHaveLength(events.length);
        fields.forEach((field, i) => {
          const only = create(EventBatchSchema, { events: [events[i]!] });
          expect(field).toEqual(toBinary(EventBatchSchema, only));
          expect(
            fromBinary(
              EventSchema,
              field.subarray(field.length - toBinary(EventSchema, events[i]!).length),
            ),
          ).toEqual(events[i]);
        });
      }),
      { numRuns: 100 },
    );
  });
});
