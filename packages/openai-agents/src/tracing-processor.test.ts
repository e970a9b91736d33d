import {
  type ChaukasClient,
  ChaukasValidationError,
  createChaukasClient,
  type EventExporter,
} from "@chaukas/client";
import { type Event, EventType } from "@chaukas/spec/common/v1";
import {
  setTraceProcessors,
  setTracingDisabled,
  withCustomSpan,
  withTrace,
} from "@openai/agents-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChaukasTracingProcessor } from "./tracing-processor.js";

/** A real client whose batches end up in memory. */
function memoryClient(): { chaukas: ChaukasClient; sent: Event[] } {
  const sent: Event[] = [];
  const exporter: EventExporter = {
    async export(batch) {
      sent.push(...batch.events);
    },
  };
  return { chaukas: createChaukasClient({ exporter, tenantId: "acme", projectId: "unit" }), sent };
}

beforeAll(() => setTracingDisabled(false));
afterAll(() => setTraceProcessors([]));

describe("createChaukasTracingProcessor", () => {
  it("refuses bad options with a ChaukasValidationError naming the field", () => {
    const { chaukas } = memoryClient();
    const bad: [unknown, unknown, string][] = [
      [{}, {}, "chaukas"],
      [chaukas, { recordInputs: "no" }, "recordInputs"],
      [chaukas, { recordOutputs: 0 }, "recordOutputs"],
      [chaukas, { provider: "" }, "provider"],
      [chaukas, { flushTimeoutMs: -1 }, "flushTimeoutMs"],
      [chaukas, { onError: "log" }, "onError"],
    ];
    for (const [client, options, field] of bad) {
      expect(() => createChaukasTracingProcessor(client as never, options as never)).toThrow(
        expect.objectContaining({ name: ChaukasValidationError.name, field }),
      );
    }
  });

  it("starts the session at the first span when it was added after the trace started", async () => {
    const { chaukas, sent } = memoryClient();
    const processor = createChaukasTracingProcessor(chaukas);
    setTraceProcessors([]);
    await withTrace("late", async () => {
      setTraceProcessors([processor]);
      await withCustomSpan(async () => {}, { data: { name: "step", data: { n: 1 } } });
    });
    await processor.forceFlush();
    expect(sent.map((e) => EventType[e.type])).toEqual(["SESSION_START", "SYSTEM", "SESSION_END"]);
    const [start, system, end] = sent;
    expect(system).toMatchObject({ sessionId: start!.sessionId, parentSpanId: start!.spanId });
    expect(end!.spanId).toBe(start!.spanId);
    expect(processor.stats()).toEqual({ failed: 0, openTraces: 0, openSpans: 0 });
    expect(chaukas.stats().emitted).toBe(3);
  });

  it("flushes the client on shutdown and leaves it open for the application's own events", async () => {
    const { chaukas, sent } = memoryClient();
    const processor = createChaukasTracingProcessor(chaukas);
    await processor.shutdown();
    chaukas.startSession({ agentId: "app" }).end();
    await chaukas.flush();
    expect(sent.map((e) => EventType[e.type])).toEqual(["SESSION_START", "SESSION_END"]);
    expect(chaukas.stats().dropped.shutdown).toBe(0);
  });
});
