// LangChain.js and LangGraph.js for real (no network, no key: scripted and fake models), with
// ChaukasCallbackHandler sending to the local backend over gRPC; each test reads back what the
// backend stored.

import { createServer, type Server, type Socket } from "node:net";
import { toJsonString } from "@bufbuild/protobuf";
import {
  type ChaukasClient,
  type ChaukasClientOptions,
  createChaukasClient,
} from "@chaukas/client";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventSchema, EventStatus, EventType } from "@chaukas/spec/common/v1";
import {
  createAsyncLocalStorageContextManager,
  createNodeTransport,
} from "@chaukas/transport-node";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { registerConfigureHook, setContextVariable } from "@langchain/core/context";
import { AIMessageChunk } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import {
  FakeListChatModel,
  FakeStreamingChatModel,
  FakeVectorStore,
  SyntheticEmbeddings,
} from "@langchain/core/utils/testing";
import {
  Annotation,
  Command,
  END,
  interrupt,
  MemorySaver,
  START,
  StateGraph,
} from "@langchain/langgraph";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ChaukasCallbackHandler, type ChaukasCallbackHandlerOptions } from "../src/index.js";
import { ScriptedChatModel, usage } from "./scripted-chat-model.js";

let server: DevServer;
let chaukas: ChaukasClient;

/** A client as an application makes it: gRPC to the backend, AsyncLocalStorage context. */
function nodeClient(options: Partial<ChaukasClientOptions> = {}): ChaukasClient {
  return createChaukasClient({
    transport: createNodeTransport({ baseUrl: server.url, protocol: "grpc" }),
    tenantId: "acme",
    projectId: "langchain-tests",
    contextManager: createAsyncLocalStorageContextManager(),
    flushIntervalMs: 20,
    ...options,
  });
}

beforeAll(async () => {
  server = await startDevServer({ port: 0 });
  chaukas = nodeClient();
});

afterAll(async () => {
  await chaukas?.shutdown();
  await server?.close();
});

/** A handler whose own failures fail the test that made it. */
function handlerFor(client: ChaukasClient, options: ChaukasCallbackHandlerOptions = {}) {
  return new ChaukasCallbackHandler(client, {
    onError: (error, callback) => {
      throw new Error(`handler failed in ${callback}: ${String(error)}`);
    },
    ...options,
  });
}

/** The events of `sessionId` the backend stored, in emission order. */
async function stored(sessionId: string, client = chaukas): Promise<Event[]> {
  await client.flush();
  return server.store
    .events()
    .filter((e) => e.sessionId === sessionId)
    .sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
}

/** The session a run made: the one whose SESSION_START carries its LangChain run id. */
async function sessionOfRun(runId: string, client = chaukas): Promise<Event[]> {
  await client.flush();
  const start = server.store
    .events()
    .find((e) => e.type === EventType.SESSION_START && e.metadata?.langchain_run_id === runId);
  expect(start, `a SESSION_START for run ${runId}`).toBeDefined();
  return stored(start!.sessionId, client);
}

const types = (events: readonly Event[]) => events.map((e) => EventType[e.type]);
const all = (events: readonly Event[], type: EventType) => events.filter((e) => e.type === type);
const one = (events: readonly Event[], type: EventType) => {
  const matching = all(events, type);
  expect(matching, EventType[type]).toHaveLength(1);
  return matching[0] as Event;
};
const json = (event: Event | undefined) => (event ? toJsonString(EventSchema, event) : "");
const llm = (event: Event) =>
  event.content.case === "llmInvocation" ? event.content.value : undefined;

/**
 * The tree the events form: one line per span (by its START) or point event, indented under
 * its parent, with the agent name, model, tool or datasource.
 */
