// The trace viewer in Chromium on a session built the way the Python chaukas-sdk 0.1.0 builds
// it (UUIDv7 string ids, every event parented on the session span, no agent on SESSION_START,
// SYSTEM text in metadata, failed ENDs with `error` content, AGENT_ENDs that never come),
// stored through the devserver's RPC ingest. Leaves a screenshot for people to look at.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../transport-web/test/support/chromium.js";
import { type DevServer, startDevServer } from "../src/index.js";
import { chaukasClient } from "./clients.js";
import { pythonSdkSession } from "./python-sdk-session.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const SCREENSHOT = `${repoRoot}.test-output/viewer-python-session.png`;

const events = pythonSdkSession({ startMs: Date.UTC(2026, 4, 4, 9, 30, 0) });
const sessionId = events[0]?.sessionId ?? "";
let server: DevServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL("../scripts/build-viewer.mjs", import.meta.url)), "--from-sources"],
    { stdio: "pipe" },
  );
  [server, browser] = await Promise.all([startDevServer(), launchChromium()]);
  await chaukasClient("grpc (HTTP/2)", server.url).ingestEventBatch({
    eventBatch: { events },
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${server.viewerUrl}#session=${encodeURIComponent(sessionId)}`);
  await page.locator(".waterfall .wf-row").first().waitFor();
}, 60_000);

afterAll(async () => {
  await Promise.all([browser?.close(), server?.close()]);
});

/** Each waterfall row as the person reading it sees it: depth, title, detail, time label. */
async function waterfall(): Promise<string[]> {
  return page.locator(".waterfall .wf-row").evaluateAll((rows) =>
    rows.map((row) => {
      const text = (selector: string) => row.querySelector(selector)?.textContent ?? "";
      const took = [...row.querySelectorAll(".took")].map((label) => label.textContent).join(" ");
      const depth = Number((row as HTMLElement).dataset.depth);
      return `${"  ".repeat(depth)}${text(".wf-title")} | ${text(".wf-detail")} | ${took}`;
    }),
  );
}

describe("a session from the Python SDK in the viewer", () => {
  it("is stored whole: all 23 events", () => {
    expect(server.store.events().filter((e) => e.sessionId === sessionId)).toHaveLength(23);
  });

  it("is listed and headed by its agent's name, never '(unnamed)'", async () => {
    const row = page.locator(`.sessions tr[data-session-id="${sessionId}"]`);
    expect(await row.locator(".agent-name").textContent()).toBe("Triage Agent");
    expect(await page.locator(".session-header h2").textContent()).toContain("Triage Agent");
    expect(await page.locator("body").textContent()).not.toContain("(unnamed)");
  });

  it("nests the flat session under its agents, with SYSTEM text, failures and missing ENDs", async () => {
    expect(await waterfall()).toEqual([
      "SESSION_START → END | Triage Agent | 4.01 s",
      "  INPUT_RECEIVED | user: “My blender arrived with a cracked jar (order #1042). Can I get a refund?” | ",
      '  STATE_UPDATE | {"model":"gpt-4o","tools":["transfer_to_refunds_agent"],"first_run":true} | ',
      "  SYSTEM | Agent 'Triage Agent' initialized with model gpt-4o | ",
      "  AGENT_START | Triage Agent | no end recorded",
      "    MODEL_INVOCATION_START → END | openai/gpt-4o · 412→18 tokens | 808 ms",
      "    AGENT_HANDOFF | Triage Agent → Refunds Agent | ",
      '  STATE_UPDATE | {"model":"gpt-4o-mini","tools":["lookup_order","issue_refund"],"first_run":true} | ',
      "  SYSTEM | Agent 'Refunds Agent' initialized with model gpt-4o-mini | ",
      "  AGENT_START | Refunds Agent | no end recorded",
      "    MODEL_INVOCATION_START → END | openai/gpt-4o-mini · 655→41 tokens | 674 ms",
      "    TOOL_CALL_START → END | lookup_order | 274 ms",
      "    TOOL_CALL_START → END | issue_refund · payments API timed out after 1.1 s | 1.11 s",
      "    MODEL_INVOCATION_START → END | openai/gpt-4o-mini · Rate limit reached for gpt-4o-mini: 3 requests per minute | 1.07 s",
      "    RETRY | attempt 1 after 1000 ms · Agent execution failed: Rate limit reached for gpt-4o-mini: 3 requests per minute | ",
      "    ERROR | Rate limit reached for gpt-4o-mini: 3 requests per minute | ",
      "  OUTPUT_EMITTED | assistant: “Sorry, I could not issue the refund just now. A colleague will email you today.” | ",
    ]);
    expect(await page.locator(".waterfall").textContent()).not.toContain("running");
    // Rows placed under an agent say so (their parent is the session span).
    const placed = page.locator(".wf-row.placed");
    expect(await placed.count()).toBe(8);
    expect(await placed.first().getAttribute("title")).toContain("parent is the session's span");
    // The failed tool call, the failed model call and the ERROR.
    expect(await page.locator(".wf-row.failed").count()).toBe(3);
  });

  it("leaves a screenshot with the failed tool call's JSON open", async () => {
    await page.locator('.wf-row.failed[data-type="TOOL_CALL_START"]').click();
    await expect.poll(() => page.locator(".detail-pane .event-json").count()).toBe(2);
    mkdirSync(`${repoRoot}.test-output`, { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  });
});
