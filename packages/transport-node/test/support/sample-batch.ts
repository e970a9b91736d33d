import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  Author,
  type EventBatch,
  EventBatchSchema,
  EventSchema,
  EventStatus,
  EventType,
  Severity,
} from "@chaukas/spec/common/v1";

/**
 * A batch whose events exercise every kind of field the wire has to carry: strings, enums,
 * booleans, repeated fields, nested messages, Struct with nested lists, Timestamps, doubles,
 * the content oneof and the cross-cutting attachments. `padding` grows one text field so the
 * batch crosses the compression threshold.
 */
export function sampleBatch(padding = 0): EventBatch {
  const common = {
    tenantId: "acme",
    projectId: "support-bot",
    sessionId: randomUUID(),
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    agentId: "researcher",
    agentName: "Researcher",
    timestamp: timestampFromMs(Date.UTC(2025, 0, 2, 3, 4, 5, 678)),
  };
  return create(EventBatchSchema, {
    batchId: randomUUID(),
    timestamp: timestampFromMs(Date.now()),
    events: [
      create(EventSchema, {
        ...common,
        eventId: randomUUID(),
        spanId: "00f067aa0ba902b7",
        parentSpanId: "b7ad6b7169203331",
        type: EventType.MODEL_INVOCATION_END,
        severity: Severity.INFO,
        status: EventStatus.COMPLETED,
        author: Author.LLM,
        isFinal: true,
        tags: ["quickstart", "llm"],
        content: {
          case: "llmInvocation",
          value: {
            provider: "openai",
            model: "gpt-4o-mini",
            request: {
              messages: [{ role: "user", content: `Where is my order?${"!".repeat(padding)}` }],
            },
            promptTokens: 812,
            completionTokens: 95,
            totalTokens: 907,
            temperature: 0.2,
            durationMs: 431.5,
            finishReason: "stop",
            startTime: timestampFromMs(Date.UTC(2025, 0, 2, 3, 4, 5, 247)),
            endTime: timestampFromMs(Date.UTC(2025, 0, 2, 3, 4, 5, 678)),
          },
        },
        cost: {
          provider: "openai",
          inputTokens: 812,
          outputTokens: 95,
          totalTokens: 907,
          totalCost: 0.000179,
          currency: "USD",
        },
        metadata: { nested: { list: [1, "two", true, null] } },
      }),
      create(EventSchema, {
        ...common,
        eventId: randomUUID(),
        spanId: "00f067aa0ba902b8",
        parentSpanId: "b7ad6b7169203331",
        type: EventType.RETRY,
        severity: Severity.WARN,
        status: EventStatus.IN_PROGRESS,
        author: Author.TOOL,
        content: {
          case: "toolCall",
          value: { id: "call-1", name: "search", arguments: { q: "refund" } },
        },
        retry: { attempt: 2, strategy: "exponential_backoff", backoffMs: 200 },
        piiCategories: ["EMAIL"],
      }),
      create(EventSchema, {
        ...common,
        eventId: randomUUID(),
        spanId: "00f067aa0ba902b9",
        type: EventType.DATA_ACCESS,
        content: {
          case: "dataAccess",
          value: {
            datasource: "vector://kb",
            documentIds: ["doc-1", "doc-2"],
            chunkIds: ["c-9"],
            piiCategories: ["EMAIL", "PHONE"],
          },
        },
      }),
    ],
  });
}
