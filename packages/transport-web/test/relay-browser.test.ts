// The relay as a browser meets it, in Debian's Chromium: an app server serves the page and
// mounts the Node relay at /chaukas on the same origin; its own Chaukas client holds the key the
// backend requires. The page's client is `createChaukasWebClient({ baseUrl: "/chaukas" })`.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChaukasClient } from "@chaukas/client";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { EventType } from "@chaukas/spec/common/v1";
import {
  createChaukasNodeClient,
  createChaukasRelay,
  type NodeRelay,
} from "@chaukas/transport-node";
import type { Browser, Page, Request as PlaywrightRequest } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PageResult, RelayPageApi } from "./fixtures/relay-page.js";
import { bundleForRuntime } from "./support/bundle.js";
import { launchChromium } from "./support/chromium.js";

/** The server's key: the backend refuses anything without it; the page must never see it. */
const SERVER_KEY = "sk-server-only-0f3a6d2e";
const INGEST_PATH = "/chaukas/chaukas.spec.client.v1.ChaukasClientService/IngestEventBatch";

let backend: DevServer;
let server: ChaukasClient;
let relay: NodeRelay;
let browser: Browser;
let bundle: string;
let app: { url: string; close(): Promise<void> };
/** The app's sessions: cookie value → the Chaukas session that page may write. */
const sessions = new Map<string, string>();

function cookieOf(request: IncomingMessage): string | undefined {
  return /(?:^|;\s*)sid=([^;]+)/.exec(request.headers.cookie ?? "")?.[1];
}

beforeAll(async () => {
  [backend, bundle, browser] = await Promise.all([
    startDevServer({ port: 0, apiKey: SERVER_KEY }),
    bundleForRuntime(new URL("./fixtures/relay-page.ts", import.meta.url).pathname),
    launchChromium(),
  ]);
  server = createChaukasNodeClient({
    baseUrl: backend.url,
    apiKey: SERVER_KEY,
    tenantId: "app-server",
    projectId: "app-server",
    exitFlush: false,
  });
  relay = createChaukasRelay(server, {
    // The app's decision: its session cookie names the one Chaukas session the page may write.
    authorize: (request) => {
      const sid = cookieOf(request);
      const sessionId = sid === undefined ? undefined : sessions.get(sid);
      return sessionId === undefined
        ? null
        : { tenantId: "acme", projectId: "web-app", sessionIds: [sessionId], callerId: sid };
    },
    eventsPerSecond: 10,
    burstEvents: 10,
  });
  const http = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path.startsWith("/chaukas/")) {
      void relay(req, res);
    } else if (path === "/") {
      const sid = randomUUID();
      const sessionId = randomUUID();
      sessions.set(sid, sessionId);
      res
        .writeHead(200, {
          "content-type": "text/html",
          "set-cookie": `sid=${sid}; Path=/; HttpOnly; SameSite=Strict`,
        })
        .end(
          `<!doctype html><meta name="chaukas-session" content="${sessionId}"><script type="module" src="/page.js"></script>`,
        );
    } else if (path === "/page.js") {
      res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  app = {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
});

afterAll(async () => {
  await browser?.close();
  await server?.shutdown();
  await app?.close();
  await backend?.close();
});

interface Traffic {
  readonly requests: PlaywrightRequest[];
  readonly statuses: { url: string; status: number; retryAfter: string | undefined }[];
}

/** A fresh page (its own cookie, so its own caller budget), recording all it sends. */
async function openPage(): Promise<{ page: Page; traffic: Traffic }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const traffic: Traffic = { requests: [], statuses: [] };
  page.on("request", (request) => traffic.requests.push(request));
  page.on("response", (response) =>
    traffic.statuses.push({
      url: new URL(response.url()).pathname,
      status: response.status(),
      retryAfter: response.headers()["retry-after"],
    }),
  );
  await page.goto(`${app.url}/`);
  await page.waitForFunction(() => document.title === "ready");
  return { page, traffic };
}

function call<M extends keyof RelayPageApi>(
  page: Page,
  method: M,
  ...args: Parameters<RelayPageApi[M]>
): Promise<Awaited<ReturnType<RelayPageApi[M]>>> {
  return page.evaluate(
    ([name, values]) =>
      // biome-ignore lint/suspicious/noExplicitAny: the page's API, called by name
      (globalThis as any).relayPage[name](...values),
    [method, args] as const,
  );
}

