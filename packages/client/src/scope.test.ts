import { equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  Author,
  type Event,
  EventSchema,
  EventStatus,
  EventType,
  Severity,
} from "@chaukas/spec/common/v1";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkEventRules } from "./event-content-rules.js";
import { validateBuiltEvent, validateEvent } from "./event-validation.js";
import { createScope, type ScopeRuntime, startSessionSpan } from "./scope.js";
import { createStackContextManager } from "./stack-context-manager.js";
import { ChaukasValidationError } from "./validation-error.js";

/** The runtime the client gives scopes, with the queue replaced by an array. */
function runtime(): ScopeRuntime & { events: Event[] } {
  const events: Event[] = [];
  return {
    events,
    defaults: { tenantId: "acme", projectId: "bot", branch: "main", tags: ["default"] },
    contextManager: createStackContextManager(),
    submit(event) {
      validateBuiltEvent(event);
      events.push(event);
    },
  };
}

function roundTrips(event: Event): boolean {
  return equals(EventSchema, fromBinary(EventSchema, toBinary(EventSchema, event)), event);
}

describe("builders", () => {
  it("builds all 19 types with the documented author, status, severity and ids", () => {
    const rt = runtime();
    const session = startSessionSpan(rt, { agentId: "planner", agentName: "Planner" }, undefined);
    session.inputReceived("hi");
    const agent = session.agentStart({ agentId: "researcher", agentName: "Researcher" });
    agent
      .modelInvocationStart({ provider: "openai", model: "m" })
      .end({ promptTokens: 3, completionTokens: 4 });
    agent.toolCallStart({ name: "search", arguments: { q: "x" } }).end({ output: { hits: 1 } });
    agent.mcpCallStart({ serverName: "docs", operation: "resources/read" }).end();
    agent.retry({ attempt: 2 });
    agent.handoff({ toAgentId: "writer" });
    agent.policyDecision({ policyId: "p", outcome: "deny" });
    agent.dataAccess({ datasource: "vector://x", piiCategories: ["EMAIL"] });
    agent.stateUpdate({ a: 1 });
    agent.error(new Error("bad"));
    session.system({ message: "sys" });
    session.outputEmitted("bye");
    agent.end();
    session.end();

    const byType = new Map(rt.events.map((e) => [e.type, e]));
    expect(byType.size).toBe(19);
    for (const event of rt.events) {
      expect(checkEventRules(event)).toBeUndefined();
      expect(roundTrips(event)).toBe(true);
      expect(event.tenantId).toBe("acme");
      expect(event.sessionId).toBe(session.id);
      expect(event.traceId).toBe(session.traceId);
      expect(event.branch).toBe("main");
      expect(event.tags).toEqual(["default"]);
      expect(event.spanId).toMatch(/^[0-9a-f]{16}$/);
    }
    const t = (type: EventType) => byType.get(type)!;
    expect(t(EventType.INPUT_RECEIVED).author).toBe(Author.USER);
    expect(t(EventType.OUTPUT_EMITTED).author).toBe(Author.AGENT);
    expect(t(EventType.MODEL_INVOCATION_END).author).toBe(Author.LLM);
    expect(t(EventType.TOOL_CALL_END).author).toBe(Author.TOOL);
    expect(t(EventType.POLICY_DECISION)).toMatchObject({
      author: Author.SYSTEM,
      severity: Severity.WARN,
    });
    expect(t(EventType.ERROR)).toMatchObject({
      status: EventStatus.FAILED,
      severity: Severity.ERROR,
    });
    expect(t(EventType.DATA_ACCESS).piiCategories).toEqual(["EMAIL"]);

    // START/END share a span; events in the agent are parented to the agent span.
    const agentStart = t(EventType.AGENT_START);
    expect(t(EventType.AGENT_END).spanId).toBe(agentStart.spanId);
    expect(agentStart.parentSpanId).toBe(session.spanId);
    expect(t(EventType.TOOL_CALL_START).spanId).toBe(t(EventType.TOOL_CALL_END).spanId);
    expect(t(EventType.TOOL_CALL_START).parentSpanId).toBe(agentStart.spanId);
    expect(t(EventType.STATE_UPDATE).agentId).toBe("researcher");
    expect(t(EventType.INPUT_RECEIVED).agentId).toBe("planner");
    const handoff = t(EventType.AGENT_HANDOFF).content;
    expect(handoff.case === "agentHandoff" && handoff.value.fromAgentId).toBe("researcher");
    expect(t(EventType.SESSION_END).performance?.durationMs).toBeGreaterThanOrEqual(0);
    const modelEnd = t(EventType.MODEL_INVOCATION_END).content;
    expect(modelEnd.case === "llmInvocation" && modelEnd.value.totalTokens).toBe(7);
    const toolEnd = t(EventType.TOOL_CALL_END).content;
    const toolStart = t(EventType.TOOL_CALL_START).content;
    expect(toolEnd.case === "toolResponse" && toolEnd.value.toolCallId).toBe(
      toolStart.case === "toolCall" && toolStart.value.id,
    );
  });

  it("fail() emits FAILED with severity ERROR once; a later end() does nothing", () => {
    const rt = runtime();
    const session = startSessionSpan(rt, undefined, undefined);
    const tool = session.toolCallStart({ name: "search" });
    tool.fail(new Error("timeout"), { httpStatus: 504 });
    tool.end();
    const model = session.modelInvocationStart({ provider: "p", model: "m" });
    model.fail({ message: "rate limited", code: 429 });
    expect(model.ended).toBe(true);
    const ends = rt.events.filter((e) => e.status === EventStatus.FAILED);
    expect(ends.map((e) => e.type)).toEqual([
      EventType.TOOL_CALL_END,
      EventType.MODEL_INVOCATION_END,
    ]);
    expect(ends.every((e) => e.severity === Severity.ERROR)).toBe(true);
    const tr = ends[0]!.content;
    expect(tr.case === "toolResponse" && [tr.value.errorMessage, tr.value.httpStatus]).toEqual([
      "timeout",
      504,
    ]);
    expect(ends[1]!.metadata).toEqual({ error: { message: "rate limited", code: "429" } });
  });

  it("client-level builders follow the context made active by run()", () => {
    const rt = runtime();
    const onClient = createScope(rt, () => rt.contextManager.active());
    const session = startSessionSpan(rt, undefined, undefined);
    const agent = session.agentStart({ agentId: "a1" });
    agent.run(() => onClient.stateUpdate({ inside: true }));
    onClient.stateUpdate({ outside: true });
    const [inside, outside] = rt.events.slice(-2);
    expect(inside).toMatchObject({
      sessionId: session.id,
      parentSpanId: agent.spanId,
      agentId: "a1",
    });
    expect(outside).toMatchObject({ sessionId: "", parentSpanId: "" });
    expect(outside!.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  const json = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), {
    maxKeys: 4,
  });
  const text = fc.string({ maxLength: 20 });
  const name = fc.string({ minLength: 1, maxLength: 12 });
  const tokens = fc.integer({ min: 0, max: 2 ** 31 - 1 });
  const options = fc.record(
    { tags: fc.array(text, { maxLength: 3 }), metadata: json, invocationId: text },
    { requiredKeys: [] },
  );

  it("any valid input gives events that pass the rules and round-trip (property)", () => {
    const step = fc.oneof(
      fc.record({ k: fc.constant("input"), text, o: options }),
      fc.record({ k: fc.constant("output"), text, o: options }),
      fc.record({
        k: fc.constant("model"),
        provider: name,
        model: name,
        request: json,
        response: json,
        promptTokens: tokens,
        completionTokens: tokens,
        totalTokens: tokens,
        temperature: fc.double({ noNaN: true, noDefaultInfinity: true }),
        o: options,
      }),
      fc.record({ k: fc.constant("tool"), name, args: json, output: json, fail: fc.boolean() }),
      fc.record({ k: fc.constant("mcp"), name, op: name, response: json }),
      fc.record({
        k: fc.constant("retry"),
        attempt: fc.integer({ min: 1, max: 100 }),
        backoffMs: tokens,
      }),
      fc.record({ k: fc.constant("handoff"), to: name, data: json }),
      fc.record({ k: fc.constant("policy"), id: name, outcome: name, rules: fc.array(text) }),
      fc.record({ k: fc.constant("data"), ds: name, docs: fc.array(text) }),
      fc.record({ k: fc.constant("state"), state: json }),
      fc.record({ k: fc.constant("error"), message: text, code: fc.oneof(text, fc.integer()) }),
      fc.record({ k: fc.constant("system"), message: text }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 8 }), (steps) => {
        const rt = runtime();
        const session = startSessionSpan(rt, { agentId: "a" }, undefined);
        const agent = session.agentStart({ agentId: "b" });
        for (const s of steps) {
          switch (s.k) {
            case "input":
              agent.inputReceived({ text: s.text, ...s.o });
              break;
            case "output":
              agent.outputEmitted({ text: s.text, ...s.o });
              break;
            case "model":
              agent
                .modelInvocationStart({
                  provider: s.provider,
                  model: s.model,
                  request: s.request,
                  temperature: s.temperature,
                  ...s.o,
                })
                .end({
                  response: s.response,
                  promptTokens: s.promptTokens,
                  completionTokens: s.completionTokens,
                  totalTokens: s.totalTokens,
                });
              break;
            case "tool": {
              const tool = agent.toolCallStart({ name: s.name, arguments: s.args });
              if (s.fail) tool.fail(new Error("x"), { output: s.output });
              else tool.end({ output: s.output });
              break;
            }
            case "mcp":
              agent
                .mcpCallStart({ serverName: s.name, operation: s.op })
                .end({ response: s.response });
              break;
            case "retry":
              agent.retry({ attempt: s.attempt, backoffMs: s.backoffMs });
              break;
            case "handoff":
              agent.handoff({ toAgentId: s.to, data: s.data });
              break;
            case "policy":
              agent.policyDecision({ policyId: s.id, outcome: s.outcome, ruleIds: s.rules });
              break;
            case "data":
              agent.dataAccess({ datasource: s.ds, documentIds: s.docs });
              break;
            case "state":
              agent.stateUpdate(s.state);
              break;
            case "error":
              agent.error({ message: s.message, code: s.code });
              break;
            case "system":
              agent.system(s.message);
              break;
          }
        }
        agent.end();
        session.end();
        for (const event of rt.events) {
          expect(checkEventRules(event)).toBeUndefined();
          expect(roundTrips(event)).toBe(true);
          expect(() => validateEvent(event)).not.toThrow();
        }
      }),
      { numRuns: 100 },
    );
  });

  it("invalid builder input throws ChaukasValidationError naming the field, and queues nothing (property)", () => {
    const badNumber = fc.constantFrom(Number.NaN, -1, 1.5, 2 ** 31, Number.POSITIVE_INFINITY);
    const cases = fc.oneof(
      badNumber.map((v) => ({
        field: "llm_invocation.prompt_tokens",
        run: (s: ReturnType<typeof startSessionSpan>) =>
          s.modelInvocationStart({ provider: "p", model: "m" }).end({ promptTokens: v }),
      })),
      badNumber.map((v) => ({
        field: "llm_invocation.completion_tokens",
        run: (s: ReturnType<typeof startSessionSpan>) =>
          s.modelInvocationStart({ provider: "p", model: "m" }).end({ completionTokens: v }),
      })),
      fc.constantFrom(Number.NaN, Number.NEGATIVE_INFINITY).map((v) => ({
        field: "llm_invocation.temperature",
        run: (s: ReturnType<typeof startSessionSpan>) =>
          s.modelInvocationStart({ provider: "p", model: "m", temperature: v }),
      })),
      fc.constantFrom<unknown>(7, null, {}, ["x"]).map((v) => ({
        field: "message.text",
        run: (s: ReturnType<typeof startSessionSpan>) => s.inputReceived({ text: v as string }),
      })),
      fc.constantFrom(99, -3, 2.5).map((v) => ({
        field: "severity",
        run: (s: ReturnType<typeof startSessionSpan>) =>
          s.stateUpdate({}, { severity: v as Severity }),
      })),
      fc
        .constantFrom<unknown>(() => 1, 1n, Number.NaN)
        .map((v) => ({
          field: "tool_call.arguments.q[1]",
          run: (s: ReturnType<typeof startSessionSpan>) =>
            s.toolCallStart({ name: "t", arguments: { q: [0, v] } }),
        })),
      fc.constantFrom<unknown>("", undefined, 5).map((v) => ({
        field: "tool_call.name",
        run: (s: ReturnType<typeof startSessionSpan>) => s.toolCallStart({ name: v as string }),
      })),
      fc.constantFrom<unknown>("tag", [1]).map((v) => ({
        field: Array.isArray(v) ? "tags[0]" : "tags",
        run: (s: ReturnType<typeof startSessionSpan>) =>
          s.system({ message: "m", tags: v as string[] }),
      })),
    );
    fc.assert(
      fc.property(cases, ({ field, run }) => {
        const rt = runtime();
        const session = startSessionSpan(rt, undefined, undefined);
        const before = rt.events.length;
        let caught: unknown;
        try {
          run(session);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(ChaukasValidationError);
        expect((caught as ChaukasValidationError).field).toBe(field);
        // A START may have been queued before its END failed; the failing event never is.
        const queued = rt.events.slice(before);
        expect(
          queued.every((e) => e.type.toString().length > 0 && e.status === EventStatus.STARTED),
        ).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
