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
import { checkEventRules } from "../validation/event-content-rules.js";
import { validateBuiltEvent, validateEvent } from "../validation/event-validation.js";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { createScope, startSessionSpan } from "./scope.js";
import type { ScopeRuntime } from "./scope-runtime.js";
import type { ChaukasScope } from "./scope-types.js";
import { createStackContextManager } from "./stack-context-manager.js";

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

describe("builders check what their caller sets where they read it", () => {
  const fieldAndMessage = (run: () => unknown): [string, string] | undefined => {
    try {
      run();
      return undefined;
    } catch (error) {
      if (!(error instanceof ChaukasValidationError)) throw error;
      return [error.field, error.message];
    }
  };

  it("options, inputs, results and the context's agent, with validateEvent's field and message", () => {
    const rt = runtime();
    const session = startSessionSpan(rt, undefined, undefined);
    const cases: [string, () => unknown][] = [
      [
        "agent_name: expected string, got 5",
        () => session.agentStart({ agentId: "a", agentName: 5 as never }),
      ],
      [
        "agent_id: expected string, got 5",
        () => startSessionSpan(rt, { agentId: 5 as never }, undefined),
      ],
      [
        "severity: expected chaukas.spec.common.v1.Severity, got 99",
        () => session.system({ message: "m", severity: 99 as never }),
      ],
      [
        "author: expected chaukas.spec.common.v1.Author, got 9",
        () => session.system({ message: "m", author: 9 as never }),
      ],
      [
        "invocation_id: expected string, got 1",
        () => session.inputReceived({ text: "t", invocationId: 1 as never }),
      ],
      [
        "response_id: expected string, got false",
        () => session.outputEmitted({ text: "t", responseId: false as never }),
      ],
      ["branch: expected string, got 2", () => session.stateUpdate({}, { branch: 2 as never })],
      [
        "infrastructure.process_id: expected int32, got 1.5",
        () => session.stateUpdate({}, { infrastructure: { processId: 1.5 } }),
      ],
      [
        "tool_call.id: expected string, got 7",
        () => session.toolCallStart({ name: "t", id: 7 as never }),
      ],
      [
        'tool_call.auth_required: expected bool, got "yes"',
        () => session.toolCallStart({ name: "t", authRequired: "yes" as never }),
      ],
      [
        'tool_response.http_status: expected int32, got "500"',
        () => session.toolCallStart({ name: "t" }).end({ httpStatus: "500" as never }),
      ],
      ["retry.attempt: expected a count >= 0, got -1", () => session.retry({ attempt: -1 })],
      [
        "retry.backoff_ms: expected int32, got 0.5",
        () => session.retry({ attempt: 1, backoffMs: 0.5 }),
      ],
      [
        "message.role: expected string, got 3",
        () => session.inputReceived({ text: "t", role: 3 as never }),
      ],
      [
        "agent_handoff.reason: expected string, got 1",
        () => session.handoff({ toAgentId: "b", reason: 1 as never }),
      ],
      [
        "cost.total_cost: expected a finite number, got Infinity",
        () =>
          session
            .modelInvocationStart({ provider: "p", model: "m" })
            .end({ cost: { totalCost: Number.POSITIVE_INFINITY } }),
      ],
    ];
    for (const [expected, run] of cases) {
      const before = rt.events.length;
      const [field, message] = fieldAndMessage(run) ?? [];
      expect(message).toBe(expected);
      expect(field).toBe(expected.split(":")[0]);
      // A START may have been queued before its END failed; the failing event never is.
      expect(rt.events.slice(before).every((e) => e.status === EventStatus.STARTED)).toBe(true);
    }
  });

  it("an agent id from a custom context manager is checked too", () => {
    const rt = runtime();
    const context = { sessionId: "s", traceId: "t".repeat(32), spanId: "s".repeat(16), agentId: 4 };
    const scope = createScope(rt, () => context as never);
    expect(fieldAndMessage(() => scope.stateUpdate({}))).toEqual([
      "agent_id",
      "agent_id: expected string, got 4",
    ]);
    expect(rt.events).toEqual([]);
  });
});