function tree(events: readonly Event[]): string[] {
  const depth = new Map<string, number>();
  const lines: string[] = [];
  for (const event of events) {
    const type = EventType[event.type];
    if (type.endsWith("_END")) continue;
    const level = (depth.get(event.parentSpanId) ?? -1) + 1;
    depth.set(event.spanId, level);
    const content = event.content;
    const what =
      content.case === "llmInvocation"
        ? content.value.model
        : content.case === "toolCall"
          ? content.value.name
          : content.case === "dataAccess"
            ? content.value.datasource
            : content.case === "agentHandoff"
              ? `${content.value.fromAgentName} → ${content.value.toAgentName}`
              : type === "AGENT_START"
                ? event.agentName
                : "";
    lines.push(`${"  ".repeat(level)}${type}${what ? ` ${what}` : ""}`);
  }
  return lines;
}

const weather = tool(async ({ city }: { city: string }) => `Sunny in ${city}, 21 °C.`, {
  name: "weather",
  description: "The current weather of a city",
  schema: z.object({ city: z.string() }),
});

const weatherCall = (id: string, city: string) => ({
  id,
  name: "weather",
  args: { city },
  type: "tool_call" as const,
});

describe("a prebuilt ReAct agent (createReactAgent)", () => {
  it("is a session with the graph as an agent, its nodes as agents, model calls with tokens and the tool call", async () => {
    const model = new ScriptedChatModel("scripted-1", [
      { toolCalls: [weatherCall("call_paris", "Paris")], usage: usage(52, 14, 40) },
      { text: "It is sunny in Paris.", usage: usage(87, 11, 0, 6) },
    ]);
    const agent = createReactAgent({ llm: model, tools: [weather], name: "weather_desk" });
    const runId = crypto.randomUUID();
    const handler = handlerFor(chaukas);
    const result = await agent.invoke(
      { messages: [{ role: "user", content: "Weather in Paris?" }] },
      { callbacks: [handler], runId },
    );
    expect(result.messages.at(-1)?.content).toBe("It is sunny in Paris.");
    expect(handler.stats()).toEqual({ failed: 0, openRuns: 0 });

    const events = await sessionOfRun(runId);
    expect(tree(events)).toEqual([
      "SESSION_START",
      "  AGENT_START weather_desk",
      "    AGENT_START agent",
      "      MODEL_INVOCATION_START scripted-1",
      "    AGENT_START tools",
      "      TOOL_CALL_START weather",
      "    AGENT_START agent",
      "      MODEL_INVOCATION_START scripted-1",
    ]);
    const session = one(events, EventType.SESSION_START);
    // The trace is the root run's, as LangSmith's; each run's span id comes from its run id.
    expect(session.traceId).toBe(runId.replace(/-/g, ""));
    for (const event of events) expect(event.traceId).toBe(session.traceId);
    const graph = all(events, EventType.AGENT_START)[0]!;
    expect(graph.spanId).toBe(runId.replace(/-/g, "").slice(16));
    expect(graph.metadata?.langchain_run_id).toBe(runId);
    for (const end of events.filter((e) => EventType[e.type].endsWith("_END"))) {
      expect(end.status, EventType[end.type]).toBe(EventStatus.COMPLETED);
    }
    expect(types(events).at(-1)).toBe("SESSION_END");

    const [first, second] = all(events, EventType.MODEL_INVOCATION_END);
    expect(llm(first!)).toMatchObject({
      provider: "scripted",
      model: "scripted-1",
      promptTokens: 52,
      completionTokens: 14,
      totalTokens: 66,
      finishReason: "tool_calls",
    });
    expect(llm(all(events, EventType.MODEL_INVOCATION_START)[0]!)?.temperature).toBe(0.2);
    expect(first!.metadata).toMatchObject({
      cache_read_tokens: 40,
      tool_calls: [{ id: "call_paris", name: "weather" }],
    });
    expect(llm(second!)).toMatchObject({
      promptTokens: 87,
      completionTokens: 11,
      finishReason: "stop",
    });
    expect(second!.metadata).toMatchObject({ reasoning_tokens: 6 });
    expect(json(second)).toContain("It is sunny in Paris.");
    expect(json(all(events, EventType.MODEL_INVOCATION_START)[0])).toContain("Weather in Paris?");

    const toolStart = one(events, EventType.TOOL_CALL_START);
    expect(toolStart.content).toMatchObject({
      case: "toolCall",
      value: { id: "call_paris", name: "weather", arguments: { city: "Paris" } },
    });
    expect(one(events, EventType.TOOL_CALL_END).content).toMatchObject({
      case: "toolResponse",
      value: { toolCallId: "call_paris", output: { content: "Sunny in Paris, 21 °C." } },
    });
    // The graph's agent ends with its final state; the model's START with the conversation.
    const graphEnd = all(events, EventType.AGENT_END).at(-1)!;
    expect(graphEnd.agentName).toBe("weather_desk");
    expect(json(graphEnd)).toContain("It is sunny in Paris.");
  });

  it("sends no prompts, arguments, results or final state with recordInputs and recordOutputs off", async () => {
    const model = new ScriptedChatModel("scripted-private", [
      { toolCalls: [weatherCall("call_secret", "Atlantis")], usage: usage(10, 2) },
      { text: "Secret answer.", usage: usage(12, 3) },
    ]);
    const agent = createReactAgent({ llm: model, tools: [weather] });
    const runId = crypto.randomUUID();
    await agent.invoke(
      { messages: [{ role: "user", content: "Secret question?" }] },
      {
        callbacks: [handlerFor(chaukas, { recordInputs: false, recordOutputs: false })],
        runId,
      },
    );
    const events = await sessionOfRun(runId);
    expect(all(events, EventType.MODEL_INVOCATION_END).map((e) => llm(e)?.promptTokens)).toEqual([
      10, 12,
    ]);
    const text = events.map(json).join("\n");
    for (const secret of ["Secret question?", "Atlantis", "Sunny in", "Secret answer."]) {
      expect(text).not.toContain(secret);
    }
    // Unnamed graphs take the handler's agentName default.
    expect(all(events, EventType.AGENT_START)[0]?.agentName).toBe("LangGraph");
  });
});

