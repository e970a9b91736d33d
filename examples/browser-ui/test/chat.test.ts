// The whole story in Debian's Chromium: the chat page asks our Node agent, which asks the
// knowledge base's MCP server; the three record into one session, one trace, nested by the
// spans that made each call. The page's events go through the relay on its own origin, never
// to the backend; a third-party request from the page carries none of it.
import { mkdirSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { type Event, EventType } from "@chaukas/spec/common/v1";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { chaukasSourcesPlugin } from "../../../packages/transport-web/scripts/chaukas-sources-plugin.js";
import { launchChromium } from "../../../packages/transport-web/test/support/chromium.js";
import { type BrowserExample, startBrowserExample } from "../serve.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const SCREENSHOT = `${repoRoot}.test-output/browser-ui-waterfall.png`;

/** A third party on another loopback origin: records what each request carried. */
interface Recorder {
  readonly url: string;
  readonly requests: { method: string; headers: IncomingHttpHeaders }[];
  readonly server: Server;
}

async function startRecorder(): Promise<Recorder> {
  const requests: Recorder["requests"] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? "", headers: req.headers });
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Headers", "*");
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/beacon`,
    requests,
    server,
  };
}

let example: BrowserExample;
let browser: Browser;
let recorder: Recorder;

beforeAll(async () => {
  [example, browser, recorder] = await Promise.all([
    startBrowserExample({
      port: 0,
      mcpPort: 0,
      backendPort: 0,
      plugins: [chaukasSourcesPlugin],
    }),
    launchChromium(),
    startRecorder(),
  ]);
});

afterAll(async () => {
  recorder?.server.closeAllConnections();
  recorder?.server.close();
  await Promise.all([browser?.close(), example?.close()]);
});

const typeOf = (event: Event) => EventType[event.type];

/** The one event of `events` that `match` picks. */
function only(events: readonly Event[], match: (event: Event) => boolean, what: string): Event {
  const found = events.filter(match);
  if (found.length !== 1) throw new Error(`expected one ${what}, found ${found.length}`);
  return found[0]!;
}

it("records the page, our agent and the MCP server as one session, one trace, one waterfall", async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const requested: URL[] = [];
  page.on("request", (request) => requested.push(new URL(request.url())));
  await page.goto(`${example.url}?analytics=${encodeURIComponent(recorder.url)}`);
  await page.fill("#question", "What is your refund policy?");
  await page.click("button");
  // The answer came from the knowledge base, through the agent.
  await page.locator(".msg.agent").filter({ hasText: "Refunds are issued within 5" }).waitFor();
  const sessionId = (await page.textContent("#session"))!.replace("session ", "");
  await example.flush();
  // The panel, querying the session, lists what the agent and the MCP server recorded too.
  await page.locator("#event-list li").filter({ hasText: "MCP_CALL_START [server]" }).waitFor();
  await page.locator("#event-list li").filter({ hasText: "OUTPUT_EMITTED" }).waitFor();

  const all = example.backend.store.events();
  const sessionStart = only(all, (e) => e.type === EventType.SESSION_START, "SESSION_START");
  // The page's session is the only one: neither the agent nor the MCP server started one. The
  // relay stored it under the tenant and project the server decided, not the page's claim.
  expect(sessionStart).toMatchObject({
    sessionId,
    agentId: "chat-page",
    parentSpanId: "",
    tenantId: "acme",
    projectId: "browser-chat",
  });
  const trace = all.filter((e) => e.traceId === sessionStart.traceId);
  expect(trace).toHaveLength(all.length);
  expect(new Set(trace.map((e) => e.sessionId))).toEqual(new Set([sessionId]));

  const ask = only(trace, (e) => e.type === EventType.TOOL_CALL_START, "page's call to the agent");
  const agent = only(trace, (e) => e.type === EventType.AGENT_START, "AGENT_START");
  const mcpStart = (side: string) =>
    only(
      trace,
      (e) => e.type === EventType.MCP_CALL_START && e.metadata?.side === side,
      `${side} MCP_CALL_START`,
    );
  const mcpClient = mcpStart("client");
  const mcpServer = mcpStart("server");
  const access = only(trace, (e) => e.type === EventType.DATA_ACCESS, "DATA_ACCESS");
  expect(ask).toMatchObject({ agentId: "chat-page", parentSpanId: sessionStart.spanId });
  // The agent's events hang under the page's span that made the request…
  expect(agent).toMatchObject({ agentId: "support-agent", parentSpanId: ask.spanId });
  expect(mcpClient.parentSpanId).toBe(agent.spanId);
  // …and the MCP server's under the agent's MCP call.
  expect(mcpServer.parentSpanId).toBe(mcpClient.spanId);
  expect(access.parentSpanId).toBe(mcpServer.spanId);
  expect(trace.map(typeOf).sort()).toEqual(
    [
      // the page
      "SESSION_START",
      "INPUT_RECEIVED",
      "TOOL_CALL_START",
      "TOOL_CALL_END",
      "OUTPUT_EMITTED",
      // our agent
      "AGENT_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "MCP_CALL_START",
      "MCP_CALL_END",
      "AGENT_END",
      // the MCP server
      "MCP_CALL_START",
      "MCP_CALL_END",
      "DATA_ACCESS",
    ].sort(),
  );

  // The beacon to an origin outside `propagateTo` went out as a simple request: no trace
  // context, and no preflight asking to send any.
  await expect.poll(() => recorder.requests.length).toBe(1);
  const [beacon] = recorder.requests;
  expect(beacon?.method).toBe("POST");
  expect(beacon?.headers.traceparent).toBeUndefined();
  expect(beacon?.headers.baggage).toBeUndefined();

  // The page talked to its own origin only (the page, the agent, the relay), and to the third
  // party it chose; never to the backend. Its events and its query went through the relay.
  const pageOrigin = new URL(example.url).origin;
  for (const url of requested) {
    expect([pageOrigin, new URL(recorder.url).origin]).toContain(url.origin);
  }
  const relayed = requested.filter((url) => url.pathname.startsWith("/chaukas/"));
  expect(relayed.map((url) => url.pathname.split("/").at(-1))).toEqual(
    expect.arrayContaining(["IngestEventBatch", "QueryEvents"]),
  );

  // The trace viewer shows one session, drawn as one waterfall nested across the runtimes.
  await page.goto(`${example.backend.viewerUrl}#session=${encodeURIComponent(sessionId)}`);
  const rows = page.locator(".waterfall .wf-row");
  await expect.poll(() => rows.count()).toBe(9);
  expect(await page.locator(".sessions tr[data-session-id]").count()).toBe(1);
  const shown = await rows.evaluateAll((elements) =>
    elements.map((element) => {
      const data = (element as HTMLElement).dataset;
      return `${data.depth} ${data.type}${data.endType === undefined ? "" : " → END"}`;
    }),
  );
  expect(shown).toEqual([
    "0 SESSION_START",
    "1 INPUT_RECEIVED",
    "1 TOOL_CALL_START → END",
    "2 AGENT_START → END",
    "3 MODEL_INVOCATION_START → END",
    "3 MCP_CALL_START → END",
    "4 MCP_CALL_START → END",
    "5 DATA_ACCESS",
    "1 OUTPUT_EMITTED",
  ]);
  // The picture for people (not asserted): the one waterfall across the three runtimes.
  mkdirSync(`${repoRoot}.test-output`, { recursive: true });
  await page.screenshot({ path: SCREENSHOT });
  await page.close();
});
