import { fileURLToPath } from "node:url";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bundleForRuntime } from "../../transport-web/test/support/bundle.js";
import { type FakeOpenAI, startFakeOpenAI } from "./fake-openai.js";
import type { WorkerReply } from "./worker/openai-worker.js";

let devserver: DevServer;
let api: FakeOpenAI;

beforeAll(async () => {
  [devserver, api] = await Promise.all([startDevServer({ port: 0 }), startFakeOpenAI()]);
});

afterAll(async () => {
  await Promise.all([devserver?.close(), api?.close()]);
});

/* The worker, the openai SDK and the Chaukas sources bundled into one ESM file, as deployed. */
const bundleWorker = () =>
  bundleForRuntime(fileURLToPath(new URL("./worker/openai-worker.ts", import.meta.url)), "neutral");

it("records a wrapped openai client's calls, streamed and not, in workerd (Miniflare)", async () => {
  const mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: "2025-01-01",
    bindings: { CHAUKAS_URL: devserver.url, OPENAI_URL: api.url },
  });
  try {
    const response = await mf.dispatchFetch("http://example.test/");
    expect(response.status).toBe(200);
    const reply = (await response.json()) as WorkerReply;
    expect(reply).toMatchObject({
      answer: "Hello from the fake API.",
      streamed: "Hello stream.",
      wrapperFailures: 0,
    });

    const ofSession = () =>
      devserver.store
        .events()
        .filter((e) => e.sessionId === reply.sessionId)
        .sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
    await expect.poll(() => ofSession().length, { timeout: 10_000 }).toBe(6);
    const events = ofSession();
    expect(events.map((e) => EventType[e.type])).toEqual([
      "SESSION_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "SESSION_END",
    ]);
    const ends = events.filter((e) => e.type === EventType.MODEL_INVOCATION_END) as [Event, Event];
    expect(ends.map((e) => e.status)).toEqual([EventStatus.COMPLETED, EventStatus.COMPLETED]);
    expect(ends.map((e) => e.content.value)).toMatchObject([
      { model: "gpt-fake", promptTokens: 21, completionTokens: 9, finishReason: "stop" },
      { model: "gpt-fake", promptTokens: 21, completionTokens: 9, finishReason: "stop" },
    ]);
    expect(ends[1].metadata?.stream).toBe(true);
  } finally {
    await mf.dispose();
  }
});
