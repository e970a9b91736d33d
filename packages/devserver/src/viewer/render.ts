import { toJson } from "@bufbuild/protobuf";
import { type Event, EventSchema, type EventType, Severity } from "@chaukas/spec/common/v1";
import { axisTicks } from "./axis-ticks.js";
import { h } from "./dom.js";
import type { ViewerFilter } from "./event-filter.js";
import { ALL_EVENT_TYPES, typeCategory, typeName } from "./event-kinds.js";
import { formatClock, formatCount, formatDuration, formatUsd } from "./format.js";
import { rowDetail, rowTitle } from "./row-label.js";
import type { SessionSummary } from "./session-summary.js";
import type { SpanRow } from "./span-rows.js";

/** Pixels of indentation per nesting level in the waterfall's label column. */
const INDENT_PX = 16;
export function renderSessionList(
  sessions: readonly SessionSummary[],
  selected: string | undefined,
  onSelect: (sessionId: string) => void,
): HTMLElement {
  if (sessions.length === 0) {
    return h(
      "p",
      { class: "empty" },
      "No sessions yet. Point an agent at this server (",
      h("code", {}, location.origin),
      ") and they appear here as they run.",
    );
  }
  const body = h("tbody");
  for (const session of sessions) {
    const row = h(
      "tr",
      {
        class: session.sessionId === selected ? "selected" : undefined,
        "data-session-id": session.sessionId,
        tabindex: "0",
      },
      h("td", { class: "when" }, formatClock(session.startMs)),
      h(
        "td",
        { class: "agent" },
        h("span", { class: "agent-name" }, session.name),
        h("span", { class: "session-id" }, session.sessionId),
      ),
      h(
        "td",
        { class: "num" },
        session.ended
          ? formatDuration(session.durationMs)
          : h("span", { class: "running" }, "running"),
      ),
      h("td", { class: "num" }, String(session.eventCount)),
      h(
        "td",
        { class: session.errorCount > 0 ? "num errors" : "num" },
        formatCount(session.errorCount),
      ),
      h("td", { class: "num" }, formatCount(session.tokens)),
      h("td", { class: "num" }, formatUsd(session.costUsd)),
    );
    row.addEventListener("click", () => onSelect(session.sessionId));
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter") onSelect(session.sessionId);
    });
    body.append(row);
  }
  return h(
    "table",
    { class: "sessions" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", {}, "Started"),
        h("th", {}, "Agent · session"),
        h("th", { class: "num" }, "Duration"),
        h("th", { class: "num" }, "Events"),
        h("th", { class: "num" }, "Errors"),
        h("th", { class: "num" }, "Tokens"),
        h("th", { class: "num" }, "Cost"),
      ),
    ),
    body,
  );
}

export function renderSessionHeader(session: SessionSummary): HTMLElement {
  const fact = (label: string, value: string, cls?: string) =>
    h(
      "span",
      { class: cls === undefined ? "fact" : `fact ${cls}` },
      h("b", {}, value),
      ` ${label}`,
    );
  return h(
    "div",
    { class: "session-header" },
    h("h2", {}, session.name, " ", h("small", {}, session.sessionId)),
    h(
      "div",
      { class: "facts" },
      fact("started", formatClock(session.startMs)),
      fact(session.ended ? "duration" : "so far", formatDuration(session.durationMs)),
      fact("events", String(session.eventCount)),
      fact("errors", String(session.errorCount), session.errorCount > 0 ? "errors" : undefined),
      fact("tokens", session.tokens.toLocaleString("en-US")),
      fact("cost", formatUsd(session.costUsd)),
    ),
  );
}

/**
 * The waterfall: a label column (the span tree) and a time axis on which START→END spans are
 * bars and single events are marks, coloured by type family, red when they failed.
 */
