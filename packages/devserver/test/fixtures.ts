// Test events for every EventType, each with the content its type carries and enough of the
// optional fields set that a field-for-field comparison after a round trip means something.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  Author,
  type Event,
  EventSchema,
  EventStatus,
  EventType,
  Severity,
} from "@chaukas/spec/common/v1";

type Content = NonNullable<MessageInitShape<typeof EventSchema>["content"]>;

/** The 19 event types of the spec (all but UNSPECIFIED), in enum order. */
export const ALL_EVENT_TYPES: readonly EventType[] = Object.values(EventType).filter(
  (v): v is EventType => typeof v === "number" && v !== EventType.UNSPECIFIED,
);

/** The content an event of `type` carries in these fixtures; `n` makes the text unique. */
export function contentFor(type: EventType, n: number): Content {
  switch (type) {
    case EventType.SESSION_START:
    case EventType.SESSION_END:
    case EventType.AGENT_START:
    case EventType.AGENT_END:
    case EventType.SYSTEM:
      return { case: "message", value: { role: "system", text: `lifecycle note ${n}` } };
    case EventType.INPUT_RECEIVED:
      return {
        case: "message",
        value: {
          role: "user",
          text: `What is the weather in Zürich? #${n}`,
          metadata: { lang: "de" },
        },
      };
    case EventType.OUTPUT_EMITTED:
      return { case: "message", value: { role: "assistant", text: `Sunny, 21°C #${n}` } };
    case EventType.AGENT_HANDOFF:
      return {
        case: "agentHandoff",
        value: {
          fromAgentId: "planner",
          fromAgentName: "Planner",
          toAgentId: "researcher",
          toAgentName: "Researcher",
          handoffData: { task: "find sources", depth: 2 },
          reason: `needs research ${n}`,
          handoffType: "sequential",
        },
      };
    case EventType.MODEL_INVOCATION_START:
    case EventType.MODEL_INVOCATION_END:
      return {
        case: "llmInvocation",
        value: {
          provider: "openai",
          model: "gpt-4o-mini",
          request: { messages: [{ role: "user", content: `summarise document ${n}` }] },
          response: { text: "A short summary." },
          promptTokens: 120,
          completionTokens: 30,
          totalTokens: 150,
          temperature: 0.2,
          maxTokens: 512,
          topP: 0.9,
          startTime: timestampFromMs(1_700_000_000_000),
          endTime: timestampFromMs(1_700_000_000_850),
          durationMs: 850.5,
          finishReason: "stop",
        },
      };
    case EventType.TOOL_CALL_START:
      return {
        case: "toolCall",
        value: {
          id: `call-${n}`,
          name: "weather_lookup",
          arguments: { city: "Zürich", units: "metric", days: 3 },
          authRequired: true,
          functionName: "get_forecast",
        },
      };
    case EventType.TOOL_CALL_END:
      return {
        case: "toolResponse",
        value: {
          toolCallId: `call-${n}`,
          output: { forecast: ["sunny", "cloudy"], high: 21.5 },
          executionTimeMs: 42.25,
          httpStatus: 200,
        },
      };
    case EventType.MCP_CALL_START:
    case EventType.MCP_CALL_END:
      return {
        case: "mcpCall",
        value: {
          serverName: "files",
          serverUrl: "http://localhost:7000/mcp",
          operation: "resources/read",
          method: "POST",
          request: { uri: `file:///notes/${n}.md` },
          response: { bytes: 1234 },
          protocolVersion: "2025-03-26",
          executionTimeMs: 12.5,
        },
      };
    case EventType.ERROR:
      return {
        case: "error",
        value: {
          errorMessage: `Rate limit exceeded ${n}`,
          errorCode: "RATE_LIMIT",
          stackTrace: "Error: Rate limit\n    at call (agent.ts:10:5)",
          recoverable: true,
          recoveryAction: "retry later",
        },
      };
    case EventType.RETRY:
      return { case: "error", value: { errorMessage: `timeout ${n}`, errorCode: "TIMEOUT" } };
    case EventType.POLICY_DECISION:
      return {
        case: "policy",
        value: {
          policyId: "pii-guard",
          outcome: "deny",
          ruleIds: ["r1", "r7"],
          rationale: `contains an email address ${n}`,
        },
      };
    case EventType.DATA_ACCESS:
      return {
        case: "dataAccess",
        value: {
          datasource: "vector://products",
          documentIds: ["doc-1", "doc-2"],
          chunkIds: ["c-9"],
          piiCategories: ["EMAIL"],
        },
      };
    case EventType.STATE_UPDATE:
      return { case: "stateUpdate", value: { step: n, plan: ["search", "answer"], done: false } };
    default:
      throw new Error(`no fixture for event type ${type}`);
  }
}

/** Fields shared by every fixture event, overridable per call. */
export interface FixtureOptions {
  sessionId?: string;
  tenantId?: string;
  projectId?: string;
  tags?: string[];
  /** Milliseconds since the epoch. */
  timeMs?: number;
  eventId?: string;
}

const BASE_TIME_MS = Date.UTC(2025, 0, 15, 12, 0, 0);

/** One valid event of `type`; `n` makes its id, time and text unique. */
export function makeEvent(type: EventType, n: number, options: FixtureOptions = {}): Event {
  const failed = type === EventType.ERROR || type === EventType.RETRY;
  return create(EventSchema, {
    eventId: options.eventId ?? `evt-${String(n).padStart(6, "0")}`,
    tenantId: options.tenantId ?? "tenant-a",
    projectId: options.projectId ?? "project-x",
    sessionId: options.sessionId ?? "session-1",
    spanId: `span-${n}`,
    parentSpanId: "span-root",
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    type,
    severity: failed ? Severity.ERROR : Severity.INFO,
    status: failed ? EventStatus.FAILED : EventStatus.COMPLETED,
    author: Author.AGENT,
    timestamp: timestampFromMs(options.timeMs ?? BASE_TIME_MS + n * 1000),
    agentId: "planner",
    agentName: "Planner",
    invocationId: `inv-${n}`,
    tags: options.tags ?? ["env:test"],
    content: contentFor(type, n),
    ...(type === EventType.RETRY
      ? { retry: { attempt: 2, strategy: "exponential_backoff", backoffMs: 400 } }
      : {}),
    ...(type === EventType.MODEL_INVOCATION_END
      ? {
          cost: {
            provider: "openai",
            service: "chat.completions",
            inputTokens: 120,
            outputTokens: 30,
            totalTokens: 150,
            inputCost: 0.00018,
            outputCost: 0.00018,
            totalCost: 0.00036,
            currency: "USD",
          },
          performance: { durationMs: 850.5, latencyMs: 120.25 },
        }
      : {}),
    metadata: { fixture: true, n },
  });
}

/** One event of each of the 19 types, one second apart, in enum order. */
export function oneOfEachType(options: FixtureOptions & { firstN?: number } = {}): Event[] {
  const first = options.firstN ?? 0;
  return ALL_EVENT_TYPES.map((type, i) => makeEvent(type, first + i, options));
}