/** What the backend stored for a session, once the server's client has delivered it. */
async function storedIn(sessionId: string) {
  await server.flush();
  return backend.store.events().filter((e) => e.sessionId === sessionId);
}

/** No request the page made carried the key, or any credential but the app's own cookie. */
async function expectNoKeyIn(traffic: Traffic) {
  expect(traffic.requests.length).toBeGreaterThan(0);
  for (const request of traffic.requests) {
    expect(new URL(request.url()).origin).toBe(app.url);
    const headers = await request.allHeaders();
    expect(headers.authorization).toBeUndefined();
    expect(JSON.stringify(headers)).not.toContain(SERVER_KEY);
    expect(request.url()).not.toContain(SERVER_KEY);
    expect(request.postDataBuffer()?.toString("latin1") ?? "").not.toContain(SERVER_KEY);
  }
}

describe("a page sending through the relay on its own origin", () => {
  it("ships no key: not in the served bundle, not in any request the page makes", async () => {
    expect(bundle).not.toContain(SERVER_KEY);
    const { page, traffic } = await openPage();
    await call(page, "recordSession", "acme");
    await expectNoKeyIn(traffic);
    expect(traffic.statuses.filter((s) => s.url === INGEST_PATH)).toEqual([
      { url: INGEST_PATH, status: 200, retryAfter: undefined },
    ]);
    await page.context().close();
  });

  it("stores the page's events under the tenant and project the server decided, whatever the page claimed", async () => {
    const { page } = await openPage();
    const result: PageResult = await call(page, "recordSession", "evil-corp");
    expect(result.stats).toMatchObject({ sent: 3, failed: 0 });
    const events = await storedIn(result.sessionId);
    expect(events.map((e) => e.type)).toEqual([
      EventType.SESSION_START,
      EventType.INPUT_RECEIVED,
      EventType.SESSION_END,
    ]);
    for (const event of events) {
      expect(event).toMatchObject({ tenantId: "acme", projectId: "web-app", agentId: "page" });
    }
    await page.context().close();
  });

  it("rejects events for a session the server did not grant: 403, counted, nothing stored", async () => {
    const { page, traffic } = await openPage();
    const foreign = randomUUID();
    const before = relay.stats().foreignSession;
    const result = await call(page, "recordForeignSession", foreign);
    expect(result.stats).toMatchObject({ sent: 0, failed: 2, retried: 0 });
    expect(result.errors).toEqual(["rejected"]);
    expect(traffic.statuses.filter((s) => s.url === INGEST_PATH).map((s) => s.status)).toEqual([
      403,
    ]);
    expect(relay.stats().foreignSession - before).toBe(2);
    expect(await storedIn(foreign)).toEqual([]);
    await page.context().close();
  });

  it("answers 401 to a request without the app's session", async () => {
    const { page } = await openPage();
    expect(await call(page, "postWithoutCookie")).toBe(401);
    await page.context().close();
  });

  it("answers a burst 429 with retry-after, and loses nothing: the page's client sends the rest after waiting", async () => {
    const { page, traffic } = await openPage();
    // 16 events in batches of 4 against 10 per second with a burst of 10.
    const result = await call(page, "burst", 16, 4);
    const answers = traffic.statuses.filter((s) => s.url === INGEST_PATH);
    expect(answers.map((s) => s.status)).toContain(429);
    for (const limited of answers.filter((s) => s.status === 429)) {
      expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(result.stats).toMatchObject({ sent: 16, failed: 0 });
    expect(await storedIn(result.sessionId)).toHaveLength(16);
    await page.context().close();
  });

  it("delivers what was queued when the page is left, through the relay (page-hide keepalive flush)", async () => {
    const { page, traffic } = await openPage();
    const sessionId = await page.evaluate(
      () => document.querySelector('meta[name="chaukas-session"]')!.getAttribute("content")!,
    );
    await call(page, "queueForPageHide", 5);
    expect(await storedIn(sessionId)).toEqual([]);
    await page.goto("about:blank");
    await expect.poll(async () => (await storedIn(sessionId)).length, { timeout: 10_000 }).toBe(5);
    for (const event of await storedIn(sessionId)) {
      expect(event).toMatchObject({ tenantId: "acme", agentId: "page-hide" });
    }
    await expectNoKeyIn(traffic);
    await page.context().close();
  });
});
