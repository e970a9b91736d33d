import { EventType } from "@chaukas/spec/common/v1";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { chaukasSourcesPlugin } from "../../../packages/transport-web/scripts/chaukas-sources-plugin.js";
import { launchChromium } from "../../../packages/transport-web/test/support/chromium.js";
import { type BrowserExample, startBrowserExample } from "../serve.js";

let example: BrowserExample;
let browser: Browser;

beforeAll(async () => {
  [example, browser] = await Promise.all([
    startBrowserExample({ port: 0, backendPort: 0, plugins: [chaukasSourcesPlugin] }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), example?.close()]);
});

it("records the chat session on the backend and shows its events queried back", async () => {
  const page = await browser.newPage();
  await page.goto(example.url);
  await page.fill("#question", "What is your refund policy?");
  await page.click("button");
  await page.locator(".msg.agent").filter({ hasText: "Refunds are issued" }).waitFor();
  // The panel lists what the backend returns for the session, including this exchange.
  await page.locator("#event-list li").filter({ hasText: "OUTPUT_EMITTED" }).waitFor();
  const listed = await page.locator("#event-list li").allTextContents();
  const sessionId = (await page.textContent("#session"))!.replace("session ", "");
  await page.close();

  const stored = example.backend.store.events().filter((e) => e.sessionId === sessionId);
  expect(stored.map((e) => EventType[e.type]).sort()).toEqual(
    [
      "SESSION_START",
      "INPUT_RECEIVED",
      "AGENT_START",
      "MODEL_INVOCATION_START",
      "TOOL_CALL_START",
      "TOOL_CALL_END",
      "MODEL_INVOCATION_END",
      "AGENT_END",
      "OUTPUT_EMITTED",
    ].sort(),
  );
  expect(listed.map((row) => row.split(" ")[0]).sort()).toEqual(
    stored.map((e) => EventType[e.type]).sort(),
  );
});
