// continueFromRequest with a Fetch Request in workerd (Miniflare), Deno and Bun: a caller in
// this process sends its context to test/fixtures/continue-server.ts served by each runtime, and
// the events are asserted as the devserver stored them. The runtimes are started and stopped
// with the edge-worker example's harness, as the packaging test does.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type ChaukasClient, createChaukasClient } from "@chaukas/client";
import { inject } from "@chaukas/client/propagation";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventType } from "@chaukas/spec/common/v1";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScript, stopAllScripts } from "../../../examples/edge-worker/test/start-script.js";
import { createWebTransport } from "../src/index.js";
import { type ContinueReply, PAGE_TOKEN } from "./fixtures/continue-contract.js";
import { bundleForRuntime } from "./support/bundle.js";

const bin = (name: string) =>
  fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));

let devserver: DevServer;
let caller: ChaukasClient;
let serverCode: { code: string; path: string };

beforeAll(async () => {
  devserver = await startDevServer({ port: 0 });
  caller = createChaukasClient({
    transport: createWebTransport({ baseUrl: devserver.url }),
    tenantId: "acme",
    projectId: "page",
  });
  serverCode = await bundleServer();
});

afterAll(async () => {
  try {
    await stopAllScripts();
  } finally {
    await caller?.shutdown();
    await devserver?.close();
  }
});

/** The fixture bundled for the edge runtimes; written to disk for Deno and Bun. */
async function bundleServer(): Promise<{ code: string; path: string }> {
  const entry = fileURLToPath(new URL("./fixtures/continue-server.ts", import.meta.url));
  const code = await bundleForRuntime(entry, "neutral");
  const outDir = fileURLToPath(new URL("../.test-output/continue-edge/", import.meta.url));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(`${outDir}server.js`, code);
  return { code, path: `${outDir}server.js` };
}

/** The events of `sessionId` once `count` of them are stored (workerd flushes after replying). */
async function storedSession(sessionId: string, count: number): Promise<Event[]> {
  await caller.flush();
  const ofSession = () => devserver.store.events().filter((e) => e.sessionId === sessionId);
  await expect.poll(() => ofSession().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(count);
  return ofSession();
}

/**
 * The checks every runtime must pass. Trusted (the page's token): the server's events join the
 * caller's session under the caller's span, with no SESSION_START of the server's. Untrusted:
 * they go to a session of the server's own, on the caller's trace, naming the caller's session.
 */
async function expectContinued(
  runtime: string,
  send: (request: Request) => Promise<Response>,
): Promise<void> {
  const session = caller.startSession({ agentId: "page" });
  const ask = session.toolCallStart({ name: "ask-agent" });
  const trustedHeaders = inject(new Headers({ authorization: PAGE_TOKEN }), ask);
  const trusted = (await (
    await send(new Request("http://agent.test/chat", { headers: trustedHeaders }))
  ).json()) as ContinueReply;
  const forged = inject(new Headers(), ask);
  const untrusted = (await (
    await send(new Request("http://agent.test/chat", { headers: forged }))
  ).json()) as ContinueReply;
  ask.end();
  session.end();
  expect(trusted).toEqual({ runtime, sessionId: session.id, adopted: true });
  expect(untrusted).toMatchObject({ runtime, adopted: false });

  const agentId = `edge-${runtime}`;
  const inCaller = await storedSession(session.id, 6);
  const fromServer = inCaller.filter((e) => e.agentId === agentId);
  expect(fromServer.map((e) => e.type)).toEqual([
    EventType.TOOL_CALL_START,
    EventType.TOOL_CALL_END,
  ]);
  for (const event of fromServer) {
    expect(event).toMatchObject({ traceId: session.traceId, parentSpanId: ask.spanId });
  }
  expect(inCaller.filter((e) => e.type === EventType.SESSION_START)).toHaveLength(1);

  const own = await storedSession(untrusted.sessionId, 4);
  expect(own.map((e) => e.type)).toEqual([
    EventType.SESSION_START,
    EventType.TOOL_CALL_START,
    EventType.TOOL_CALL_END,
    EventType.SESSION_END,
  ]);
  expect(own[0]).toMatchObject({
    agentId,
    traceId: session.traceId,
    parentSpanId: ask.spanId,
    metadata: { caller_session_id: session.id },
  });
}

describe("continueFromRequest with a Fetch Request", () => {
  it("in workerd (Miniflare)", async () => {
    const mf = new Miniflare({
      modules: true,
      script: serverCode.code,
      compatibilityDate: "2025-01-01",
      bindings: { CHAUKAS_URL: devserver.url },
    });
    try {
      await expectContinued("workerd", async (request) => {
        // Miniflare's fetch takes its own Request type; the URL and headers are what matter.
        const response = await mf.dispatchFetch(request.url, {
          headers: Object.fromEntries(request.headers),
        });
        return new Response(await response.text(), { status: response.status });
      });
    } finally {
      await mf.dispose();
    }
  });

  it.each([
    ["deno", ["run", "--allow-net", "--allow-env", "--no-prompt"]],
    ["bun", ["run"]],
  ] as const)("in %s", async (runtime, args) => {
    const server = await startScript(bin(runtime), [...args, serverCode.path], {
      CHAUKAS_URL: devserver.url,
      PORT: "0",
      DENO_NO_UPDATE_CHECK: "1",
    });
    try {
      await expectContinued(runtime, (request) =>
        fetch(new URL(new URL(request.url).pathname, server.url), { headers: request.headers }),
      );
    } finally {
      await server.stop();
    }
  });
});
