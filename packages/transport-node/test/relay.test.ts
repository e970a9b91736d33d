// The Node relay behind an Express-style app on a real HTTP server: mounted under a prefix the
// app strips (as Express's `app.use("/chaukas", relay)` does), with `next()` for what is not the
// relay's, forwarding through the server's own client (with its key) to the local backend.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { createChaukasClient } from "@chaukas/client";
import { eventToPublicJson } from "@chaukas/client/rest";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventSchema, EventType } from "@chaukas/spec/common/v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChaukasNodeClient } from "../src/node-client.js";
import { createChaukasRelay, type NodeRelay } from "../src/node-relay.js";
import { createNodeTransport } from "../src/node-transport.js";

/** The server's key: the backend requires it, and no answer to the page may contain it. */
const SERVER_KEY = "sk-server-only-7c1f9e";

let backend: DevServer;
let relay: NodeRelay;
let serverChaukas: ReturnType<typeof createChaukasNodeClient>;
let app: { url: string; close(): Promise<void> };
/** Requests the app's own routes (`next()`) received. */
const appRoutes: string[] = [];

/** A minimal Express: `use(prefix, handler)` strips the prefix from `req.url`, keeps `originalUrl`. */
function expressStyleApp(mounts: [string, NodeRelay][]) {
  return (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) => {
    const url = req.url ?? "/";
    for (const [prefix, handler] of mounts) {
      if (url === prefix || url.startsWith(`${prefix}/`)) {
        req.originalUrl = url;
        req.url = url.slice(prefix.length) || "/";
        const next = (error?: unknown) => {
          req.url = url;
          appRoutes.push(url);
          res.writeHead(error === undefined ? 404 : 500).end(error === undefined ? "app" : "error");
        };
        void handler(req, res, next);
        return;
      }
    }
    appRoutes.push(url);
    res.writeHead(404).end("app");
  };
}

/** Reads a JSON body into `req.body` first, as `express.json()` does. */
function withJsonParser(handler: ReturnType<typeof expressStyleApp>) {
  return async (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => {
    if (req.headers["x-parse-first"] !== undefined) {
      let text = "";
      for await (const chunk of req) text += chunk;
      if (req.headers["x-parse-first"] === "json") req.body = JSON.parse(text);
    }
    handler(req, res);
  };
}

beforeAll(async () => {
  backend = await startDevServer({ port: 0, apiKey: SERVER_KEY });
  serverChaukas = createChaukasNodeClient({
    baseUrl: backend.url,
    apiKey: SERVER_KEY,
    tenantId: "server-tenant",
    projectId: "server-project",
    exitFlush: false,
  });
  relay = createChaukasRelay(serverChaukas, {
    authorize: (req) =>
      req.headers.cookie === "sid=alice"
        ? { tenantId: "acme", projectId: "chat", sessionIds: ["session-a"], callerId: "alice" }
        : null,
  });
  const server = createServer(withJsonParser(expressStyleApp([["/chaukas", relay]])));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  app = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});

afterAll(async () => {
  await serverChaukas?.shutdown();
  await app?.close();
  await backend?.close();
});

/** A client sending to the relay as a page's would: Connect, no key, the app's cookie. */
function pageClient(tenantId: string) {
  return createChaukasClient({
    transport: createNodeTransport({
      baseUrl: `${app.url}/chaukas`,
      protocol: "connect",
      compression: "none",
      headers: { cookie: "sid=alice" },
    }),
    tenantId,
    projectId: "page-project",
  });
}

async function stored(sessionId: string): Promise<Event[]> {
  await serverChaukas.flush();
  return backend.store.events().filter((e) => e.sessionId === sessionId);
}

describe("createChaukasRelay (Node)", () => {
  it("forwards a client's session with the server's key, under the tenant authorize decided", async () => {
    const page = pageClient("forged-tenant");
    const session = page.startSession({ sessionId: "session-a", agentId: "page" });
    session.inputReceived({ text: "hello" });
    session.end();
    await page.flush();
    expect(page.stats()).toMatchObject({ sent: 3, failed: 0 });
    const events = await stored("session-a");
    expect(events.map((e) => e.type)).toEqual([
      EventType.SESSION_START,
      EventType.INPUT_RECEIVED,
      EventType.SESSION_END,
    ]);
    for (const event of events)
      expect(event).toMatchObject({ tenantId: "acme", projectId: "chat" });
    expect(relay.stats().forwarded).toBeGreaterThanOrEqual(3);
    await page.shutdown();
  });

  it("answers the REST batch, unauthorized requests and foreign sessions without the server's key", async () => {
    const batch = (sessionId: string) =>
      JSON.stringify({
        events: [eventToPublicJson(pageEvent(sessionId))],
      });
    const post = (body: string, cookie?: string) =>
      fetch(`${app.url}/chaukas/v1/events/batch`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
        body,
      });
    const accepted = await post(batch("session-a"), "sid=alice");
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ accepted_count: 1, rejected_count: 0 });
    const foreign = await post(batch("session-of-bob"), "sid=alice");
    expect(await foreign.json()).toMatchObject({ accepted_count: 0, rejected_count: 1 });
    const unauthorized = await post(batch("session-a"));
    expect(unauthorized.status).toBe(401);
    for (const response of [accepted, foreign, unauthorized]) {
      expect(JSON.stringify([...response.headers])).not.toContain(SERVER_KEY);
    }
    expect(await stored("session-of-bob")).toEqual([]);
  });

  it("uses a body an Express JSON parser already read, and answers 500 when the body is gone", async () => {
    const body = JSON.stringify({ events: [eventToPublicJson(pageEvent("session-a"))] });
    const headers = { "content-type": "application/json", cookie: "sid=alice" };
    const parsed = await fetch(`${app.url}/chaukas/v1/events/batch`, {
      method: "POST",
      headers: { ...headers, "x-parse-first": "json" },
      body,
    });
    expect(parsed.status).toBe(202);
    const consumed = await fetch(`${app.url}/chaukas/v1/events/batch`, {
      method: "POST",
      headers: { ...headers, "x-parse-first": "discard" },
      body,
    });
    expect(consumed.status).toBe(500);
  });

  it("leaves other paths under its mount to the app (next), and is not reached outside it", async () => {
    appRoutes.length = 0;
    expect((await fetch(`${app.url}/chaukas/other`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${app.url}/v1/events/batch`, { method: "POST" })).status).toBe(404);
    expect(appRoutes).toEqual(["/chaukas/other", "/v1/events/batch"]);
  });
});

function pageEvent(sessionId: string): Event {
  return create(EventSchema, {
    eventId: crypto.randomUUID(),
    sessionId,
    type: EventType.INPUT_RECEIVED,
    content: { case: "message", value: { text: "hi" } },
  });
}
