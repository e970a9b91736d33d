import type { Event } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createBatchProcessor, createConnectExporter } from "../src/index.js";
import { createTestBackend, expectBalanced, recordSleeps, testEvent } from "./pipeline-fixtures.js";

const FAULTS = [
  undefined,
  undefined,
  undefined,
  Code.Unavailable,
  Code.InvalidArgument,
  Code.ResourceExhausted,
  "too-large",
] as const;

describe("stats()", () => {
  it("keeps emitted = sent + failed + dropped + queued + inFlight at every checkpoint, whatever the backend does", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...FAULTS), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 3 }),
        async (faults, bursts, concurrency) => {
          const backend = createTestBackend({
            behaviour: async ({ n, batch }) => {
              await new Promise((resolve) => setTimeout(resolve, 1));
              const fault = faults[n % faults.length];
              if (fault === "too-large" && batch.events.length > 1) {
                throw new ConnectError("batch too large", Code.ResourceExhausted);
              }
              if (typeof fault === "number") {
                throw new ConnectError("injected", fault);
              }
            },
          });
          const processor = createBatchProcessor({
            exporter: createConnectExporter(backend.transport),
            maxQueueSize: 150,
            maxBatchSize: 20,
            maxConcurrentExports: concurrency,
            flushIntervalMs: 5,
            retry: { maxAttempts: 3 },
            sleep: recordSleeps().sleep,
            prepare: (event) => (event.eventId.endsWith("7") ? null : event),
          });
          let next = 0;
          for (const size of bursts) {
            for (let i = 0; i < size; i++) {
              processor.enqueue(testEvent(next++));
            }
            // Not an Event at all: enqueue must not throw; it fails at encoding, counted.
            processor.enqueue({ eventId: 42n } as unknown as Event);
            expectBalanced(processor.stats());
            await new Promise((resolve) => setTimeout(resolve, 2));
            expectBalanced(processor.stats());
          }
          const result = await processor.shutdown({ timeoutMs: 5000 });
          expect(result.completed).toBe(true);
          const stats = processor.stats();
          expectBalanced(stats);
          expect(stats).toMatchObject({ queued: 0, inFlight: 0 });
          // What the backend accepted is exactly what the stats call sent, with no duplicate.
          const ids = backend.acceptedIds();
          expect(ids).toHaveLength(stats.sent);
          expect(new Set(ids).size).toBe(ids.length);
        },
      ),
      { numRuns: 15 },
    );
  });
});
