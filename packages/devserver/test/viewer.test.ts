// The trace viewer as the devserver serves it: its files with their headers, and in Chromium,
// a server started with an API key asks the page for it before showing anything.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { EventType } from "@chaukas/spec/common/v1";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../transport-web/test/support/chromium.js";
import { type DevServer, startDevServer } from "../src/index.js";
import { chaukasClient } from "./clients.js";
import { oneOfEachType } from "./fixtures.js";

const API_KEY = "ck_viewer_test";
let server: DevServer;
let browser: Browser;

beforeAll(async () => {
  // The bundle from the workspace sources, where the server serves it from (dist/viewer).
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL("../scripts/build-viewer.mjs", import.meta.url)), "--from-sources"],
    { stdio: "pipe" },
  );
  [server, browser] = await Promise.all([startDevServer({ apiKey: API_KEY }), launchChromium()]);
  await chaukasClient("grpc (HTTP/2)", server.url, { apiKey: API_KEY }).ingestEventBatch({
    eventBatch: { events: oneOfEachType({ sessionId: "viewer-session" }) },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([browser?.close(), server?.close()]);
});

describe("the viewer's files", () => {
  it("serves the page, its script and stylesheet at / with a policy that allows only this origin", async () => {
    expect(server.viewerUrl).toBe(`${server.url}/`);
    const page = await fetch(server.viewerUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const policy = page.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/viewer.js">');
    expect(html).not.toMatch(/(?:src|href)="https?:/);

    const script = await fetch(`${server.url}/viewer.js`);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await script.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${server.url}/viewer.css`)).status).toBe(200);
  });

  it("answers 404 for other paths and 405 for other methods, without the API key being asked for", async () => {
    const missing = await fetch(`${server.url}/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("GET  /                 the trace viewer");
    const posted = await fetch(server.viewerUrl, { method: "POST", body: "x" });
    expect(posted.status).toBe(405);
    expect(posted.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("the viewer against a server with an API key", () => {
  it("asks for the key, then shows the sessions, keeping the key for the tab only", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.viewerUrl);
    const status = page.locator(".status");
    await expect.poll(() => status.textContent()).toContain("requires an API key");
    const form = page.locator("form.key-form");
    expect(await form.isVisible()).toBe(true);

    await page.fill('input[name="api-key"]', API_KEY);
    await page.click('form.key-form button[type="submit"]');
    const row = page.locator('.sessions tr[data-session-id="viewer-session"]');
    await row.waitFor();
    expect(await form.isVisible()).toBe(false);
    expect(await page.locator(".waterfall .wf-row").count()).toBe(ALL_TYPES_ROWS);
    expect(await page.evaluate(() => sessionStorage.getItem("chaukas-devserver-api-key"))).toBe(
      API_KEY,
    );
    expect(page.url()).not.toContain(API_KEY);
    await page.close();
  });
});

/** The fixtures' 19 events are 19 rows: each has its own span, and no START has its END. */
const ALL_TYPES_ROWS = Object.values(EventType).filter(
  (v) => typeof v === "number" && v !== EventType.UNSPECIFIED,
).length;
