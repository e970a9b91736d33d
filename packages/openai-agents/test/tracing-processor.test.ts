import { toJsonString } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type ChaukasClient, createChaukasClient } from "@chaukas/client";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventSchema, EventStatus, EventType, Severity } from "@chaukas/spec/common/v1";
import { createNodeTransport } from "@chaukas/transport-node";
import {
  Agent,
  type FunctionTool,
  InputGuardrailTripwireTriggered,
  Runner,
  run,
  type Span,
  type SpanData,
  setTraceProcessors,
  setTracingDisabled,
  type TracingProcessor,
  tool,
  withCustomSpan,
} from "@openai/agents-core";
import { assistantMessage, functionCall } from "@openai/agents-core/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type ChaukasTracingProcessor,
  type ChaukasTracingProcessorOptions,
  createChaukasTracingProcessor,
} from "../src/index.js";
import { createScriptedModel } from "./scripted-model.js";

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ port: 0 });
  // The SDK turns tracing off when NODE_ENV is "test"; these tests are about tracing.
  setTracingDisabled(false);
});

afterAll(async () => {
  setTraceProcessors([]);
  await server.close();
});

function newClient(): { chaukas: ChaukasClient; projectId: string } {
  const projectId = `openai-agents-${Math.random().toString(36).slice(2)}`;
  const chaukas = createChaukasClient({
    transport: createNodeTransport({ baseUrl: server.url, protocol: "grpc" }),
    tenantId: "acme",
    projectId,
    flushIntervalMs: 20,
  });
  return { chaukas, projectId };
}

interface RecordedSpan {
  readonly spanId: string;
  readonly parentId: string | null;
  readonly traceId: string;
  readonly type: string;
}