describe("a two-node LangGraph graph", () => {
  const Conversation = Annotation.Root({
    question: Annotation<string>(),
    answer: Annotation<string>(),
  });

  /** triage hands off to billing with a Command; billing asks a human to approve (interrupt). */
  function supportGraph(options: { approval: boolean }) {
    return new StateGraph(Conversation)
      .addNode(
        "triage",
        async (state) =>
          new Command({ goto: "billing", update: { question: `${state.question}` } }),
        { ends: ["billing"] },
      )
      .addNode("billing", async (state) => {
        const approved = options.approval ? interrupt({ refund: 40, ask: "Approve?" }) : "yes";
        return { answer: `Refund of 40 EUR for "${state.question}": ${approved}` };
      })
      .addEdge(START, "triage")
      .addEdge("billing", END)
      .compile({ name: "support", checkpointer: new MemorySaver() });
  }

  it("records a Command that moves control to another node as AGENT_HANDOFF between the node agents", async () => {
    const runId = crypto.randomUUID();
    const result = await supportGraph({ approval: false }).invoke(
      { question: "Where is my refund?" },
      {
        callbacks: [handlerFor(chaukas, { tags: ["support-desk"] })],
        runId,
        configurable: { thread_id: crypto.randomUUID() },
      },
    );
    expect(result.answer).toContain("Refund of 40 EUR");
    const events = await sessionOfRun(runId);
    expect(tree(events)).toEqual([
      "SESSION_START",
      "  AGENT_START support",
      "    AGENT_START triage",
      "      AGENT_HANDOFF triage → billing",
      "    AGENT_START billing",
    ]);
    const handoff = one(events, EventType.AGENT_HANDOFF);
    expect(handoff.content).toMatchObject({
      case: "agentHandoff",
      value: {
        fromAgentId: "triage",
        toAgentId: "billing",
        handoffType: "sequential",
        handoffData: { question: "Where is my refund?" },
      },
    });
    for (const event of events) expect(event.tags).toContain("support-desk");
    expect(one(events, EventType.SESSION_START).metadata?.langgraph_thread_id).toBeDefined();
  });

  it("records an interrupt as a STATE_UPDATE under the waiting node, and the resumed run joins the session by metadata.chaukas_session_id", async () => {
    const graph = supportGraph({ approval: true });
    const thread = { configurable: { thread_id: crypto.randomUUID() } };
    const firstRun = crypto.randomUUID();
    const paused = await graph.invoke(
      { question: "Refund order 7?" },
      { ...thread, callbacks: [handlerFor(chaukas)], runId: firstRun },
    );
    expect((paused as { __interrupt__?: unknown[] }).__interrupt__).toHaveLength(1);
    const first = await sessionOfRun(firstRun);
    expect(tree(first)).toEqual([
      "SESSION_START",
      "  AGENT_START support",
      "    AGENT_START triage",
      "      AGENT_HANDOFF triage → billing",
      "    AGENT_START billing",
      "      STATE_UPDATE",
    ]);
    const pause = one(first, EventType.STATE_UPDATE);
    expect(pause.content).toMatchObject({
      case: "stateUpdate",
      value: {
        langgraph: {
          status: "interrupted",
          interrupts: [{ value: { refund: 40, ask: "Approve?" } }],
        },
      },
    });
    // Paused, not failed: the node, the graph and the session end COMPLETED.
    for (const end of first.filter((e) => EventType[e.type].endsWith("_END"))) {
      expect(end.status).toBe(EventStatus.COMPLETED);
    }
    expect(all(first, EventType.AGENT_END).at(-1)?.metadata?.langgraph_interrupted).toBe(true);
    expect(one(first, EventType.SESSION_END).metadata?.langgraph_interrupted).toBe(true);

    const sessionId = pause.sessionId;
    const resumed = await graph.invoke(new Command({ resume: "approved" }), {
      ...thread,
      callbacks: [handlerFor(chaukas)],
      metadata: { chaukas_session_id: sessionId },
    });
    expect(resumed.answer).toContain("approved");
    const events = await stored(sessionId);
    const joined = events.slice(first.length);
    // Joined: the session's id, no SESSION_START or SESSION_END of its own, a trace of its own.
    expect(tree(joined)).toEqual([
      "AGENT_START support",
      "  STATE_UPDATE",
      "  AGENT_START billing",
    ]);
    expect(types(joined)).not.toContain("SESSION_START");
    expect(types(joined)).not.toContain("SESSION_END");
    expect(joined[0]?.traceId).not.toBe(pause.traceId);
    expect(joined[0]?.parentSpanId).toBe("");
    expect(one(joined, EventType.STATE_UPDATE).content).toMatchObject({
      value: { langgraph: { status: "resumed" } },
    });
  });
});

