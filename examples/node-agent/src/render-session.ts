import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type Event, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { buildSpanTree, type SpanNode } from "./span-tree.js";
import type { TerminalStyle } from "./terminal-style.js";

const typeName = (type: EventType) => EventType[type] ?? String(type);

/**
 * A session as an indented span tree: one line per span with its event type(s), what it was,
 * when it started (relative to the session), how long it took, tokens and cost; then totals
 * and which of the 19 event types occurred.
 */
export function renderSession(events: readonly Event[], style: TerminalStyle): string {
  if (events.length === 0) {
    return style.red("no events found for this session");
  }
  const roots = buildSpanTree(events);
  const origin = Math.min(
    ...events.map((e) => (e.timestamp ? timestampMs(e.timestamp) : Infinity)),
  );
  const lines: string[] = [];

  const modelEnds = events.filter((e) => e.type === EventType.MODEL_INVOCATION_END);
  const tokens = modelEnds.reduce(
    (sum, e) => sum + (e.content.case === "llmInvocation" ? e.content.value.totalTokens : 0),
    0,
  );
  const cost = events.reduce((sum, e) => sum + (e.cost?.totalCost ?? 0), 0);
  const first = events[0]!;
  const session = roots.find((r) => r.first.type === EventType.SESSION_START);
  lines.push(
    `${style.bold("Session")} ${first.sessionId}  ${style.dim(`trace ${first.traceId}`)}`,
    `${style.dim("tenant")} ${first.tenantId}  ${style.dim("project")} ${first.projectId}  ` +
      `${style.dim("duration")} ${formatMs(session?.durationMs)}  ` +
      `${style.dim("tokens")} ${tokens.toLocaleString("en-US")}  ` +
      `${style.dim("cost")} ${formatUsd(cost)}  ${style.dim("events")} ${events.length}`,
    "",
    style.dim(`${"start".padStart(9)} ${"took".padStart(8)}  span`),
  );

  const walk = (node: SpanNode, prefix: string, last: boolean, root: boolean) => {
    const branch = root ? "" : last ? "└─ " : "├─ ";
    // Timings in fixed columns on the left, so they line up however deep the span sits.
    const at = `+${formatMs(node.startMs - origin)}`.padStart(9);
    const took = (node.durationMs !== undefined ? formatMs(node.durationMs) : "").padStart(8);
    lines.push(
      `${style.dim(at)} ${style.yellow(took)}  ${style.dim(prefix + branch)}${describe(node, style)}`,
    );
    const childPrefix = root ? prefix : prefix + (last ? "   " : "│  ");
    node.children.forEach((child, i) => {
      walk(child, childPrefix, i === node.children.length - 1, false);
    });
  };
  for (const root of roots) {
    walk(root, "", true, true);
  }

  const seen = new Map<EventType, number>();
  for (const event of events) {
    seen.set(event.type, (seen.get(event.type) ?? 0) + 1);
  }
  const allTypes = Object.values(EventType).filter(
    (v): v is EventType => typeof v === "number" && v !== EventType.UNSPECIFIED,
  );
  lines.push(
    "",
    `${style.bold(`${seen.size} of ${allTypes.length} event types`)}: ` +
      allTypes
        .map((type) =>
          seen.has(type)
            ? `${typeName(type)}${style.dim(`×${seen.get(type)}`)}`
            : style.red(`${typeName(type)}×0`),
        )
        .join(" "),
  );
  return lines.join("\n");
}

function describe(node: SpanNode, style: TerminalStyle): string {
  const event = node.first;
  const end = node.end;
  const failed = end?.status === EventStatus.FAILED || event.type === EventType.ERROR;
  const types =
    end !== undefined
      ? `${typeName(event.type)} → ${typeName(end.type).replace(/^.*_/, "")}`
      : typeName(event.type);
  const mark = failed ? style.red("✗") : end !== undefined ? style.green("●") : style.cyan("•");
  return `${mark} ${style.bold(types)} ${summary(event, end, style)}`;
}

function summary(event: Event, end: Event | undefined, style: TerminalStyle): string {
  const c = event.content;
  const endContent = end?.content;
  switch (event.type) {
    case EventType.SESSION_START:
    case EventType.AGENT_START:
      return style.cyan(event.agentName || event.agentId);
    case EventType.RETRY: {
      const reason = c.case === "error" ? ` ${style.dim(c.value.errorMessage)}` : "";
      return `attempt ${event.retry?.attempt} after ${event.retry?.backoffMs} ms${reason}`;
    }
  }
  switch (c.case) {
    case "llmInvocation": {
      const result = endContent?.case === "llmInvocation" ? endContent.value : undefined;
      const tokens =
        result !== undefined
          ? ` ${style.magenta(`${result.promptTokens}→${result.completionTokens} tokens`)}`
          : "";
      const cost = end?.cost?.totalCost ? ` ${style.magenta(formatUsd(end.cost.totalCost))}` : "";
      return `${c.value.provider}/${c.value.model}${tokens}${cost}`;
    }
    case "toolCall": {
      const failure =
        endContent?.case === "toolResponse" && endContent.value.errorMessage !== ""
          ? ` ${style.red(endContent.value.errorMessage)}`
          : "";
      return `${c.value.name}${failure}`;
    }
    case "mcpCall":
      return `${c.value.serverName} ${c.value.operation}`;
    case "agentHandoff":
      return `${c.value.fromAgentName || c.value.fromAgentId} → ${c.value.toAgentName || c.value.toAgentId} ${style.dim(`(${c.value.reason})`)}`;
    case "policy": {
      const outcome = c.value.outcome === "deny" ? style.red : style.green;
      return `${c.value.policyId} ${outcome(c.value.outcome)}`;
    }
    case "dataAccess": {
      const pii = c.value.piiCategories;
      const piiText = pii.length > 0 ? ` ${style.yellow(`PII: ${pii.join(", ")}`)}` : "";
      return `${c.value.datasource} ${c.value.documentIds.length} docs${piiText}`;
    }
    case "error": {
      const recoverable = c.value.recoverable ? style.dim(" (recoverable)") : "";
      return style.red(c.value.errorMessage) + recoverable;
    }
    case "message":
      return `${style.dim(`${c.value.role}:`)} “${truncate(c.value.text, 64)}”`;
    case "stateUpdate":
      return style.dim(truncate(JSON.stringify(c.value), 64));
    default:
      return event.agentName || event.agentId;
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** "183 ms" below a second, "1.24 s" above; "?" when unknown. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) {
    return "?";
  }
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** US dollars with enough digits for per-call model costs. */
export function formatUsd(usd: number): string {
  return `$${usd < 0.01 ? usd.toFixed(6) : usd.toFixed(4)}`;
}