describe("handle methods work detached from their handle", () => {
  /** One valid argument per builder; the `satisfies` makes a new builder a compile error here. */
  const BUILDER_ARGS = {
    agentStart: { agentId: "helper" },
    modelInvocationStart: { provider: "openai", model: "m" },
    toolCallStart: { name: "search" },
    mcpCallStart: { serverName: "docs", operation: "tools/call" },
    inputReceived: "hi",
    outputEmitted: "bye",
    retry: { attempt: 2 },
    handoff: { toAgentId: "writer" },
    policyDecision: { policyId: "p", outcome: "allow" },
    dataAccess: { datasource: "vector://x" },
    stateUpdate: { step: 1 },
    error: new Error("bad"),
    system: "sys",
  } satisfies { [K in keyof ChaukasScope]: Parameters<ChaukasScope[K]>[0] };

  /** A session and one handle of every other kind under it. */
  function handles(rt: ScopeRuntime) {
    const session = startSessionSpan(rt, undefined, undefined);
    return {
      session,
      agent: session.agentStart({ agentId: "a1" }),
      modelInvocation: session.modelInvocationStart({ provider: "openai", model: "m" }),
      toolCall: session.toolCallStart({ name: "search" }),
      mcpCall: session.mcpCallStart({ serverName: "docs", operation: "tools/call" }),
    };
  }
  const END_TYPES = {
    session: EventType.SESSION_END,
    agent: EventType.AGENT_END,
    modelInvocation: EventType.MODEL_INVOCATION_END,
    toolCall: EventType.TOOL_CALL_END,
    mcpCall: EventType.MCP_CALL_END,
  } as const;

  it("end() taken off any handle emits its END once and sets `ended`", () => {
    const rt = runtime();
    for (const [kind, handle] of Object.entries(handles(rt))) {
      const { end } = handle;
      end();
      end();
      const ends = rt.events.filter(
        (e) => e.spanId === handle.spanId && e.status !== EventStatus.STARTED,
      );
      expect(
        ends.map((e) => e.type),
        kind,
      ).toEqual([END_TYPES[kind as keyof typeof END_TYPES]]);
      expect(ends[0]!.status).toBe(EventStatus.COMPLETED);
      expect(handle.ended).toBe(true);
    }
  });

  it("fail() taken off any handle emits a FAILED END with the error", () => {
    const rt = runtime();
    for (const [kind, handle] of Object.entries(handles(rt))) {
      const fail = handle.fail;
      fail(new Error(`${kind} broke`));
      const [end, ...more] = rt.events.filter(
        (e) => e.spanId === handle.spanId && e.status !== EventStatus.STARTED,
      );
      expect(more).toEqual([]);
      expect(end).toMatchObject({
        type: END_TYPES[kind as keyof typeof END_TYPES],
        status: EventStatus.FAILED,
        severity: Severity.ERROR,
      });
      expect(handle.ended).toBe(true);
    }
  });

  it("gives the same function each time it is read, for every method of every handle", () => {
    const rt = runtime();
    for (const [kind, handle] of Object.entries(handles(rt))) {
      const methods = [
        ...(Object.keys(BUILDER_ARGS) as (keyof ChaukasScope)[]),
        "end",
        "fail",
        "traceparent",
        "run",
      ] as const;
      for (const name of methods) {
        const method = handle[name as keyof typeof handle];
        expect(typeof method, `${kind}.${name}`).toBe("function");
        expect(handle[name as keyof typeof handle], `${kind}.${name}`).toBe(method);
      }
    }
  });

  it("promise.then(tool.end, tool.fail) ends a tool call on either outcome", async () => {
    const rt = runtime();
    const session = startSessionSpan(rt, undefined, undefined);
    const ok = session.toolCallStart({ name: "ok" });
    const broken = session.toolCallStart({ name: "broken" });
    await Promise.resolve({ output: { hits: 1 } }).then(ok.end, ok.fail);
    await Promise.reject(new Error("timeout")).then(broken.end, broken.fail);
    const ends = rt.events.filter((e) => e.type === EventType.TOOL_CALL_END);
    expect(ends.map((e) => [e.spanId, e.status])).toEqual([
      [ok.spanId, EventStatus.COMPLETED],
      [broken.spanId, EventStatus.FAILED],
    ]);
    const [okEnd, brokenEnd] = ends.map((e) => e.content);
    expect(okEnd?.case === "toolResponse" && okEnd.value.output).toEqual({ hits: 1 });
    expect(brokenEnd?.case === "toolResponse" && brokenEnd.value.errorMessage).toBe("timeout");
  });

  it("every builder destructured from any handle emits under that handle's span", () => {
    const rt = runtime();
    for (const [kind, handle] of Object.entries(handles(rt))) {
      for (const [name, arg] of Object.entries(BUILDER_ARGS)) {
        const builder = handle[name as keyof ChaukasScope] as (arg: unknown) => unknown;
        const before = rt.events.length;
        builder(arg);
        const [event] = rt.events.slice(before);
        expect(event?.parentSpanId, `${kind}.${name}`).toBe(handle.spanId);
        expect(event?.traceId).toBe(handle.traceId);
      }
    }
  });

  it("traceparent() and run() taken off a handle use that handle's span", () => {
    const rt = runtime();
    const { agent } = handles(rt);
    const { traceparent, run } = agent;
    expect(traceparent()).toBe(`00-${agent.traceId}-${agent.spanId}-01`);
    expect(run(() => rt.contextManager.active())).toBe(agent.context);
  });
});
