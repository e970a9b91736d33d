// createTracedFetch in Chromium: by default context goes to the page's own origin only; a
// server on another origin listed in propagateTo gets it once its CORS answer allows
// `traceparent` and `baggage` (as the README says); a third party never gets it.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TracedFetchPageApi } from "./fixtures/traced-fetch-page.js";
import { bundleForRuntime } from "./support/bundle.js";
import { launchChromium } from "./support/chromium.js";
import { type RecordingServer, startRecordingServer } from "./support/recording-server.js";

let site: RecordingServer;
let api: RecordingServer;
let thirdParty: RecordingServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const script = await bundleForRuntime(
    new URL("./fixtures/traced-fetch-page.ts", import.meta.url).pathname,
  );
  [site, api, thirdParty, browser] = await Promise.all([
    startRecordingServer({
      files: {
        "/": ["text/html", '<!doctype html><script type="module" src="/page.js"></script>'],
        "/page.js": ["text/javascript", script],
      },
    }),
    startRecordingServer({ corsAllowHeaders: "content-type, traceparent, baggage" }),
    startRecordingServer(),
    launchChromium(),
  ]);
  page = await browser.newPage();
  await page.goto(`${site.url}/`);
  await page.waitForFunction(() => document.title === "ready");
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([site?.close(), api?.close(), thirdParty?.close()]);
});

function send(url: string, propagateTo?: string[]) {
  return page.evaluate(
    ([target, allowed]) =>
      (globalThis as unknown as { tracedFetchTest: TracedFetchPageApi }).tracedFetchTest.send(
        target,
        allowed,
      ),
    [url, propagateTo] as const,
  );
}

describe("createTracedFetch in Chromium", () => {
  it("by default sends the context to the page's own origin (a relative URL too), and nowhere else", async () => {
    const own = await send("/chat");
    expect(site.last("POST")).toMatchObject({
      path: "/chat",
      headers: { traceparent: own.traceparent, baggage: `chaukas.session_id=${own.sessionId}` },
    });
    await send(`${api.url}/chat`);
    expect(api.last("POST").headers.traceparent).toBeUndefined();
    expect(api.last("POST").headers.baggage).toBeUndefined();
  });

  it("sends it to another origin in propagateTo after a CORS preflight allowing traceparent and baggage", async () => {
    const sent = await send(`${api.url}/chat`, [api.url]);
    expect(sent.readable).toBe(true);
    const preflight = api.last("OPTIONS");
    expect(preflight.headers["access-control-request-headers"]?.split(",").sort()).toEqual([
      "baggage",
      "traceparent",
    ]);
    expect(api.last("POST").headers).toMatchObject({
      traceparent: sent.traceparent,
      baggage: `chaukas.session_id=${sent.sessionId}`,
    });
  });

  it("never sends it to a third party outside propagateTo", async () => {
    const sent = await send(`${thirdParty.url}/collect`, [api.url]);
    // No CORS headers: the page cannot read the answer, but the request did go out, without ids.
    expect(sent.readable).toBe(false);
    const request = thirdParty.last("POST");
    expect(request.body).toBe("hi");
    expect(request.headers.traceparent).toBeUndefined();
    expect(request.headers.baggage).toBeUndefined();
    expect(JSON.stringify(request.headers)).not.toContain(sent.sessionId);
  });
});
