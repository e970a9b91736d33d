// A session as the Python chaukas-sdk 0.1.0 builds it (core/event_builder.py and its OpenAI
// Agents integration): every id a UUIDv7 string, every event its own span, an END reusing its
// START's span id, every event but the session's own parented on the session span, no agent
// on SESSION_START (its name is in metadata), SYSTEM text in `metadata.message`, a failed END
// carrying `error` content (set last, it replaces the type's own in the oneof), and AGENT_ENDs
// that never come (a handoff, then an error).
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import {
  Author,
  type Event,
  EventSchema,
  EventStatus,
  EventType,
  Severity,
} from "@chaukas/spec/common/v1";

type EventInit = MessageInitShape<typeof EventSchema>;

export interface PythonSdkSessionOptions {
  /** When the session starts, Unix ms. */
  readonly startMs: number;
  readonly tenantId?: string;
  readonly projectId?: string;
}

/** A UUIDv7 of `ms` whose other bits come from `n`, so a fixture is the same on every run. */
export function uuidv7At(ms: number, n: number): string {
  const time = ms.toString(16).padStart(12, "0");
  const a = (n & 0xfff).toString(16).padStart(3, "0");
  const b = (0x8000 | ((n * 0x9e37) & 0x3fff)).toString(16);
  const c = ((n * 0x2545f491) % 0x1000000000000).toString(16).padStart(12, "0");
  return `${time.slice(0, 8)}-${time.slice(8)}-7${a}-${b}-${c}`;
}