export function renderWaterfall(
  rows: readonly { row: SpanRow; matches: boolean }[],
  selectedKey: string | undefined,
  onSelect: (row: SpanRow) => void,
): HTMLElement {
  const origin = Math.min(...rows.map(({ row }) => row.startMs));
  const last = Math.max(...rows.map(({ row }) => row.endMs ?? row.startMs));
  const span = Math.max(1, last - origin);
  const percent = (ms: number) => `${(((ms - origin) / span) * 100).toFixed(3)}%`;

  const axis = h("div", { class: "axis" });
  for (const at of axisTicks(span)) {
    axis.append(
      h("span", { class: "tick", style: `left: ${percent(origin + at)}` }, formatDuration(at)),
    );
  }
  const list = h(
    "div",
    { class: "waterfall", role: "tree" },
    h(
      "div",
      { class: "wf-head" },
      h("div", { class: "wf-label" }, "Span"),
      h("div", { class: "wf-time" }, axis),
    ),
  );

  for (const { row, matches } of rows) {
    const category = typeCategory(row.first.type);
    const classes = ["wf-row", `cat-${category}`];
    if (row.failed) classes.push("failed");
    if (!matches) classes.push("context");
    if (row.key === selectedKey) classes.push("selected");
    // A START whose END has not arrived: while the session runs, a bar fading out up to the
    // session's latest event; once it has ended, a dashed outline up to the span's own latest
    // event (as long as it is known to have lasted).
    const barEnd = row.endMs ?? (row.open ? last : row.endMissing ? row.lastSeenMs : undefined);
    if (row.open) classes.push("open");
    if (row.endMissing) classes.push("end-missing");
    if (row.placedByAgent) classes.push("placed");
    const took = row.endMs === undefined ? undefined : row.endMs - row.startMs;

    const marker =
      barEnd !== undefined
        ? h("div", {
            class: "bar",
            style: `left: ${percent(row.startMs)}; width: max(3px, calc(${percent(barEnd)} - ${percent(row.startMs)}))`,
          })
        : h("div", { class: "mark", style: `left: ${percent(row.startMs)}` });
    const timeCell = h(
      "div",
      { class: "wf-time" },
      marker,
      took !== undefined &&
        h(
          "span",
          {
            class: "took",
            style: `left: calc(${percent(row.endMs ?? row.startMs)} + 6px)`,
          },
          formatDuration(took),
        ),
      row.open &&
        h("span", { class: "took", style: `left: calc(${percent(last)} + 6px)` }, "running"),
      row.endMissing &&
        h(
          "span",
          {
            class: "took",
            // After the outline where there is room, inside it near the axis's end.
            style:
              (row.lastSeenMs - origin) / span < 0.75
                ? `left: calc(${percent(row.lastSeenMs)} + 6px)`
                : `left: calc(${percent(row.startMs)} + 6px)`,
          },
          "no end recorded",
        ),
    );
    const element = h(
      "div",
      {
        class: classes.join(" "),
        role: "treeitem",
        tabindex: "0",
        "aria-level": String(row.depth + 1),
        "data-key": row.key,
        "data-depth": String(row.depth),
        "data-type": typeName(row.first.type),
        "data-end-type": row.end === undefined ? undefined : typeName(row.end.type),
        title: rowTooltip(row, origin),
      },
      h(
        "div",
        { class: "wf-label", style: `padding-left: ${8 + row.depth * INDENT_PX}px` },
        h("span", { class: "dot" }),
        h("span", { class: "wf-title" }, rowTitle(row)),
        h("span", { class: "wf-detail" }, rowDetail(row)),
      ),
      timeCell,
    );
    element.addEventListener("click", () => onSelect(row));
    element.addEventListener("keydown", (event) => {
      if (event.key === "Enter") onSelect(row);
    });
    list.append(element);
  }
  return list;
}

function rowTooltip(row: SpanRow, origin: number): string {
  const lines = [`${rowTitle(row)} at +${formatDuration(row.startMs - origin)}`];
  if (row.endMissing) lines.push("No END arrived before the session ended.");
  if (row.placedByAgent) {
    lines.push(
      "Shown inside its agent's span by time and agent id: its parent is the session's span.",
    );
  }
  return lines.join("\n");
}