describe("state updates", () => {
  it("sends each node's state update as a STATE_UPDATE only with recordState", async () => {
    const Counter = Annotation.Root({ count: Annotation<number>() });
    const graph = new StateGraph(Counter)
      .addNode("double", async (state) => ({ count: state.count * 2 }))
      .addNode("increment", async (state) => ({ count: state.count + 1 }))
      .addEdge(START, "double")
      .addEdge("double", "increment")
      .addEdge("increment", END)
      .compile({ name: "counter" });
    const withState = crypto.randomUUID();
    const without = crypto.randomUUID();
    await graph.invoke(
      { count: 3 },
      { callbacks: [handlerFor(chaukas, { recordState: true })], runId: withState },
    );
    await graph.invoke({ count: 3 }, { callbacks: [handlerFor(chaukas)], runId: without });
    const events = await sessionOfRun(withState);
    expect(tree(events)).toEqual([
      "SESSION_START",
      "  AGENT_START counter",
      "    AGENT_START double",
      "      STATE_UPDATE",
      "    AGENT_START increment",
      "      STATE_UPDATE",
    ]);
    expect(all(events, EventType.STATE_UPDATE).map((e) => e.content.value)).toMatchObject([
      { langgraph: { node: "double", step: 1, update: { count: 6 } } },
      { langgraph: { node: "increment", step: 2, update: { count: 7 } } },
    ]);
    expect(types(await sessionOfRun(without))).not.toContain("STATE_UPDATE");
  });
});

