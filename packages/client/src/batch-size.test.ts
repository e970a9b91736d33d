import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { IngestEventBatchRequestSchema } from "@chaukas/spec/client/v1";
import { EventBatchSchema, EventSchema, EventType } from "@chaukas/spec/common/v1";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { batchAggregates } from "./batch-aggregates.js";
import { eventFieldSize, ingestRequestSize } from "./batch-size.js";

describe("ingestRequestSize", () => {
  it("equals the length of toBinary(IngestEventBatchRequest) for any events, time and aggregates", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            text: fc.string({ maxLength: 300 }),
            cost: fc.double({ noNaN: true, min: 0, max: 1e6 }),
            tokens: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
            duration: fc.double({ noNaN: true, min: 0, max: 1e9 }),
          }),
          { maxLength: 30 },
        ),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.constantFrom("", "b", crypto.randomUUID()),
        (specs, ms, batchId) => {
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
          const aggregates = batchAggregates(events);
          const timestamp = timestampFromMs(ms);
          const eventBytes = events.reduce(
            (n, e) => n + eventFieldSize(toBinary(EventSchema, e).length),
            0,
          );
          const actual = toBinary(IngestEventBatchRequestSchema, {
            $typeName: "chaukas.spec.client.v1.IngestEventBatchRequest",
            eventBatch: create(EventBatchSchema, { batchId, timestamp, events, ...aggregates }),
          }).length;
          expect(
            ingestRequestSize({ batchIdBytes: batchId.length, timestamp, aggregates }, eventBytes),
          ).toBe(actual);
        },
      ),
      { numRuns: 300 },
    );
  });
});
