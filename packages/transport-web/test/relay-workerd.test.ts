// The Fetch relay in workerd (Miniflare): the browser client's own code sends to the worker's
// `/chaukas/` routes, and the worker forwards through its client, flushed with ctx.waitUntil.
import { fileURLToPath } from "node:url";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { EventType } from "@chaukas/spec/common/v1";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createChaukasWebClient, type RelayStats } from "../src/index.js";
import { bundleForRuntime } from "./support/bundle.js";

const SERVER_KEY = "sk-worker-only-91aa3c";

let backend: DevServer;
let mf: Miniflare;

beforeAll(async () => {
  backend = await startDevServer({ port: 0, apiKey: SERVER_KEY });
  mf = new Miniflare({
    modules: true,
    script: await bundleForRuntime(
      fileURLToPath(new URL("./fixtures/relay-worker.ts", import.meta.url)),
      "neutral",
    ),
    compatibilityDate: "2025-01-01",
    bindings: { CHAUKAS_URL: backend.url, CHAUKAS_API_KEY: SERVER_KEY },
  });
});

afterAll(async () => {
  await mf?.dispose();
  await backend?.close();
});

/** The page's client, sending to the worker with the app's cookie and no key. */
function pageClient(tenantId: string) {
  const statuses: number[] = [];
  const client = createChaukasWebClient({
    baseUrl: "http://app.example/chaukas",
    tenantId,
    projectId: "page-project",
    headers: { cookie: "sid=alice" },
    fetch: async (input, init) => {
      const response = (await mf.dispatchFetch(
        String(input),
        init as never,
      )) as unknown as Response;
      statuses.push(response.status);
      return response;
    },
  });
  return { client, statuses };
}

const storedIn = (sessionId: string) =>
  backend.store.events().filter((e) => e.sessionId === sessionId);

it("forwards the page's session from workerd under the tenant authorize decided, flushed through ctx.waitUntil", async () => {
  const { client, statuses } = pageClient("forged-tenant");
  const session = client.startSession({ sessionId: "session-w", agentId: "page" });
  session.inputReceived({ text: "hello from the page" });
  session.end();
  await client.flush();
  expect(statuses).toEqual([200]);
  // The worker's client flushes only on the relay's ctx.waitUntil (its interval is a minute).
  await expect.poll(() => storedIn("session-w").length, { timeout: 10_000 }).toBe(3);
  for (const event of storedIn("session-w")) {
    expect(event).toMatchObject({ tenantId: "acme", projectId: "edge-chat" });
  }
  expect(storedIn("session-w").map((e) => e.type)).toContain(EventType.INPUT_RECEIVED);
  await client.shutdown();
});

it("rejects foreign sessions (403) and unauthorized requests (401) in workerd, and counts them", async () => {
  const { client, statuses } = pageClient("acme");
  client.startSession({ sessionId: "session-of-bob" }).end();
  await client.flush();
  expect(statuses).toEqual([403]);
  const unauthorized = await mf.dispatchFetch(
    "http://app.example/chaukas/chaukas.spec.client.v1.ChaukasClientService/IngestEventBatch",
    { method: "POST", headers: { "content-type": "application/proto" }, body: new Uint8Array() },
  );
  expect(unauthorized.status).toBe(401);
  const stats = (await (
    await mf.dispatchFetch("http://app.example/relay-stats")
  ).json()) as RelayStats;
  expect(stats).toMatchObject({ foreignSession: 2, unauthorized: 1 });
  expect(storedIn("session-of-bob")).toEqual([]);
  await client.shutdown();
});
