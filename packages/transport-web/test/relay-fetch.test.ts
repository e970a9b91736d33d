// The Fetch relay in Node, as a Next.js route handler or Hono route runs it: the browser client's
// own code (createChaukasWebClient) sends to it, its fetch handing each Request to the relay,
// which forwards through the server's client (with its key) to the local backend.
import { create } from "@bufbuild/protobuf";
import type { ChaukasClient } from "@chaukas/client";
import { eventToPublicJson } from "@chaukas/client/rest";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { EventSchema, EventType } from "@chaukas/spec/common/v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ChaukasRelayOptions,
  createChaukasRelay,
  createChaukasWebClient,
  type FetchRelay,
  type WaitUntilContext,
} from "../src/index.js";

const SERVER_KEY = "sk-server-only-5d2b80";

let backend: DevServer;
let server: ChaukasClient;

beforeAll(async () => {
  backend = await startDevServer({ port: 0, apiKey: SERVER_KEY });
  server = createChaukasWebClient({
    baseUrl: backend.url,
    apiKey: SERVER_KEY,
    tenantId: "server-tenant",
    projectId: "server-project",
  });
});

afterAll(async () => {
  await server?.shutdown();
  await backend?.close();
});

/** Alice owns these sessions; anyone else is refused. */
const ALICES_SESSIONS = ["session-binary", "session-JSON", "session-burst", "session-edge"];
const authorize: ChaukasRelayOptions<Request>["authorize"] = async (request) =>
  request.headers.get("cookie") === "sid=alice"
    ? { tenantId: "acme", projectId: "chat", sessionIds: ALICES_SESSIONS, callerId: "alice" }
    : null;

/** The page's client, its requests going to `relay` with the app's cookie; never a key. */
function pageClient(relay: FetchRelay, options: { tenantId?: string; json?: boolean } = {}) {
  const seen: Response[] = [];
  const client = createChaukasWebClient({
    baseUrl: "https://app.example/chaukas",
    tenantId: options.tenantId ?? "page-tenant",
    projectId: "page-project",
    useBinaryFormat: options.json !== true,
    headers: { cookie: "sid=alice" },
    maxBatchSize: 4,
    retry: { initialBackoffMs: 1, maxBackoffMs: 5 },
    fetch: async (input, init) => {
      const request = new Request(input, init);
      expect(request.headers.get("authorization")).toBeNull();
      const response = await relay(request);
      seen.push(response.clone());
      return response;
    },
  });
  return { client, seen };
}

async function storedIn(sessionId: string) {
  await server.flush();
  return backend.store.events().filter((e) => e.sessionId === sessionId);
}

describe("createChaukasRelay (Fetch Request, in Node)", () => {
  it.each([
    ["binary", false],
    ["JSON", true],
  ])(
    "forwards the browser client's Connect %s batches under the tenant authorize decided",
    async (format, json) => {
      const relay = createChaukasRelay(server, { authorize });
      const { client } = pageClient(relay, { tenantId: "forged-tenant", json });
      const session = client.startSession({ sessionId: `session-${format}`, agentId: "page" });
      session.inputReceived({ text: "hello" });
      session.end();
      await client.flush();
      expect(client.stats()).toMatchObject({ sent: 3, failed: 0 });
      const events = await storedIn(`session-${format}`);
      expect(events.map((e) => e.type)).toEqual([
        EventType.SESSION_START,
        EventType.INPUT_RECEIVED,
        EventType.SESSION_END,
      ]);
      for (const event of events) {
        expect(event).toMatchObject({ tenantId: "acme", projectId: "chat", agentId: "page" });
      }
      await client.shutdown();
    },
  );

  it("rejects a foreign session's events, and the page's client counts them failed, not retried", async () => {
    const relay = createChaukasRelay(server, { authorize });
    const { client, seen } = pageClient(relay);
    const session = client.startSession({ sessionId: "session-of-bob" });
    session.end();
    await client.flush();
    expect(client.stats()).toMatchObject({ sent: 0, failed: 2, retried: 0 });
    expect(seen.map((r) => r.status)).toEqual([403]);
    expect(relay.stats()).toMatchObject({ foreignSession: 2, forwarded: 0 });
    expect(await storedIn("session-of-bob")).toEqual([]);
    await client.shutdown();
  });

  it("answers a burst 429 with retry-after, and the page's client delivers every event after waiting", async () => {
    const relay = createChaukasRelay(server, { authorize, eventsPerSecond: 8, burstEvents: 4 });
    const { client, seen } = pageClient(relay);
    const session = client.startSession({ sessionId: "session-burst" });
    for (let i = 0; i < 6; i++) session.inputReceived({ text: `burst ${i}` });
    session.end();
    await client.flush();
    const limited = seen.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.headers.get("retry-after")).toBe("1");
    // Nothing lost: the refused batches came again after retry-after and were forwarded.
    expect(client.stats()).toMatchObject({ sent: 8, failed: 0 });
    expect(await storedIn("session-burst")).toHaveLength(8);
    expect(relay.stats()).toMatchObject({ forwarded: 8 });
    await client.shutdown();
  });

  it("answers 401 without authorize's grant, and 404 for paths that are not the relay's", async () => {
    const relay = createChaukasRelay(server, { authorize });
    const ingest = await relay(
      new Request(
        "https://app.example/chaukas/chaukas.spec.client.v1.ChaukasClientService/IngestEventBatch",
        {
          method: "POST",
          headers: { "content-type": "application/proto" },
          body: new Uint8Array(),
        },
      ),
    );
    expect(ingest.status).toBe(401);
    expect(await ingest.json()).toMatchObject({ code: "unauthenticated" });
    expect((await relay(new Request("https://app.example/chaukas/elsewhere"))).status).toBe(404);
  });

  it("hands the server client's flush to waitUntil when given the runtime's context", async () => {
    const relay = createChaukasRelay(server, { authorize });
    const handedOver: Promise<unknown>[] = [];
    const context: WaitUntilContext = { waitUntil: (promise) => void handedOver.push(promise) };
    const event = create(EventSchema, {
      eventId: crypto.randomUUID(),
      sessionId: "session-edge",
      type: EventType.INPUT_RECEIVED,
      content: { case: "message", value: { text: "from the edge" } },
    });
    const response = await relay(
      new Request("https://app.example/chaukas/v1/events/batch", {
        method: "POST",
        headers: { "content-type": "application/json", cookie: "sid=alice" },
        body: JSON.stringify({ events: [eventToPublicJson(event)] }),
      }),
      context,
    );
    expect(response.status).toBe(202);
    expect(handedOver).toHaveLength(1);
    await Promise.all(handedOver);
    // Delivered by the flush handed over, without flushing the server's client here.
    expect(backend.store.events().filter((e) => e.sessionId === "session-edge")).toHaveLength(1);
  });
});
