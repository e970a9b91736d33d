import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createSdkMcpServer,
  type SDKMessage,
  query as sdkQuery,
  tool,
} from "@anthropic-ai/claude-agent-sdk";
import { toJsonString } from "@bufbuild/protobuf";
import { type ChaukasClient, createChaukasClient } from "@chaukas/client";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventSchema, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { createNodeTransport } from "@chaukas/transport-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
// The example's scripted Messages API: the one fake both the example and these tests run the CLI against.
import {
  type FakeAgentApi,
  startFakeAgentApi,
  TURN_USAGE,
} from "../../../examples/claude-agent-sdk/src/scripted-messages-api.js";
import { type ChaukasQueryOptions, wrapQuery } from "../src/index.js";

// The SDK's bundled Claude Code CLI (its npm optional dependency) runs for real, offline,
// against a scripted Messages API on loopback: it reads a file, calls an in-process MCP tool,
// is denied a Write, and answers.
let devserver: DevServer;
let api: FakeAgentApi;
let chaukas: ChaukasClient;
let cwd: string;

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), "chaukas-claude-agent-"));
  writeFileSync(join(cwd, "notes.txt"), "hello chaukas\n");
  [devserver, api] = await Promise.all([
    startDevServer({ port: 0 }),
    startFakeAgentApi([
      {
        text: "Reading the notes.",
        toolUses: [
          { id: "toolu_read", name: "Read", input: { file_path: join(cwd, "notes.txt") } },
        ],
      },
      {
        text: "Checking the weather.",
        toolUses: [{ id: "toolu_wx", name: "mcp__weather__forecast", input: { city: "Paris" } }],
      },
      {
        text: "Saving a copy.",
        toolUses: [
          {
            id: "toolu_write",
            name: "Write",
            input: { file_path: join(cwd, "out.txt"), content: "x" },
          },
        ],
      },
      { text: "Your notes say hello chaukas, and it is sunny in Paris." },
    ]),
  ]);
  chaukas = createChaukasClient({
    transport: createNodeTransport({ baseUrl: devserver.url, protocol: "grpc" }),
    tenantId: "acme",
    projectId: `claude-agent-${Math.random().toString(36).slice(2)}`,
    flushIntervalMs: 20,
  });
});