/** The full content of a row's event(s): the protobuf JSON of each, START and END. */
export function renderDetail(row: SpanRow): HTMLElement {
  const events = row.end === undefined ? [row.first] : [row.first, row.end];
  return h(
    "div",
    { class: "detail-body" },
    h(
      "h3",
      { class: `cat-${typeCategory(row.first.type)}` },
      h("span", { class: "dot" }),
      rowTitle(row),
    ),
    h("p", { class: "detail-summary" }, rowDetail(row)),
    ...events.map((event) =>
      h(
        "section",
        { class: "event-json", "data-event-id": event.eventId },
        h("h4", {}, typeName(event.type), " ", h("small", {}, event.eventId)),
        h("pre", {}, eventJson(event)),
      ),
    ),
  );
}

function eventJson(event: Event): string {
  try {
    return JSON.stringify(toJson(EventSchema, event), null, 2);
  } catch (error) {
    // An `extensions` entry (google.protobuf.Any) needs a type registry the page lacks.
    return `(this event cannot be shown as JSON: ${error instanceof Error ? error.message : String(error)})`;
  }
}

/** The filter bar: event type, agent and lowest severity. */
export function renderFilters(
  filter: ViewerFilter,
  agents: readonly string[],
  onChange: (filter: ViewerFilter) => void,
): HTMLElement {
  const select = (
    label: string,
    name: string,
    options: readonly [value: string, text: string][],
    current: string,
    apply: (value: string) => ViewerFilter,
  ) => {
    const element = h("select", { name, "aria-label": label });
    for (const [value, text] of [["", `any ${label}`] as const, ...options]) {
      const option = h("option", { value }, text);
      option.selected = value === current;
      element.append(option);
    }
    element.addEventListener("change", () => onChange(apply(element.value)));
    return element;
  };
  const severities = [Severity.DEBUG, Severity.INFO, Severity.WARN, Severity.ERROR];
  return h(
    "div",
    { class: "filters" },
    select(
      "type",
      "type",
      ALL_EVENT_TYPES.map((type) => [String(type), typeName(type)]),
      filter.type === undefined ? "" : String(filter.type),
      (value) => ({ ...filter, type: value === "" ? undefined : (Number(value) as EventType) }),
    ),
    select(
      "agent",
      "agent",
      agents.map((agent) => [agent, agent]),
      filter.agent ?? "",
      (value) => ({ ...filter, agent: value === "" ? undefined : value }),
    ),
    select(
      "severity",
      "severity",
      severities.map((severity) => [String(severity), `${Severity[severity]} and above`]),
      filter.minSeverity === undefined ? "" : String(filter.minSeverity),
      (value) => ({
        ...filter,
        minSeverity: value === "" ? undefined : (Number(value) as Severity),
      }),
    ),
  );
}

/** The legend of the colour families. */
export function renderLegend(): HTMLElement {
  const families: [string, string][] = [
    ["session", "session"],
    ["agent", "agent"],
    ["model", "model"],
    ["tool", "tool"],
    ["mcp", "MCP"],
    ["io", "input/output"],
    ["governance", "policy/data"],
    ["state", "state/system"],
    ["trouble", "error/retry"],
  ];
  return h(
    "div",
    { class: "legend" },
    ...families.map(([category, text]) =>
      h("span", { class: `cat-${category}` }, h("span", { class: "dot" }), text),
    ),
    h("span", { class: "failed-key" }, h("span", { class: "dot" }), "failed"),
  );
}

/**
 * Said above the waterfall of a flat session (`SpanRow.placedByAgent`): the nesting under
 * agents is the viewer's reading, not the events' parents.
 */
export function renderFlatSessionNote(): HTMLElement {
  return h(
    "p",
    { class: "flat-note" },
    "Every event of this session hangs on the session's span: rows are shown under the span " +
      "of their agent that was open at their time. Their JSON keeps their real parent.",
  );
}

/** Every agent name (or id) among `events`, sorted, for the agent filter. */
export function agentsOf(events: Iterable<Event>): string[] {
  const agents = new Set<string>();
  for (const event of events) {
    const agent = event.agentName || event.agentId;
    if (agent !== "") agents.add(agent);
  }
  return [...agents].sort();
}