describe("streaming", () => {
  it("records the time to first token and the tool calls a streamed fake model requests", async () => {
    const model = new FakeStreamingChatModel({
      sleep: 5,
      chunks: [
        new AIMessageChunk({ content: "Checking " }),
        new AIMessageChunk({ content: "the weather." }),
        new AIMessageChunk({ content: "", tool_calls: [weatherCall("call_oslo", "Oslo")] }),
      ],
    }).bindTools([weather]);
    const runId = crypto.randomUUID();
    const chunks: string[] = [];
    for await (const chunk of await model.stream("Weather in Oslo?", {
      callbacks: [handlerFor(chaukas)],
      runId,
    })) {
      chunks.push(String(chunk.content));
    }
    expect(chunks.join("")).toBe("Checking the weather.");
    const events = await sessionOfRun(runId);
    expect(types(events)).toEqual([
      "SESSION_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "SESSION_END",
    ]);
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(end.metadata?.time_to_first_token_ms).toBeTypeOf("number");
    expect(end.metadata?.time_to_first_token_ms).toBeGreaterThanOrEqual(0);
    expect(end.metadata?.tool_calls).toEqual([{ id: "call_oslo", name: "weather" }]);
    expect(json(end)).toContain("Checking the weather.");
  });

  it("streams a ReAct agent's messages with tokens, and leaves no run open", async () => {
    const model = new ScriptedChatModel("scripted-stream", [
      { toolCalls: [weatherCall("call_rome", "Rome")], usage: usage(30, 9) },
      { text: "Rome is sunny today.", usage: usage(44, 5) },
    ]);
    const agent = createReactAgent({ llm: model, tools: [weather] });
    const handler = handlerFor(chaukas);
    const runId = crypto.randomUUID();
    let text = "";
    for await (const [message] of await agent.stream(
      { messages: [{ role: "user", content: "Rome?" }] },
      { callbacks: [handler], runId, streamMode: "messages" },
    )) {
      if (message.getType() === "ai") text += String(message.content);
    }
    expect(text).toBe("Rome is sunny today.");
    expect(handler.stats().openRuns).toBe(0);
    const events = await sessionOfRun(runId);
    const ends = all(events, EventType.MODEL_INVOCATION_END);
    expect(ends.map((e) => [llm(e)?.promptTokens, llm(e)?.completionTokens])).toEqual([
      [30, 9],
      [44, 5],
    ]);
    expect(ends[1]?.metadata?.time_to_first_token_ms).toBeGreaterThanOrEqual(0);
  });
});

describe("retrievers, and a Chaukas scope already active", () => {
  it("records a retrieval over an in-memory vector store as DATA_ACCESS inside the caller's session", async () => {
    const store = new FakeVectorStore(new SyntheticEmbeddings({ vectorSize: 16 }));
    await store.addDocuments([
      { pageContent: "Refunds take 5 days.", metadata: { source: "kb/refunds.md" } },
      { pageContent: "Shipping is free.", metadata: { source: "kb/shipping.md" } },
      { pageContent: "Returns within 30 days.", metadata: { source: "kb/returns.md" } },
    ]);
    const retriever = store.asRetriever({ k: 2 }).withConfig({ runName: "kb" });
    const session = chaukas.startSession({ agentId: "support", agentName: "Support" });
    const documents = await session.run(() =>
      retriever.invoke("How long do refunds take?", { callbacks: [handlerFor(chaukas)] }),
    );
    session.end();
    expect(documents).toHaveLength(2);
    const events = await stored(session.id);
    expect(types(events)).toEqual(["SESSION_START", "DATA_ACCESS", "SESSION_END"]);
    const access = one(events, EventType.DATA_ACCESS);
    expect(access.parentSpanId).toBe(session.spanId);
    expect(access.agentId).toBe("support");
    expect(access.content).toMatchObject({
      case: "dataAccess",
      value: { datasource: "retriever://kb" },
    });
    expect(access.metadata).toMatchObject({
      document_count: 2,
      query: "How long do refunds take?",
    });
    expect(access.metadata?.sources).toHaveLength(2);
  });
});