afterAll(async () => {
  await chaukas?.shutdown();
  await Promise.all([devserver?.close(), api?.close()]);
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

/** Runs the scripted query through `wrapQuery` and returns its messages and stored events. */
async function runQuery(options: ChaukasQueryOptions = {}, appHooks: string[] = []) {
  const query = wrapQuery(sdkQuery, chaukas, options);
  const weather = createSdkMcpServer({
    name: "weather",
    tools: [
      tool("forecast", "The forecast of a city", { city: z.string() }, async ({ city }) => ({
        content: [{ type: "text", text: `sunny in ${city}` }],
      })),
    ],
  });
  const messages: SDKMessage[] = [];
  for await (const message of query({
    prompt: "Read my notes and tell me the weather",
    options: {
      cwd,
      model: "claude-fake",
      mcpServers: { weather },
      allowedTools: ["Read", "mcp__weather__forecast"],
      canUseTool: async (name) => ({ behavior: "deny", message: `${name} is not allowed here` }),
      hooks: {
        PreToolUse: [
          {
            hooks: [
              async (input) => {
                appHooks.push(`PreToolUse:${"tool_name" in input ? input.tool_name : ""}`);
                return {};
              },
            ],
          },
        ],
      },
      maxTurns: 8,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: cwd,
        ANTHROPIC_BASE_URL: api.url,
        ANTHROPIC_API_KEY: "sk-ant-test",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      },
    },
  })) {
    messages.push(message);
  }
  const init = messages.find((m) => m.type === "system" && m.subtype === "init");
  const sessionId = init?.session_id ?? "";
  await chaukas.flush();
  const events = devserver.store
    .events()
    .filter((e) => e.sessionId === sessionId)
    .sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
  return { messages, events, sessionId };
}

const of = (events: readonly Event[], type: EventType) => events.filter((e) => e.type === type);
const json = (event: Event) => toJsonString(EventSchema, event);

it("records a query as the SDK's session: prompt, retries, model calls, tools, MCP calls, permissions, result", {
  timeout: 60_000,
}, async () => {
  api.failNext(529);
  const appHooks: string[] = [];
  const { messages, events, sessionId } = await runQuery({}, appHooks);
  // The app's messages and hooks are the SDK's own.
  expect(messages.map((m) => m.type)).toContain("result");
  expect(appHooks).toEqual([
    "PreToolUse:Read",
    "PreToolUse:mcp__weather__forecast",
    "PreToolUse:Write",
  ]);
  expect(sessionId).not.toBe("");

  const [start] = of(events, EventType.SESSION_START);
  expect(start?.agentId).toBe("claude-code");
  expect(start?.content).toMatchObject({
    case: "stateUpdate",
    value: { model: "claude-fake", cwd },
  });
  for (const event of events) expect(event.traceId).toBe(start?.traceId);

  expect(of(events, EventType.INPUT_RECEIVED)[0]?.content).toMatchObject({
    value: { text: "Read my notes and tell me the weather", role: "user" },
  });
  const [retry] = of(events, EventType.RETRY);
  expect(retry?.retry).toMatchObject({ attempt: 2 });
  expect(retry?.metadata).toMatchObject({ http_status: 529 });

  const models = of(events, EventType.MODEL_INVOCATION_END);
  expect(models.map((e) => e.content.value)).toMatchObject([
    { provider: "anthropic", model: "claude-fake", finishReason: "tool_use" },
    { finishReason: "tool_use" },
    { finishReason: "tool_use" },
    { finishReason: "end_turn" },
  ]);
  expect(models[0]?.content.value).toMatchObject({
    promptTokens: TURN_USAGE.input_tokens + TURN_USAGE.cache_read_input_tokens,
    // As the SDK's assistant message reports it: sent before the API's final usage, it has the
    // output tokens of the turn's start (the session's END has the query's totals).
    completionTokens: 1,
  });
  expect(models[0]?.metadata).toMatchObject({
    cached_tokens: 500,
    tool_calls: [{ id: "toolu_read", name: "Read" }],
  });

  const toolEnds = of(events, EventType.TOOL_CALL_END);
  expect(of(events, EventType.TOOL_CALL_START).map((e) => e.content.value)).toMatchObject([
    { name: "Read", id: "toolu_read", arguments: { file_path: join(cwd, "notes.txt") } },
    { name: "Write", id: "toolu_write" },
  ]);
  expect(toolEnds.map((e) => e.status)).toEqual([EventStatus.COMPLETED, EventStatus.FAILED]);
  expect(json(toolEnds[0] as Event)).toContain("hello chaukas");
  expect(toolEnds[1]?.content.value).toMatchObject({ errorMessage: "Write is not allowed here" });

  const [mcpStart] = of(events, EventType.MCP_CALL_START);
  expect(mcpStart?.content.value).toMatchObject({
    serverName: "weather",
    operation: "tools/call",
    request: { name: "forecast", arguments: { city: "Paris" } },
  });
  expect(of(events, EventType.MCP_CALL_END)[0]?.status).toBe(EventStatus.COMPLETED);

  expect(of(events, EventType.POLICY_DECISION).map((e) => e.content.value)).toMatchObject([
    { policyId: "claude-code.permissions", outcome: "review", ruleIds: ["Write"] },
    { policyId: "claude-code.permissions", outcome: "deny", ruleIds: ["Write"] },
  ]);
  expect(of(events, EventType.OUTPUT_EMITTED)[0]?.content).toMatchObject({
    value: { text: "Your notes say hello chaukas, and it is sunny in Paris." },
  });
  const [end] = of(events, EventType.SESSION_END);
  expect(end?.status).toBe(EventStatus.COMPLETED);
  expect(end?.metadata).toMatchObject({ subtype: "success", num_turns: expect.any(Number) });
  expect(end?.metadata?.total_cost_usd).toBeGreaterThan(0);
  expect(end?.metadata?.usage).toMatchObject({ output_tokens: expect.any(Number) });
});

it("sends no prompt, file content, arguments or answer with recordInputs and recordOutputs off", {
  timeout: 60_000,
}, async () => {
  const { events } = await runQuery({ recordInputs: false, recordOutputs: false });
  expect(of(events, EventType.TOOL_CALL_START).length).toBeGreaterThan(0);
  for (const event of events) {
    const text = json(event);
    expect(text).not.toContain("hello chaukas");
    expect(text).not.toContain("Read my notes");
    expect(text).not.toContain("Paris");
  }
});
