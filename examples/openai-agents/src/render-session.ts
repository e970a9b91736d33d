import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type Event, EventStatus, EventType } from "@chaukas/spec/common/v1";

const ENDS: ReadonlySet<EventType> = new Set([
  EventType.SESSION_END,
  EventType.AGENT_END,
  EventType.MODEL_INVOCATION_END,
  EventType.TOOL_CALL_END,
  EventType.MCP_CALL_END,
]);

interface SpanNode {
  readonly first: Event;
  end?: Event;
  readonly children: SpanNode[];
}

const ms = (event: Event) => (event.timestamp ? timestampMs(event.timestamp) : 0);

function describe(node: SpanNode): string {
  const { first, end } = node;
  const content = first.content;
  const took = end === undefined ? "" : ` (${ms(end) - ms(first)} ms)`;
  const failed = end?.status === EventStatus.FAILED ? " FAILED" : "";
  switch (content.case) {
    case "llmInvocation": {
      const usage = end?.content.case === "llmInvocation" ? end.content.value : undefined;
      return `model ${content.value.model} ${usage?.promptTokens ?? 0}→${usage?.completionTokens ?? 0} tokens${took}${failed}`;
    }
    case "toolCall": {
      const result = end?.content.case === "toolResponse" ? end.content.value.output : undefined;
      return `tool ${content.value.name} ${JSON.stringify(content.value.arguments ?? {})} → ${JSON.stringify(result ?? null)}${took}${failed}`;
    }
    case "mcpCall":
      return `mcp ${content.value.serverName} ${content.value.operation}${took}${failed}`;
    case "agentHandoff":
      return `handoff ${content.value.fromAgentName} → ${content.value.toAgentName}`;
    case "policy":
      return `guardrail ${content.value.policyId}: ${content.value.outcome}`;
    case "error":
      return `error: ${content.value.errorMessage}`;
    default:
      if (first.type === EventType.SESSION_START) {
        return `session ${first.sessionId} ${JSON.stringify(first.metadata ?? {})}${took}${failed}`;
      }
      if (first.type === EventType.AGENT_START) return `agent ${first.agentName}${took}${failed}`;
      return `${EventType[first.type]}${took}${failed}`;
  }
}

/** A session's events as an indented tree of spans (`parent_span_id`), in time order. */
export function renderSession(events: readonly Event[]): string {
  const nodes = new Map<string, SpanNode>();
  for (const event of events) {
    const node = nodes.get(event.spanId);
    if (node === undefined) nodes.set(event.spanId, { first: event, children: [] });
    else if (ENDS.has(event.type)) node.end = event;
  }
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = nodes.get(node.first.parentSpanId);
    (parent === undefined || parent === node ? roots : parent.children).push(node);
  }
  const lines: string[] = [];
  const walk = (node: SpanNode, depth: number) => {
    lines.push(`${"  ".repeat(depth)}${describe(node)}`);
    for (const child of node.children.sort((a, b) => ms(a.first) - ms(b.first))) {
      walk(child, depth + 1);
    }
  };
  for (const root of roots) walk(root, 0);
  return lines.join("\n");
}
