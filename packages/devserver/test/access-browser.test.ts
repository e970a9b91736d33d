// What a page in Chromium can do with a devserver, by where the page comes from. Chromium's
// --host-resolver-rules points every *.test name at 127.0.0.1, so a page on
// http://evil.test:<port> is another website to the browser while it runs on this machine, and
// http://rebind.test:<devserver port> is DNS rebinding: another name for the devserver itself.
import { toJsonString } from "@bufbuild/protobuf";
import { EventSchema, EventType } from "@chaukas/spec/common/v1";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../transport-web/test/support/chromium.js";
import { startStaticServer } from "../../transport-web/test/support/static-server.js";
import { type DevServer, startDevServer } from "../src/index.js";
import { chaukasClient } from "./clients.js";
import { makeEvent, oneOfEachType } from "./fixtures.js";

const SERVICE = "/chaukas.spec.client.v1.ChaukasClientService";
/** A `QueryEvents` request for every event, in Connect's JSON. */
const QUERY_ALL = '{"query":{}}';

let site: Awaited<ReturnType<typeof startStaticServer>>;
/** A server as `chaukas-devserver` starts it by default. */
let server: DevServer;
/** A server that allows one more origin: the site's under the name app.test. */
let widened: DevServer;
let browser: Browser;

beforeAll(async () => {
  [site, browser] = await Promise.all([
    startStaticServer({ "/": ["text/html", "<!doctype html><title>a page</title>"] }),
    launchChromium(["--host-resolver-rules=MAP *.test 127.0.0.1"]),
  ]);
  [server, widened] = await Promise.all([
    startDevServer(),
    startDevServer({ corsOrigins: [`http://app.test:${sitePort()}`] }),
  ]);
  await chaukasClient("grpc (HTTP/2)", server.url).ingestEventBatch({
    eventBatch: { events: oneOfEachType({ sessionId: "stored-session" }) },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([browser?.close(), site?.close(), server?.close(), widened?.close()]);
});

function sitePort(): string {
  return new URL(site.url).port;
}

/** What a page's own script gets back from a call: the answer, or how the browser blocked it. */
interface CallResult {
  readonly blocked: boolean;
  readonly status?: number;
  readonly body?: string;
}

/**
 * Opens the site under `hostname` and calls `method` of `target` from the page with fetch, as
 * any script on it could (Connect's JSON protocol: the simplest call a page can make).
 */
async function callFromPage(
  hostname: string,
  target: string,
  method: "QueryEvents" | "IngestEvent",
  body: string,
): Promise<CallResult> {
  const page = await browser.newPage();
  try {
    await page.goto(`http://${hostname}:${sitePort()}/`);
    return await fetchFrom(page, `${target}${SERVICE}/${method}`, body);
  } finally {
    await page.close();
  }
}

function fetchFrom(page: Page, url: string, body: string): Promise<CallResult> {
  return page.evaluate(
    async ([url, body]) => {
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        return { blocked: false, status: response.status, body: await response.text() };
      } catch {
        return { blocked: true };
      }
    },
    [url, body] as const,
  );
}

function ingestBody(eventId: string): string {
  return `{"event":${toJsonString(EventSchema, makeEvent(EventType.SYSTEM, 1, { eventId, sessionId: "from-pages" }))}}`;
}

describe("a page on another website", () => {
  it("can neither read QueryEvents nor write IngestEvent; the calls never reach the service", async () => {
    const callsBefore = server.store.calls.total;
    const read = await callFromPage("evil.test", server.url, "QueryEvents", QUERY_ALL);
    const write = await callFromPage("evil.test", server.url, "IngestEvent", ingestBody("evil"));
    expect(read).toEqual({ blocked: true });
    expect(write).toEqual({ blocked: true });
    expect(server.store.get("evil")).toBeUndefined();
    expect(server.store.calls.total).toBe(callsBefore);
  });

  it("can do both from a loopback origin (the same page on 127.0.0.1)", async () => {
    const read = await callFromPage("127.0.0.1", server.url, "QueryEvents", QUERY_ALL);
    expect(read.status).toBe(200);
    expect(read.body).toContain("stored-session");
    const write = await callFromPage("127.0.0.1", server.url, "IngestEvent", ingestBody("local"));
    expect(write.status).toBe(200);
    expect(server.store.get("local")).toBeDefined();
  });

  it("can do both once its origin is allowed with corsOrigins, on that server only", async () => {
    const allowed = await callFromPage(
      "app.test",
      widened.url,
      "IngestEvent",
      ingestBody("allowed"),
    );
    expect(allowed.status).toBe(200);
    expect(widened.store.get("allowed")).toBeDefined();
    expect(await callFromPage("app.test", server.url, "QueryEvents", QUERY_ALL)).toEqual({
      blocked: true,
    });
  });
});

describe("DNS rebinding: the devserver's own port under another name", () => {
  it("answers neither the viewer nor a same-origin call, and says how to allow the name", async () => {
    const page = await browser.newPage();
    const response = await page.goto(`http://rebind.test:${server.port}/`);
    expect(response?.status()).toBe(403);
    const text = (await page.textContent("body")) ?? "";
    expect(text).toContain(`the host "rebind.test:${server.port}" is not allowed`);
    expect(text).toContain("--allowed-host rebind.test");

    const read = await fetchFrom(page, `${SERVICE}/QueryEvents`, QUERY_ALL);
    expect(read.status).toBe(403);
    expect(read.body).toContain("permission_denied");
    expect(read.body).not.toContain("stored-session");
    await page.close();
  });
});

describe("the viewer", () => {
  it("shows the stored sessions and new ones as they arrive (same origin, no API key)", async () => {
    const page = await browser.newPage();
    await page.goto(server.viewerUrl);
    await page.locator('.sessions tr[data-session-id="stored-session"]').waitFor();
    await chaukasClient("connect (HTTP/1.1, JSON)", server.url).ingestEvent({
      event: makeEvent(EventType.SESSION_START, 1, { eventId: "live", sessionId: "live-session" }),
    });
    await page.locator('.sessions tr[data-session-id="live-session"]').waitFor();
    await page.close();
  });
});