/** The 23 events of a refund request handed from a triage agent to a refunds agent. */
export function pythonSdkSession(options: PythonSdkSessionOptions): Event[] {
  const { startMs } = options;
  let n = 0;
  const id = (atMs: number) => uuidv7At(startMs + atMs, ++n);
  const sessionId = id(0);
  const traceId = id(0);
  const triage = { agentId: "Triage Agent", agentName: "Triage Agent" };
  const refunds = { agentId: "Refunds Agent", agentName: "Refunds Agent" };
  let sessionSpanId = "";

  /** `_create_base_event`: a new span per event, parented on the session span. */
  const event = (atMs: number, init: EventInit, spanId?: string): Event =>
    create(EventSchema, {
      eventId: id(atMs),
      tenantId: options.tenantId ?? "acme",
      projectId: options.projectId ?? "support-desk",
      sessionId,
      traceId,
      spanId: spanId ?? id(atMs),
      parentSpanId: sessionSpanId,
      severity: Severity.INFO,
      status: EventStatus.COMPLETED,
      author: Author.SYSTEM,
      timestamp: timestampFromMs(startMs + atMs),
      branch: "main",
      tags: ["production", "agent-monitoring"],
      ...init,
    });
  const system = (atMs: number, agent: typeof triage, message: string) =>
    event(atMs, {
      type: EventType.SYSTEM,
      ...agent,
      metadata: { framework: "openai_agents", message },
    });
  const stateUpdate = (atMs: number, agent: typeof triage, model: string, tools: string[]) =>
    event(atMs, {
      type: EventType.STATE_UPDATE,
      ...agent,
      content: { case: "stateUpdate", value: { model, tools, first_run: true } },
    });
  const agentStart = (atMs: number, agent: typeof triage, model: string, instructions: string) =>
    event(atMs, {
      type: EventType.AGENT_START,
      status: EventStatus.STARTED,
      author: Author.AGENT,
      ...agent,
      metadata: { model, framework: "openai_agents", role: "assistant", instructions },
    });
  const modelStart = (atMs: number, agent: typeof triage, model: string, prompt: string) =>
    event(atMs, {
      type: EventType.MODEL_INVOCATION_START,
      status: EventStatus.STARTED,
      author: Author.LLM,
      ...agent,
      content: {
        case: "llmInvocation",
        value: {
          provider: "openai",
          model,
          request: { messages: [{ role: "user", content: prompt }] },
          startTime: timestampFromMs(startMs + atMs),
        },
      },
    });
  const modelEnd = (
    atMs: number,
    start: Event,
    agent: typeof triage,
    model: string,
    tokens: [prompt: number, completion: number],
    toolCalls: string[],
  ) =>
    event(
      atMs,
      {
        type: EventType.MODEL_INVOCATION_END,
        author: Author.LLM,
        ...agent,
        content: {
          case: "llmInvocation",
          value: {
            provider: "openai",
            model,
            response: {
              tool_calls: toolCalls.map((name) => ({ name })),
              finish_reason: "tool_calls",
            },
            finishReason: "tool_calls",
            promptTokens: tokens[0],
            completionTokens: tokens[1],
            totalTokens: tokens[0] + tokens[1],
            endTime: timestampFromMs(startMs + atMs),
            durationMs: startMs + atMs - timestampMs(start.timestamp ?? timestampFromMs(startMs)),
          },
        },
      },
      start.spanId,
    );
  const toolStart = (atMs: number, name: string, args: Record<string, string | number>) =>
    event(atMs, {
      type: EventType.TOOL_CALL_START,
      status: EventStatus.STARTED,
      author: Author.TOOL,
      ...refunds,
      content: { case: "toolCall", value: { id: `call_${name}`, name, arguments: args } },
    });

  const sessionStart = event(0, {
    type: EventType.SESSION_START,
    status: EventStatus.STARTED,
    metadata: { framework: "openai_agents", agent_name: "Triage Agent", model: "gpt-4o" },
  });
  sessionSpanId = sessionStart.spanId;
  const question = "My blender arrived with a cracked jar (order #1042). Can I get a refund?";
  const events: Event[] = [sessionStart];
  events.push(
    event(4, {
      type: EventType.INPUT_RECEIVED,
      author: Author.USER,
      content: {
        case: "message",
        value: {
          role: "user",
          text: question,
          metadata: { method: "Runner.run", agent: "Triage Agent" },
        },
      },
    }),
    stateUpdate(6, triage, "gpt-4o", ["transfer_to_refunds_agent"]),
    system(7, triage, "Agent 'Triage Agent' initialized with model gpt-4o"),
    agentStart(8, triage, "gpt-4o", "Route each customer to the right specialist."),
  );
  const triageModel = modelStart(12, triage, "gpt-4o", question);
  events.push(
    triageModel,
    modelEnd(820, triageModel, triage, "gpt-4o", [412, 18], ["transfer_to_refunds_agent"]),
    event(826, {
      type: EventType.AGENT_HANDOFF,
      author: Author.AGENT,
      ...triage,
      content: {
        case: "agentHandoff",
        value: {
          fromAgentId: triage.agentId,
          fromAgentName: triage.agentName,
          toAgentId: refunds.agentId,
          toAgentName: refunds.agentName,
          reason: "refund request",
          handoffType: "transfer",
        },
      },
    }),
    // No AGENT_END for the triage agent: the integration's one current-agent span moves on.
    stateUpdate(830, refunds, "gpt-4o-mini", ["lookup_order", "issue_refund"]),
    system(831, refunds, "Agent 'Refunds Agent' initialized with model gpt-4o-mini"),
    agentStart(832, refunds, "gpt-4o-mini", "Check the order, then refund damaged goods."),
  );
  const refundsModel = modelStart(836, refunds, "gpt-4o-mini", question);
  const lookup = toolStart(1516, "lookup_order", { order_id: "1042" });
  const refund = toolStart(1796, "issue_refund", { order_id: "1042", amount: 89 });
  const retryModel = modelStart(2911, refunds, "gpt-4o-mini", question);
  const refundFailure = "payments API timed out after 1.1 s";
  const rateLimit = "Rate limit reached for gpt-4o-mini: 3 requests per minute";
  events.push(
    refundsModel,
    modelEnd(
      1510,
      refundsModel,
      refunds,
      "gpt-4o-mini",
      [655, 41],
      ["lookup_order", "issue_refund"],
    ),
    lookup,
    event(
      1790,
      {
        type: EventType.TOOL_CALL_END,
        author: Author.TOOL,
        ...refunds,
        content: {
          case: "toolResponse",
          value: {
            toolCallId: "call_lookup_order",
            output: { output: { status: "delivered", total: 89 } },
            executionTimeMs: 274,
          },
        },
      },
      lookup.spanId,
    ),
    refund,
    event(
      2905,
      {
        type: EventType.TOOL_CALL_END,
        status: EventStatus.FAILED,
        author: Author.TOOL,
        ...refunds,
        content: { case: "error", value: { errorMessage: refundFailure, recoverable: true } },
      },
      refund.spanId,
    ),
    retryModel,
    event(
      3980,
      {
        type: EventType.MODEL_INVOCATION_END,
        status: EventStatus.FAILED,
        author: Author.LLM,
        ...refunds,
        content: { case: "error", value: { errorMessage: rateLimit, recoverable: true } },
      },
      retryModel.spanId,
    ),
    event(3986, {
      type: EventType.RETRY,
      severity: Severity.WARN,
      status: EventStatus.IN_PROGRESS,
      ...refunds,
      retry: { attempt: 1, strategy: "exponential", backoffMs: 1000 },
      metadata: { retry_reason: `Agent execution failed: ${rateLimit}` },
    }),
    event(3990, {
      type: EventType.ERROR,
      severity: Severity.ERROR,
      status: EventStatus.FAILED,
      ...refunds,
      content: {
        case: "error",
        value: { errorMessage: rateLimit, errorCode: "RateLimitError", recoverable: true },
      },
    }),
    // No AGENT_END for the refunds agent: the run ended in the error above.
    event(4000, {
      type: EventType.OUTPUT_EMITTED,
      author: Author.AGENT,
      content: {
        case: "message",
        value: {
          role: "assistant",
          text: "Sorry, I could not issue the refund just now. A colleague will email you today.",
          metadata: { method: "Runner.run", agent: "Triage Agent" },
        },
      },
    }),
    event(
      4006,
      {
        type: EventType.SESSION_END,
        parentSpanId: "",
        metadata: { framework: "openai_agents", duration_ms: 4006, success: true },
      },
      sessionSpanId,
    ),
  );
  return events;
}
