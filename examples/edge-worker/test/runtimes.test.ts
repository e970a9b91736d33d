import { fileURLToPath } from "node:url";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventType } from "@chaukas/spec/common/v1";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentReply } from "../src/record-session.js";
import { bundleExample } from "./bundle-example.js";
import { startScript, stopAllScripts } from "./start-script.js";

const bin = (name: string) =>
  fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));

const EXPECTED_TYPES = [
  EventType.SESSION_START,
  EventType.INPUT_RECEIVED,
  EventType.AGENT_START,
  EventType.MODEL_INVOCATION_START,
  EventType.MODEL_INVOCATION_END,
  EventType.TOOL_CALL_START,
  EventType.TOOL_CALL_END,
  EventType.AGENT_END,
  EventType.OUTPUT_EMITTED,
  EventType.SESSION_END,
];

let devserver: DevServer;
/** The devserver's ingest log: a call of the REST API starts with its route. */
const logLines: string[] = [];
const restCalls = () => logLines.filter((line) => line.startsWith("POST /v1/events/batch")).length;

beforeAll(async () => {
  const log = (line: string) => logLines.push(line);
  devserver = await startDevServer({ port: 0, logger: { info: log, error: log } });
});

afterAll(async () => {
  // Fails the suite if a runtime (or the real binary behind its npm wrapper) is still running.
  try {
    await stopAllScripts();
  } finally {
    await devserver?.close();
  }
});

/** The session as the backend stored it, once all its events are there. */
async function storedSession(sessionId: string): Promise<Event[]> {
  const ofSession = () => devserver.store.events().filter((e) => e.sessionId === sessionId);
  await expect.poll(() => ofSession().length, { timeout: 10_000 }).toBe(EXPECTED_TYPES.length);
  return ofSession();
}

/** The checks every runtime must pass: the backend has the whole session, linked and intact. */
async function expectSessionIntact(reply: AgentReply, question: string, projectId: string) {
  const events = await storedSession(reply.sessionId);
  expect(events.map((e) => e.type).sort()).toEqual([...EXPECTED_TYPES].sort());
  const start = events.find((e) => e.type === EventType.SESSION_START)!;
  for (const event of events) {
    expect(event).toMatchObject({ tenantId: "acme", projectId, traceId: start.traceId });
  }
  const input = events.find((e) => e.type === EventType.INPUT_RECEIVED)!;
  expect(input.content).toMatchObject({ case: "message", value: { text: question } });
  const output = events.find((e) => e.type === EventType.OUTPUT_EMITTED)!;
  expect(output.content).toMatchObject({ case: "message", value: { text: reply.answer } });
  const agentStart = events.find((e) => e.type === EventType.AGENT_START)!;
  const toolEnd = events.find((e) => e.type === EventType.TOOL_CALL_END)!;
  expect(toolEnd.parentSpanId).toBe(agentStart.spanId);
  expect(toolEnd.agentId).toBe("answerer");
}

describe("the example agent records its session intact", () => {
  it.each(["connect", "rest"] as const)(
    "in workerd (Miniflare) over %s, flushed through ctx.waitUntil",
    async (protocol) => {
      const { code } = await bundleExample("worker");
      const mf = new Miniflare({
        modules: true,
        script: code,
        compatibilityDate: "2025-01-01",
        bindings: { CHAUKAS_ENDPOINT: devserver.url, CHAUKAS_PROTOCOL: protocol },
      });
      const restCallsBefore = restCalls();
      try {
        const question = `refund policy in workerd over ${protocol}?`;
        const response = await mf.dispatchFetch(
          `http://example.test/?q=${encodeURIComponent(question)}`,
        );
        expect(response.status).toBe(200);
        const reply = (await response.json()) as AgentReply;
        await expectSessionIntact(reply, question, "edge-worker");
        expect(restCalls() > restCallsBefore).toBe(protocol === "rest");
      } finally {
        await mf.dispose();
      }
    },
  );

  it.each([
    ["deno", "connect", ["run", "--allow-net", "--allow-env", "--no-prompt"], "edge-deno"],
    ["deno", "rest", ["run", "--allow-net", "--allow-env", "--no-prompt"], "edge-deno"],
    ["bun", "connect", ["run"], "edge-bun"],
    ["bun", "rest", ["run"], "edge-bun"],
  ] as const)(
    "in %s over %s, flushed before the response",
    async (runtime, protocol, args, projectId) => {
      const { path } = await bundleExample(runtime);
      const server = await startScript(bin(runtime), [...args, path], {
        CHAUKAS_ENDPOINT: devserver.url,
        CHAUKAS_PROTOCOL: protocol,
        PORT: "0",
        DENO_NO_UPDATE_CHECK: "1",
      });
      const restCallsBefore = restCalls();
      try {
        const question = `refund policy in ${runtime} over ${protocol}?`;
        const response = await fetch(`${server.url}/?q=${encodeURIComponent(question)}`);
        expect(response.status).toBe(200);
        const reply = (await response.json()) as AgentReply;
        // withChaukas awaited the flush: everything is stored by the time the response arrived.
        expect(
          devserver.store.events().filter((e) => e.sessionId === reply.sessionId),
        ).toHaveLength(EXPECTED_TYPES.length);
        await expectSessionIntact(reply, question, projectId);
        expect(restCalls() > restCallsBefore).toBe(protocol === "rest");
      } finally {
        await server.stop();
      }
    },
  );
});