describe("failures", () => {
  it("records a failing tool as ERROR and a FAILED TOOL_CALL_END, while the agent goes on", async () => {
    const flaky = tool(
      async (): Promise<string> => {
        throw new Error("weather service unavailable");
      },
      { name: "weather", description: "Weather", schema: z.object({ city: z.string() }) },
    );
    const model = new ScriptedChatModel("scripted-failing-tool", [
      { toolCalls: [weatherCall("call_fail", "Lima")], usage: usage(20, 4) },
      { text: "I could not get the weather.", usage: usage(30, 6) },
    ]);
    const agent = createReactAgent({ llm: model, tools: [flaky] });
    const runId = crypto.randomUUID();
    const result = await agent.invoke(
      { messages: [{ role: "user", content: "Lima?" }] },
      { callbacks: [handlerFor(chaukas)], runId },
    );
    expect(result.messages.at(-1)?.content).toBe("I could not get the weather.");
    const events = await sessionOfRun(runId);
    const toolStart = one(events, EventType.TOOL_CALL_START);
    const error = one(events, EventType.ERROR);
    expect(error.parentSpanId).toBe(toolStart.spanId);
    expect(json(error)).toContain("weather service unavailable");
    const toolEnd = one(events, EventType.TOOL_CALL_END);
    expect(toolEnd.status).toBe(EventStatus.FAILED);
    expect(toolEnd.spanId).toBe(toolStart.spanId);
    expect(one(events, EventType.SESSION_END).status).toBe(EventStatus.COMPLETED);
  });

  it("records a failing model as a FAILED MODEL_INVOCATION_END and a FAILED session", async () => {
    const model = new FakeListChatModel({ responses: ["never"] });
    const runId = crypto.randomUUID();
    await expect(
      model.invoke("Hello?", {
        callbacks: [handlerFor(chaukas)],
        runId,
        thrownErrorString: "provider overloaded",
      }),
    ).rejects.toThrow("provider overloaded");
    const events = await sessionOfRun(runId);
    expect(types(events)).toEqual([
      "SESSION_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "SESSION_END",
    ]);
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(end.status).toBe(EventStatus.FAILED);
    expect(json(end)).toContain("provider overloaded");
    expect(llm(end)).toMatchObject({ provider: "FakeListChatModel", model: "FakeListChatModel" });
    expect(one(events, EventType.SESSION_END).status).toBe(EventStatus.FAILED);
  });
});

