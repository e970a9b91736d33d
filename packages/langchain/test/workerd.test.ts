import { fileURLToPath } from "node:url";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bundleForRuntime } from "../../transport-web/test/support/bundle.js";
import type { WorkerReply } from "./worker/langchain-worker.js";

let devserver: DevServer;

beforeAll(async () => {
  devserver = await startDevServer({ port: 0 });
});

afterAll(async () => {
  await devserver?.close();
});

/*
 * The worker, LangChain, LangGraph and the Chaukas sources bundled into one ESM file, as for
 * deployment: for the browser platform, so packages' `browser` maps apply (LangSmith's client,
 * which @langchain/core loads, swaps its `node:fs` and `node:worker_threads` helpers there).
 */
const bundleWorker = () =>
  bundleForRuntime(
    fileURLToPath(new URL("./worker/langchain-worker.ts", import.meta.url)),
    "browser",
  );

it("records a LangGraph ReAct agent in workerd (Miniflare), nested in the session it was given, flushed through ctx.waitUntil", async () => {
  const mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: "2025-01-01",
    bindings: { CHAUKAS_URL: devserver.url },
  });
  try {
    const response = await mf.dispatchFetch("http://example.test/");
    expect(response.status).toBe(200);
    const reply = (await response.json()) as WorkerReply;
    expect(reply).toMatchObject({ text: "It is sunny in Paris.", handlerFailures: 0 });

    const ofSession = () =>
      devserver.store
        .events()
        .filter((e) => e.sessionId === reply.sessionId)
        .sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
    const expected = [
      "SESSION_START",
      "AGENT_START",
      "AGENT_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "AGENT_END",
      "AGENT_START",
      "TOOL_CALL_START",
      "TOOL_CALL_END",
      "AGENT_END",
      "AGENT_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "AGENT_END",
      "AGENT_END",
      "SESSION_END",
    ];
    await expect.poll(() => ofSession().length, { timeout: 10_000 }).toBe(expected.length);
    const events = ofSession();
    expect(events.map((e) => EventType[e.type])).toEqual(expected);
    const session = events[0] as Event;
    const graph = events[1] as Event;
    expect(graph.parentSpanId).toBe(session.spanId);
    expect(graph.agentName).toBe("edge_weather");
    for (const event of events) expect(event.traceId).toBe(session.traceId);
    const models = events.filter((e) => e.type === EventType.MODEL_INVOCATION_END);
    expect(models.map((e) => e.content.value)).toMatchObject([
      { promptTokens: 11, completionTokens: 3, finishReason: "tool_calls" },
      { promptTokens: 17, completionTokens: 6, finishReason: "stop" },
    ]);
    expect(events.find((e) => e.type === EventType.TOOL_CALL_END)).toMatchObject({
      status: EventStatus.COMPLETED,
      content: { value: { toolCallId: "call_edge", output: { content: "Sunny in Paris." } } },
    });
  } finally {
    await mf.dispose();
  }
});