/** A second processor that records the SDK's own spans, to compare ids with. */
function createSpanRecorder(): TracingProcessor & { readonly spans: RecordedSpan[] } {
  const spans: RecordedSpan[] = [];
  const record = async (span: Span<SpanData>) => {
    spans.push({
      spanId: span.spanId,
      parentId: span.parentId,
      traceId: span.traceId,
      type: span.spanData.type,
    });
  };
  return {
    spans,
    onTraceStart: async () => {},
    onTraceEnd: async () => {},
    onSpanStart: async () => {},
    onSpanEnd: record,
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}

/** Waits until the trace has ended in the processor, flushes, and returns what arrived. */
async function delivered(
  processor: ChaukasTracingProcessor,
  chaukas: ChaukasClient,
  projectId: string,
): Promise<Event[]> {
  await vi.waitFor(() => expect(processor.stats()).toMatchObject({ openTraces: 0, openSpans: 0 }));
  expect((await chaukas.flush({ timeoutMs: 5000 })).completed).toBe(true);
  return server.store.events().filter((e) => e.projectId === projectId);
}

const typeName = (e: Event) => EventType[e.type];

/** A support triage agent that looks an order up, then hands off to a refunds agent. */
function supportAgents(secrets = { order: "42", lookup: "paid by card", answer: "Refunded." }) {
  const lookupOrder = tool({
    name: "lookup_order",
    description: "Looks an order up by id.",
    parameters: {
      type: "object",
      properties: { orderId: { type: "string" } },
      required: ["orderId"],
      additionalProperties: false,
    },
    strict: true,
    execute: async () => secrets.lookup,
  });
  const refunds = new Agent({
    name: "Refunds",
    instructions: "Issue refunds.",
    model: createScriptedModel("fake-refunds-1", [
      { output: () => [assistantMessage(secrets.answer)], inputTokens: 90, outputTokens: 12 },
    ]),
  });
  const triage = new Agent({
    name: "Triage",
    instructions: "Route the customer.",
    tools: [lookupOrder],
    handoffs: [refunds],
    model: createScriptedModel("fake-triage-1", [
      {
        output: () => [functionCall("lookup_order", { orderId: secrets.order }, { callId: "c1" })],
        inputTokens: 120,
        outputTokens: 15,
      },
      {
        output: (request) => [functionCall(request.handoffs[0]!.toolName, {}, { callId: "c2" })],
        inputTokens: 180,
        outputTokens: 10,
      },
    ]),
  });
  return triage;
}

async function runSupport(
  options: ChaukasTracingProcessorOptions = {},
  secrets?: Parameters<typeof supportAgents>[0],
) {
  const { chaukas, projectId } = newClient();
  const processor = createChaukasTracingProcessor(chaukas, options);
  const recorder = createSpanRecorder();
  setTraceProcessors([processor, recorder]);
  const runner = new Runner({ groupId: "conversation-7" });
  const result = await runner.run(supportAgents(secrets), "Please refund order 42.");
  const events = await delivered(processor, chaukas, projectId);
  await chaukas.shutdown();
  return { result, events, recorder, processor };
}

describe("createChaukasTracingProcessor with a real Agent run", () => {
  it("sends one session with the agents, model calls, tool call and handoff of the run", async () => {
    const { result, events, recorder, processor } = await runSupport();
    expect(result.finalOutput).toBe("Refunded.");
    expect(result.lastAgent?.name).toBe("Refunds");

    expect(events.map(typeName)).toEqual([
      "SESSION_START",
      "AGENT_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "TOOL_CALL_START",
      "TOOL_CALL_END",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "AGENT_HANDOFF",
      "AGENT_END",
      "AGENT_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "AGENT_END",
      "SESSION_END",
    ]);
    expect(processor.stats()).toEqual({ failed: 0, openTraces: 0, openSpans: 0 });

    // One session and one trace: the SDK's trace id, without its "trace_" prefix.
    const [sessionStart] = events;
    const openaiTraceId = recorder.spans[0]!.traceId;
    expect(new Set(events.map((e) => e.sessionId))).toEqual(new Set([sessionStart!.sessionId]));
    expect(new Set(events.map((e) => e.traceId))).toEqual(new Set([openaiTraceId.slice(6)]));
    expect(sessionStart!.parentSpanId).toBe("");
    expect(sessionStart!.metadata).toMatchObject({
      group_id: "conversation-7",
      openai_trace_id: openaiTraceId,
      workflow_name: "Agent workflow",
    });

    // Every mapped SDK span is a Chaukas span (the first 16 of its hex digits) whose parent is
    // its nearest mapped ancestor; task and turn spans are see-through; the top is the session.
    const bySdkId = new Map(recorder.spans.map((s) => [s.spanId, s]));
    const mapped = (s: RecordedSpan) => !["task", "turn"].includes(s.type);
    const chaukasParentOf = (s: RecordedSpan): string => {
      let parent = s.parentId === null ? undefined : bySdkId.get(s.parentId);
      while (parent !== undefined && !mapped(parent)) {
        parent = parent.parentId === null ? undefined : bySdkId.get(parent.parentId);
      }
      return parent === undefined ? sessionStart!.spanId : parent.spanId.slice(5, 21);
    };
    const sdkSpans = recorder.spans.filter(mapped);
    expect(sdkSpans.map((s) => s.type).sort()).toEqual(
      ["agent", "agent", "function", "generation", "generation", "generation", "handoff"].sort(),
    );
    for (const sdkSpan of sdkSpans) {
      const own = events.filter((e) => e.spanId === sdkSpan.spanId.slice(5, 21));
      expect(own.length, sdkSpan.type).toBe(sdkSpan.type === "handoff" ? 1 : 2);
      for (const e of own) expect(e.parentSpanId, typeName(e)).toBe(chaukasParentOf(sdkSpan));
    }

    const [triageStart, refundsStart] = events.filter((e) => e.type === EventType.AGENT_START);
    expect(triageStart).toMatchObject({ agentId: "Triage", parentSpanId: sessionStart!.spanId });
    const triageEnd = events.find((e) => e.type === EventType.AGENT_END)!;
    expect(triageEnd.spanId).toBe(triageStart!.spanId);
    expect(triageEnd.content).toEqual({
      case: "stateUpdate",
      value: { tools: ["lookup_order"], handoffs: ["Refunds"], output_type: "text" },
    });
    expect(refundsStart).toMatchObject({ agentId: "Refunds", parentSpanId: sessionStart!.spanId });

    const toolStart = events.find((e) => e.type === EventType.TOOL_CALL_START)!;
    const toolEnd = events.find((e) => e.type === EventType.TOOL_CALL_END)!;
    expect(toolStart).toMatchObject({ agentId: "Triage", parentSpanId: triageStart!.spanId });
    expect(toolStart.content).toMatchObject({
      case: "toolCall",
      value: { name: "lookup_order", arguments: { orderId: "42" } },
    });
    expect(toolEnd.spanId).toBe(toolStart.spanId);
    expect(toolEnd.content.case).toBe("toolResponse");
    if (toolEnd.content.case === "toolResponse" && toolStart.content.case === "toolCall") {
      expect(toolEnd.content.value.toolCallId).toBe(toolStart.content.value.id);
      expect(toolEnd.content.value.output).toEqual({ output: "paid by card" });
      expect(toolEnd.content.value.executionTimeMs).toBeGreaterThanOrEqual(0);
    }

    const handoff = events.find((e) => e.type === EventType.AGENT_HANDOFF)!;
    expect(handoff).toMatchObject({ agentId: "Triage", parentSpanId: triageStart!.spanId });
    expect(handoff.content).toMatchObject({
      case: "agentHandoff",
      value: { fromAgentId: "Triage", toAgentId: "Refunds", toAgentName: "Refunds" },
    });

    const modelEnds = events.filter((e) => e.type === EventType.MODEL_INVOCATION_END);
    expect(modelEnds.map((e) => [e.agentId, e.content.value])).toMatchObject([
      [
        "Triage",
        {
          model: "fake-triage-1",
          provider: "openai",
          promptTokens: 120,
          completionTokens: 15,
          totalTokens: 135,
        },
      ],
      [
        "Triage",
        { model: "fake-triage-1", promptTokens: 180, completionTokens: 10, totalTokens: 190 },
      ],
      [
        "Refunds",
        { model: "fake-refunds-1", promptTokens: 90, completionTokens: 12, totalTokens: 102 },
      ],
    ]);
    const lastModelStart = events
      .filter((e) => e.type === EventType.MODEL_INVOCATION_START)
      .at(-1)!;
    expect(lastModelStart.parentSpanId).toBe(refundsStart!.spanId);
    expect(toJsonString(EventSchema, lastModelStart)).toContain("Please refund order 42.");
    expect(toJsonString(EventSchema, modelEnds.at(-1)!)).toContain("Refunded.");

    // START/END pairs: same span, START first, END with the duration and COMPLETED.
    for (const e of events) {
      expect(e.status, typeName(e)).not.toBe(EventStatus.FAILED);
      expect(e.timestamp, typeName(e)).toBeDefined();
    }
    const sessionEnd = events.at(-1)!;
    expect(sessionEnd.spanId).toBe(sessionStart!.spanId);
    expect(sessionEnd.performance?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("sends the same session for a streamed run, ended when the stream is done", async () => {
    const { chaukas, projectId } = newClient();
    const processor = createChaukasTracingProcessor(chaukas);
    setTraceProcessors([processor]);
    const stream = await run(supportAgents(), "Please refund order 42.", { stream: true });
    for await (const _ of stream) {
      // Consumed as an application would.
    }
    await stream.completed;
    expect(stream.finalOutput).toBe("Refunded.");
    const events = await delivered(processor, chaukas, projectId);
    await chaukas.shutdown();
    expect(events.map(typeName)).toEqual([
      "SESSION_START",
      "AGENT_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "TOOL_CALL_START",
      "TOOL_CALL_END",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "AGENT_HANDOFF",
      "AGENT_END",
      "AGENT_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "AGENT_END",
      "SESSION_END",
    ]);
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(1);
    const [, triageStart] = events;
    for (const e of events.slice(2, 9))
      expect(e.parentSpanId, typeName(e)).toBe(triageStart!.spanId);
    expect(events[3]!.content.value).toMatchObject({ promptTokens: 120, completionTokens: 15 });
  });

  it("sends no prompts, arguments or results with recordInputs and recordOutputs off", async () => {
    const secrets = { order: "ORDER-SECRET", lookup: "LOOKUP-SECRET", answer: "ANSWER-SECRET" };
    const { result, events } = await runSupport(
      { recordInputs: false, recordOutputs: false },
      secrets,
    );
    expect(result.finalOutput).toBe("ANSWER-SECRET");
    expect(events).toHaveLength(15);

    const wire = events.map((e) => toJsonString(EventSchema, e)).join("\n");
    for (const secret of [...Object.values(secrets), "Please refund order", "Route the customer"]) {
      expect(wire).not.toContain(secret);
    }
    for (const e of events) {
      const value = e.content.value as Record<string, unknown> | undefined;
      for (const field of ["request", "response", "arguments", "output"]) {
        expect(value?.[field], `${typeName(e)}.${field}`).toBeUndefined();
      }
    }
    // What is not content still goes: names, models, tokens.
    expect(wire).toContain("lookup_order");
    const modelEnd = events.find((e) => e.type === EventType.MODEL_INVOCATION_END)!;
    expect(modelEnd.content.value).toMatchObject({ model: "fake-triage-1", promptTokens: 120 });
  });

  it("sends a tripped input guardrail as POLICY_DECISION deny, with ERROR and a failed AGENT_END", async () => {
    const { chaukas, projectId } = newClient();
    const processor = createChaukasTracingProcessor(chaukas);
    setTraceProcessors([processor]);
    const agent = new Agent({
      name: "Support",
      model: createScriptedModel("fake-support-1", [
        { output: () => [assistantMessage("Sure.")], inputTokens: 10, outputTokens: 2 },
      ]),
      inputGuardrails: [
        {
          name: "polite",
          runInParallel: false,
          execute: async () => ({ tripwireTriggered: false, outputInfo: {} }),
        },
        {
          name: "no_card_numbers",
          runInParallel: false,
          execute: async () => ({ tripwireTriggered: true, outputInfo: { found: "card" } }),
        },
      ],
    });
    await expect(run(agent, "my card is 4111 1111 1111 1111")).rejects.toBeInstanceOf(
      InputGuardrailTripwireTriggered,
    );
    const events = await delivered(processor, chaukas, projectId);
    await chaukas.shutdown();

    const sessionStart = events.find((e) => e.type === EventType.SESSION_START)!;
    const agentStart = events.find((e) => e.type === EventType.AGENT_START)!;
    const decisions = events.filter((e) => e.type === EventType.POLICY_DECISION);
    expect(decisions.map((e) => [e.content.value, e.severity, e.parentSpanId, e.agentId])).toEqual(
      expect.arrayContaining([
        [
          expect.objectContaining({ policyId: "polite", outcome: "allow" }),
          Severity.INFO,
          agentStart.spanId,
          "Support",
        ],
        [
          expect.objectContaining({ policyId: "no_card_numbers", outcome: "deny" }),
          Severity.WARN,
          agentStart.spanId,
          "Support",
        ],
      ]),
    );
    // The runner gives the agent span and the run (task span) the run's error.
    const errors = events.filter((e) => e.type === EventType.ERROR);
    expect(errors.map((e) => e.parentSpanId)).toEqual([agentStart.spanId, sessionStart.spanId]);
    for (const error of errors) {
      expect(error).toMatchObject({ severity: Severity.ERROR, status: EventStatus.FAILED });
      expect(error.content).toMatchObject({
        case: "error",
        value: { errorMessage: "Error in agent run" },
      });
      expect(JSON.stringify(error.metadata)).toContain("InputGuardrailTripwireTriggered");
    }
    const agentEnd = events.find((e) => e.type === EventType.AGENT_END)!;
    expect(agentEnd).toMatchObject({ spanId: agentStart.spanId, status: EventStatus.FAILED });
    expect(agentEnd.metadata).toEqual({ error: { message: "Error in agent run" } });
    // The SDK does not end the trace of a failed run; the session ends with the run.
    const sessionEnd = events.at(-1)!;
    expect(sessionEnd).toMatchObject({
      type: EventType.SESSION_END,
      spanId: sessionStart.spanId,
      status: EventStatus.FAILED,
    });
    expect(events.at(-1)!.type).toBe(EventType.SESSION_END);
  });

  it("nests an agent used as a tool under that tool call, whose START is sent after it", async () => {
    const { chaukas, projectId } = newClient();
    const processor = createChaukasTracingProcessor(chaukas);
    setTraceProcessors([processor]);
    const researcher = new Agent({
      name: "Researcher",
      model: createScriptedModel("fake-researcher-1", [
        { output: () => [assistantMessage("Order 42 shipped.")], inputTokens: 30, outputTokens: 4 },
      ]),
    });
    const lead = new Agent({
      name: "Lead",
      tools: [researcher.asTool({ toolName: "research", toolDescription: "Finds facts." })],
      model: createScriptedModel("fake-lead-1", [
        {
          output: () => [functionCall("research", { input: "order 42" }, { callId: "c1" })],
          inputTokens: 50,
          outputTokens: 8,
        },
        { output: () => [assistantMessage("It shipped.")], inputTokens: 70, outputTokens: 3 },
      ]),
    });
    const result = await run(lead, "Where is order 42?");
    expect(result.finalOutput).toBe("It shipped.");
    const events = await delivered(processor, chaukas, projectId);
    await chaukas.shutdown();

    expect(new Set(events.map((e) => e.sessionId)).size).toBe(1);
    const toolStart = events.find((e) => e.type === EventType.TOOL_CALL_START)!;
    const researcherStart = events.find(
      (e) => e.type === EventType.AGENT_START && e.agentId === "Researcher",
    )!;
    expect(toolStart.content).toMatchObject({ case: "toolCall", value: { name: "research" } });
    expect(researcherStart.parentSpanId).toBe(toolStart.spanId);
    // The tool span's START is written when it ends, back-dated: after its child in the stream,
    // before it in time.
    expect(events.indexOf(researcherStart)).toBeLessThan(events.indexOf(toolStart));
    expect(timestampMs(toolStart.timestamp!)).toBeLessThanOrEqual(
      timestampMs(researcherStart.timestamp!),
    );
    const researcherModel = events.find(
      (e) => e.type === EventType.MODEL_INVOCATION_END && e.agentId === "Researcher",
    )!;
    expect(researcherModel.parentSpanId).toBe(researcherStart.spanId);
  });

  it("keeps the run going when a span cannot be read, counting and reporting the failure", async () => {
    const { chaukas, projectId } = newClient();
    const onError = vi.fn();
    const processor = createChaukasTracingProcessor(chaukas, {
      onError: (error, info) => {
        onError(error, info);
        throw new Error("a failing onError is ignored too");
      },
    });
    setTraceProcessors([processor]);
    // The tool records a custom span whose data the application made unreadable: the adapter
    // cannot convert it, and only that span's event is lost.
    const unreadable = {
      get value(): never {
        throw new Error("unreadable span data");
      },
    };
    const agent = supportAgents();
    const lookup = agent.tools[0] as FunctionTool;
    const invoke = lookup.invoke;
    lookup.invoke = (context, input, details) =>
      withCustomSpan(() => invoke(context, input, details), {
        data: { name: "audit", data: { unreadable } },
      });

    const result = await run(agent, "Please refund order 42.");
    expect(result.finalOutput).toBe("Refunded.");
    const events = await delivered(processor, chaukas, projectId);
    await chaukas.shutdown();

    expect(processor.stats()).toMatchObject({ failed: 1 });
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: "unreadable span data" }),
      { hook: "onSpanEnd", spanType: "custom" },
    );
    expect(events.map(typeName)).not.toContain("SYSTEM");
    expect(events.map(typeName)).toContain("TOOL_CALL_END");
    expect(events.map(typeName)).toContain("AGENT_HANDOFF");
    expect(events).toHaveLength(15);
    expect(events.at(-1)!.type).toBe(EventType.SESSION_END);
  });
});