describe("never breaking the app", () => {
  /** `client` with every builder throwing, as a client that refuses everything would. */
  function refusingClient(client: ChaukasClient): ChaukasClient {
    return new Proxy(client, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== "function" || key === "current" || key === "flush") return value;
        return () => {
          throw new Error(`refused: ${String(key)}`);
        };
      },
    });
  }

  it("gives the chain's own result when the client throws, and counts and reports the failures", async () => {
    const told: string[] = [];
    const handler = new ChaukasCallbackHandler(refusingClient(chaukas), {
      onError: (_error, callback) => {
        told.push(callback);
        throw new Error("onError itself fails too");
      },
    });
    const model = new ScriptedChatModel("scripted-refused", [
      { toolCalls: [weatherCall("call_refused", "Nice")], usage: usage(5, 1) },
      { text: "Nice is sunny.", usage: usage(6, 2) },
    ]);
    const agent = createReactAgent({ llm: model, tools: [weather] });
    const result = await agent.invoke(
      { messages: [{ role: "user", content: "Nice?" }] },
      { callbacks: [handler] },
    );
    expect(result.messages.at(-1)?.content).toBe("Nice is sunny.");
    expect(handler.stats().failed).toBeGreaterThan(0);
    expect(handler.stats().failed).toBe(told.length);
    expect(told).toContain("handleChainStart");
  });

  it("gives the chain's result without waiting for a backend that never answers", async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = silent.address() as { port: number };
    const stalled = createChaukasClient({
      transport: createNodeTransport({
        baseUrl: `http://127.0.0.1:${address.port}`,
        protocol: "grpc",
      }),
      tenantId: "acme",
      projectId: "langchain-stalled",
      flushIntervalMs: 1,
    });
    try {
      const answer = await new FakeListChatModel({ responses: ["Still here."] }).invoke("Hi", {
        callbacks: [handlerFor(stalled)],
      });
      expect(answer.content).toBe("Still here.");
      const stats = stalled.stats();
      expect(stats.emitted).toBe(4);
      expect(stats.sent).toBe(0);
    } finally {
      await stalled.shutdown({ timeoutMs: 50 });
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("ends the runs still open as FAILED at handler.shutdown(), and ignores their late ends", async () => {
    let release: () => void = () => {};
    let started: () => void = () => {};
    const toolStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const slow = tool(
      async () => {
        started();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return "done";
      },
      { name: "slow", description: "Slow", schema: z.object({ city: z.string() }) },
    );
    const model = new ScriptedChatModel("scripted-shutdown", [
      { toolCalls: [{ ...weatherCall("call_slow", "Bergen"), name: "slow" }], usage: usage(3, 1) },
      { text: "Done.", usage: usage(4, 1) },
    ]);
    const handler = handlerFor(chaukas);
    const runId = crypto.randomUUID();
    const running = createReactAgent({ llm: model, tools: [slow] }).invoke(
      { messages: [{ role: "user", content: "Bergen?" }] },
      { callbacks: [handler], runId },
    );
    await toolStarted;
    expect(handler.stats().openRuns).toBeGreaterThan(0);
    await handler.shutdown();
    expect(handler.stats().openRuns).toBe(0);
    const events = await sessionOfRun(runId);
    const toolEnd = one(events, EventType.TOOL_CALL_END);
    expect(toolEnd.status).toBe(EventStatus.FAILED);
    expect(json(toolEnd)).toContain("still open when the handler shut down");
    expect(one(events, EventType.SESSION_END).status).toBe(EventStatus.FAILED);
    // The model's node had ended; the graph and its tools node were still running.
    expect(
      all(events, EventType.AGENT_END).map((e) => [e.agentName, EventStatus[e.status]]),
    ).toEqual([
      ["agent", "COMPLETED"],
      ["tools", "FAILED"],
      ["LangGraph", "FAILED"],
    ]);

    release();
    await running;
    expect(handler.stats()).toEqual({ failed: 0, openRuns: 0 });
    expect(await stored(toolEnd.sessionId)).toHaveLength(events.length);
  });
});

describe("the client's shutdown", () => {
  it("ends the runs still open as FAILED and delivers them, without handler.shutdown()", async () => {
    const own = nodeClient();
    let started: () => void = () => {};
    const toolStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const stuck = tool(
      async () => {
        started();
        return new Promise<string>(() => {});
      },
      { name: "stuck", description: "Stuck", schema: z.object({ city: z.string() }) },
    );
    const model = new ScriptedChatModel("scripted-client-shutdown", [
      { toolCalls: [{ ...weatherCall("call_stuck", "Oslo"), name: "stuck" }], usage: usage(3, 1) },
    ]);
    const handler = handlerFor(own);
    const runId = crypto.randomUUID();
    void createReactAgent({ llm: model, tools: [stuck] }).invoke(
      { messages: [{ role: "user", content: "Oslo?" }] },
      { callbacks: [handler], runId },
    );
    await toolStarted;
    expect(handler.stats().openRuns).toBeGreaterThan(0);
    await own.shutdown();
    expect(handler.stats().openRuns).toBe(0);
    const events = await sessionOfRun(runId);
    const toolEnd = one(events, EventType.TOOL_CALL_END);
    expect(toolEnd.status).toBe(EventStatus.FAILED);
    expect(json(toolEnd)).toContain("still open when the client shut down");
    expect(one(events, EventType.SESSION_END).status).toBe(EventStatus.FAILED);
  });
});

