import { type Event, EventType } from "@chaukas/spec/common/v1";
import { typeName } from "./event-kinds.js";
import { formatUsd, truncate } from "./format.js";
import type { SpanRow } from "./span-rows.js";

/** "TOOL_CALL_START → END" for a span, the type for a single event. */
export function rowTitle(row: SpanRow): string {
  const first = typeName(row.first.type);
  if (row.end === undefined) return first;
  return `${first} → ${typeName(row.end.type).replace(/^.*_/, "")}`;
}

/** What the span or event was, in a few words (the terminal tree's summary, as text). */
export function rowDetail(row: SpanRow): string {
  const event = row.first;
  const content = event.content;
  const endContent = row.end?.content;
  // A failed END may say why with `error` content instead of its type's own (as the Python SDK
  // sends them); a START never carries the failure of its span.
  const endFailure = endContent?.case === "error" ? ` · ${endContent.value.errorMessage}` : "";
  switch (event.type) {
    case EventType.SESSION_START:
    case EventType.AGENT_START:
      return agentLabel(event) || metadataText(event, "framework");
    case EventType.RETRY: {
      const reason =
        content.case === "error"
          ? content.value.errorMessage
          : metadataText(event, "retry_reason") || metadataText(event, "message");
      return `attempt ${event.retry?.attempt ?? "?"} after ${event.retry?.backoffMs ?? "?"} ms${reason === "" ? "" : ` · ${reason}`}`;
    }
  }
  switch (content.case) {
    case "llmInvocation": {
      const result = endContent?.case === "llmInvocation" ? endContent.value : undefined;
      const tokens =
        result === undefined ? "" : ` · ${result.promptTokens}→${result.completionTokens} tokens`;
      const cost = row.end?.cost?.totalCost ? ` · ${formatUsd(row.end.cost.totalCost)}` : "";
      return `${content.value.provider}/${content.value.model}${tokens}${cost}${endFailure}`;
    }
    case "toolCall": {
      const failure =
        endContent?.case === "toolResponse" && endContent.value.errorMessage !== ""
          ? ` · ${endContent.value.errorMessage}`
          : endFailure;
      return `${content.value.name}${failure}`;
    }
    case "mcpCall":
      return `${content.value.serverName} ${content.value.operation}${endFailure}`;
    case "agentHandoff":
      return `${content.value.fromAgentName || content.value.fromAgentId} → ${content.value.toAgentName || content.value.toAgentId}`;
    case "policy":
      return `${content.value.policyId} · ${content.value.outcome}`;
    case "dataAccess": {
      const pii = content.value.piiCategories;
      return `${content.value.datasource} · ${content.value.documentIds.length} docs${pii.length > 0 ? ` · PII ${pii.join(", ")}` : ""}`;
    }
    case "error":
      return content.value.errorMessage;
    case "message":
      return `${content.value.role}: “${truncate(content.value.text, 80)}”`;
    case "stateUpdate":
      return truncate(JSON.stringify(content.value), 80);
    default: {
      // The Python SDK writes a SYSTEM event's text to `metadata.message`.
      const message = metadataText(event, "message");
      return message === "" ? agentLabel(event) : truncate(message, 120);
    }
  }
}

/** The agent's name, else the `agent_name` the Python SDK puts in metadata, else its id. */
function agentLabel(event: Event): string {
  return event.agentName || metadataText(event, "agent_name") || event.agentId;
}

/** A string field of the event's `metadata`; "" when it is absent or not a string. */
function metadataText(event: Event, key: string): string {
  const value = event.metadata?.[key];
  return typeof value === "string" ? value : "";
}
