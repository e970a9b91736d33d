import { fileURLToPath } from "node:url";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bundleForRuntime } from "../../transport-web/test/support/bundle.js";
import type { WorkerReply } from "./worker/ai-sdk-worker.js";

const EXPECTED_TYPES = [
  "SESSION_START",
  "MODEL_INVOCATION_START",
  "MODEL_INVOCATION_END",
  "TOOL_CALL_START",
  "DATA_ACCESS",
  "TOOL_CALL_END",
  "MODEL_INVOCATION_START",
  "MODEL_INVOCATION_END",
  "SESSION_END",
];

let devserver: DevServer;

beforeAll(async () => {
  devserver = await startDevServer({ port: 0 });
});

afterAll(async () => {
  await devserver?.close();
});

/* The worker, the AI SDK and the Chaukas sources bundled into one ESM file, as for deployment. */
const bundleWorker = () =>
  bundleForRuntime(fileURLToPath(new URL("./worker/ai-sdk-worker.ts", import.meta.url)), "neutral");

it("records generateText with a tool call in workerd (Miniflare), flushed through ctx.waitUntil", async () => {
  const mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: "2025-01-01",
    bindings: { CHAUKAS_ENDPOINT: devserver.url },
  });
  try {
    const response = await mf.dispatchFetch("http://example.test/");
    expect(response.status).toBe(200);
    const reply = (await response.json()) as WorkerReply;
    expect(reply).toMatchObject({ text: "It is sunny in Paris.", telemetryFailures: 0 });

    const ofSession = () =>
      devserver.store
        .events()
        .filter((e) => e.sessionId === reply.sessionId)
        .sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
    await expect.poll(() => ofSession().length, { timeout: 10_000 }).toBe(EXPECTED_TYPES.length);
    const events = ofSession();
    expect(events.map((e) => EventType[e.type])).toEqual(EXPECTED_TYPES);

    const byType = (type: EventType) => events.filter((e) => e.type === type);
    const [session] = byType(EventType.SESSION_START) as [Event];
    const [toolStart] = byType(EventType.TOOL_CALL_START) as [Event];
    for (const event of events) expect(event.traceId).toBe(session.traceId);
    for (const event of [...byType(EventType.MODEL_INVOCATION_START), toolStart]) {
      expect(event.parentSpanId).toBe(session.spanId);
    }
    expect(byType(EventType.DATA_ACCESS)[0]?.parentSpanId).toBe(toolStart.spanId);
    expect(byType(EventType.MODEL_INVOCATION_END).map((e) => e.content.value)).toMatchObject([
      {
        provider: "mock-provider",
        promptTokens: 10,
        completionTokens: 5,
        finishReason: "tool-calls",
      },
      { provider: "mock-provider", promptTokens: 10, completionTokens: 5, finishReason: "stop" },
    ]);
    expect(byType(EventType.TOOL_CALL_END)[0]).toMatchObject({
      status: EventStatus.COMPLETED,
      content: { value: { toolCallId: "call-1", output: { city: "Paris", temperatureC: 21 } } },
    });
  } finally {
    await mf.dispose();
  }
});