describe("serverless: handlers in the background", () => {
  it("loses no event when awaitAllCallbacks() runs before flush()", async () => {
    const handler = handlerFor(chaukas, { background: true });
    expect(handler.awaitHandlers).toBe(false);
    const model = new ScriptedChatModel("scripted-background", [
      { toolCalls: [weatherCall("call_bg", "Porto")], usage: usage(8, 2) },
      { text: "Porto is sunny.", usage: usage(9, 3) },
    ]);
    // Another background handler that takes its time (a tracer sending over the network):
    // LangChain queues every handler's callbacks behind it, one at a time.
    const slowTracer = BaseCallbackHandler.fromMethods({
      handleChainEnd: () => new Promise((resolve) => setTimeout(resolve, 10)),
    });
    slowTracer.awaitHandlers = false;
    const runId = crypto.randomUUID();
    await createReactAgent({ llm: model, tools: [weather] }).invoke(
      { messages: [{ role: "user", content: "Porto?" }] },
      { callbacks: [slowTracer, handler], runId },
    );
    // LangChain has resolved invoke with the handler's callbacks still queued: a flush now
    // would miss the ends of the runs.
    const pendingAtResolve = handler.stats().openRuns;
    // The README's recipe for Vercel, Lambda and workers.
    await awaitAllCallbacks();
    await chaukas.flush();
    expect(pendingAtResolve).toBeGreaterThan(0);
    expect(handler.stats()).toEqual({ failed: 0, openRuns: 0 });
    const events = await sessionOfRun(runId);
    expect(types(events)).toEqual([
      "SESSION_START",
      "AGENT_START",
      "AGENT_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "AGENT_END",
      "AGENT_START",
      "TOOL_CALL_START",
      "TOOL_CALL_END",
      "AGENT_END",
      "AGENT_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "AGENT_END",
      "AGENT_END",
      "SESSION_END",
    ]);
  });

  it("runs inline by default, so its events are queued before invoke resolves", async () => {
    const handler = handlerFor(chaukas);
    expect(handler.awaitHandlers).toBe(true);
    const before = chaukas.stats().emitted;
    await new FakeListChatModel({ responses: ["Inline."] }).invoke("Hi", { callbacks: [handler] });
    expect(chaukas.stats().emitted - before).toBe(4);
  });
});

describe("a scope given to the handler", () => {
  it("nests every run under the session or agent handle it was given, without a session of its own", async () => {
    const session = chaukas.startSession({ agentId: "edge" });
    const runId = crypto.randomUUID();
    await new FakeListChatModel({ responses: ["Nested."] }).invoke("Hi", {
      callbacks: [handlerFor(session as unknown as ChaukasClient)],
      runId,
    });
    session.end();
    const events = await stored(session.id);
    expect(types(events)).toEqual([
      "SESSION_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "SESSION_END",
    ]);
    expect(events[1]?.parentSpanId).toBe(session.spanId);
  });
});

describe("registered for the whole process", () => {
  it("records runs given no callbacks, once even when a run also passes the handler", async () => {
    const handler = handlerFor(chaukas);
    // The README's recipe: LangChain adds the handler to every run it configures.
    registerConfigureHook({ contextVar: "chaukas_handler" });
    setContextVariable("chaukas_handler", handler);
    try {
      const runId = crypto.randomUUID();
      await new FakeListChatModel({ responses: ["Everywhere."] }).invoke("Hi", { runId });
      expect(types(await sessionOfRun(runId))).toEqual([
        "SESSION_START",
        "MODEL_INVOCATION_START",
        "MODEL_INVOCATION_END",
        "SESSION_END",
      ]);
      const twice = crypto.randomUUID();
      await new FakeListChatModel({ responses: ["Once."] }).invoke("Hi", {
        runId: twice,
        callbacks: [handler],
      });
      expect(all(await sessionOfRun(twice), EventType.MODEL_INVOCATION_START)).toHaveLength(1);
    } finally {
      setContextVariable("chaukas_handler", undefined);
    }
  });
});
