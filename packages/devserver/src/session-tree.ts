// A session as indented text, one line per span or point event: what the examples print after a
// run, from the events the local backend received.
import { type Event, EventStatus, EventType } from "@chaukas/spec/common/v1";

/**
 * One line per span (its START and END together) or point event, indented under its parent
 * span. `events` in emission order (`query(..., { order: "asc" })`).
 */
export function formatSessionTree(events: readonly Event[]): string {
  const starts: Event[] = [];
  const ends = new Map<string, Event>();
  const depth = new Map<string, number>();
  for (const event of events) {
    if (depth.has(event.spanId)) {
      ends.set(event.spanId, event);
      continue;
    }
    depth.set(event.spanId, (depth.get(event.parentSpanId) ?? -1) + 1);
    starts.push(event);
  }
  return starts
    .map((start) => {
      const indent = "  ".repeat(depth.get(start.spanId) ?? 0);
      return `${indent}${describe(start, ends.get(start.spanId))}`;
    })
    .join("\n");
}

function describe(start: Event, end: Event | undefined): string {
  const failed = end?.status === EventStatus.FAILED ? " FAILED" : "";
  const content = start.content;
  switch (content.case) {
    case "llmInvocation": {
      const result = end?.content.case === "llmInvocation" ? end.content.value : undefined;
      // An embedding has no finish reason.
      const finish = result?.finishReason ? `, ${result.finishReason}` : "";
      return `model ${content.value.model}: ${result?.promptTokens ?? 0}→${result?.completionTokens ?? 0} tokens${finish}${failed}`;
    }
    case "toolCall": {
      const output = end?.content.case === "toolResponse" ? end.content.value.output : undefined;
      return `tool ${content.value.name} ${JSON.stringify(content.value.arguments ?? {})} → ${JSON.stringify(output ?? null)}${failed}`;
    }
    case "error":
      return `error: ${content.value.errorMessage}`;
    case "message":
      return `${content.value.role}: ${content.value.text}`;
    case "dataAccess":
      return `data access ${content.value.datasource}: ${String(start.metadata?.document_count ?? "?")} documents`;
    default:
      return `${EventType[start.type].replace(/_START$/, "").toLowerCase()} ${start.agentName || start.agentId}${failed}`.trimEnd();
  }
}
