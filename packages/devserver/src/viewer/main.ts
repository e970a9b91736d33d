// The trace viewer's page: a client of the SDK (`query` over the Connect web transport) that
// reads this devserver's events and shows sessions, a waterfall per session and each event's
// JSON, polling while the page is visible so a running agent's events appear live.
import { type ChaukasClient, createChaukasClient } from "@chaukas/client";
import type { Event } from "@chaukas/spec/common/v1";
import { createConnectWebTransport } from "@chaukas/transport-web";
import { Code, ConnectError } from "@connectrpc/connect";
import { h } from "./dom.js";
import {
  eventMatches,
  isFiltering,
  NO_FILTER,
  type ViewerFilter,
  visibleRows,
} from "./event-filter.js";
import {
  agentsOf,
  renderDetail,
  renderFilters,
  renderFlatSessionNote,
  renderLegend,
  renderSessionHeader,
  renderSessionList,
  renderWaterfall,
} from "./render.js";
import { type SessionSummary, summarizeSession, summarizeSessions } from "./session-summary.js";
import { buildSpanRows, type SpanRow } from "./span-rows.js";

/** How often the page asks for new events while it is visible. */
const POLL_INTERVAL_MS = 1000;
/** Events per query page (the server's maximum). */
const PAGE_SIZE = 1000;
/** Newest events the sessions list reads; older sessions drop out of the list. */
const MAX_LIST_EVENTS = 20_000;
/**
 * Where the page keeps the API key a server started with `--api-key` asks for: this tab's
 * session storage, gone when the tab closes (never the URL, which ends up in histories).
 */
const API_KEY_STORAGE = "chaukas-devserver-api-key";

/** Everything the page shows, replaced as a whole by each poll or click. */
interface ViewerState {
  /** The newest events of every session, up to MAX_LIST_EVENTS. */
  listEvents: Event[];
  selectedSessionId: string | undefined;
  /** Every event of the selected session. */
  sessionEvents: Event[];
  selectedRowKey: string | undefined;
  filter: ViewerFilter;
  /** The last query failure, shown in the status line until a poll succeeds. */
  error: string | undefined;
  /** The server refused the page's key (or its lack of one): the key form is shown. */
  needsKey: boolean;
  lastUpdate: number | undefined;
}

/** Every field of a filter that is not a column of ours is left empty: all tenants, all projects. */
const EVERY_TENANT = { tenantId: "", projectId: "" } as const;

async function collect(iterable: AsyncIterable<Event>, max: number): Promise<Event[]> {
  const events: Event[] = [];
  for await (const event of iterable) {
    events.push(event);
    if (events.length >= max) break;
  }
  return events;
}

/**
 * The viewer only reads: its client never emits, so tenant and project are placeholders
 * (queries override them with "", which matches every tenant and project).
 */
function createViewerClient(apiKey: string | null): ChaukasClient {
  return createChaukasClient({
    transport: createConnectWebTransport({
      baseUrl: location.origin,
      ...(apiKey === null ? {} : { apiKey }),
    }),
    tenantId: "devserver-viewer",
    projectId: "devserver-viewer",
  });
}

function createViewer(root: HTMLElement) {
  let client = createViewerClient(sessionStorage.getItem(API_KEY_STORAGE));
  const state: ViewerState = {
    listEvents: [],
    selectedSessionId: sessionFromHash(),
    sessionEvents: [],
    selectedRowKey: undefined,
    filter: NO_FILTER,
    error: undefined,
    needsKey: false,
    lastUpdate: undefined,
  };
  /** What was last drawn, so an unchanged poll redraws nothing (no flicker, scroll kept). */
  let drawn = "";

  const keyInput = h("input", {
    type: "password",
    name: "api-key",
    placeholder: "API key",
    autocomplete: "off",
    "aria-label": "API key",
  });
  const keyForm = h(
    "form",
    { class: "key-form", hidden: "" },
    keyInput,
    h("button", { type: "submit" }, "Use key"),
  );
  keyForm.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(API_KEY_STORAGE, keyInput.value);
    void client.shutdown();
    client = createViewerClient(keyInput.value);
    keyInput.value = "";
    void poll();
  });

  const regions = {
    status: h("span", { class: "status" }),
    filters: h("div", { class: "filter-slot" }),
    sessions: h("section", { class: "sessions-pane", "aria-label": "Sessions" }),
    session: h("section", { class: "session-pane", "aria-label": "Session" }),
    detail: h("aside", { class: "detail-pane", "aria-label": "Event" }),
  };
  root.replaceChildren(
    h(
      "header",
      {},
      h(
        "h1",
        {},
        h("span", { class: "logo" }, "◆"),
        " Chaukas ",
        h("small", {}, "local trace viewer"),
      ),
      regions.filters,
      keyForm,
      regions.status,
    ),
    regions.sessions,
    h("div", { class: "session-and-detail" }, regions.session, regions.detail),
  );

  async function poll(): Promise<void> {
    try {
      const listEvents = await collect(
        client.query(EVERY_TENANT, { pageSize: PAGE_SIZE, order: "desc" }),
        MAX_LIST_EVENTS,
      );
      const sessions = summarizeSessions(listEvents);
      const selected = state.selectedSessionId ?? sessions[0]?.sessionId;
      const sessionEvents =
        selected === undefined
          ? []
          : await collect(
              client.query(
                { ...EVERY_TENANT, sessionId: selected },
                { pageSize: PAGE_SIZE, order: "asc" },
              ),
              Number.POSITIVE_INFINITY,
            );
      Object.assign(state, {
        listEvents,
        error: undefined,
        needsKey: false,
        lastUpdate: Date.now(),
      });
      // A click may have chosen another session while this poll ran: its events are not
      // these (the click's own poll brings them).
      if (state.selectedSessionId === undefined || state.selectedSessionId === selected) {
        Object.assign(state, { selectedSessionId: selected, sessionEvents });
      }
    } catch (error) {
      const connectError = ConnectError.from(error);
      state.needsKey = connectError.code === Code.Unauthenticated;
      state.error = state.needsKey
        ? "this server requires an API key (started with --api-key)"
        : connectError.rawMessage;
    }
    draw();
  }

  function select(sessionId: string): void {
    if (sessionId === state.selectedSessionId) return;
    state.selectedSessionId = sessionId;
    state.selectedRowKey = undefined;
    state.sessionEvents = state.listEvents.filter((event) => event.sessionId === sessionId);
    history.replaceState(null, "", `#session=${encodeURIComponent(sessionId)}`);
    draw();
    void poll();
  }

  function selectRow(row: SpanRow): void {
    state.selectedRowKey = row.key;
    draw();
  }

  function setFilter(filter: ViewerFilter): void {
    state.filter = filter;
    draw();
  }

  function draw(): void {
    drawStatus();
    const key = JSON.stringify([
      state.listEvents.length,
      state.listEvents[0]?.eventId,
      state.selectedSessionId,
      state.sessionEvents.length,
      state.selectedRowKey,
      state.filter,
    ]);
    if (key === drawn) return;
    drawn = key;

    const sessions = filteredSessions();
    regions.filters.replaceChildren(
      renderFilters(state.filter, agentsOf(state.listEvents), setFilter),
    );
    regions.sessions.replaceChildren(renderSessionList(sessions, state.selectedSessionId, select));

    const events = state.sessionEvents;
    if (state.selectedSessionId === undefined || events.length === 0) {
      regions.session.replaceChildren();
      regions.detail.replaceChildren();
      return;
    }
    const rows = buildSpanRows(events);
    const shown = visibleRows(rows, state.filter);
    regions.session.replaceChildren(
      renderSessionHeader(summarizeSession(state.selectedSessionId, events)),
      renderLegend(),
      ...(rows.some((row) => row.placedByAgent) ? [renderFlatSessionNote()] : []),
      shown.length > 0
        ? renderWaterfall(shown, state.selectedRowKey, selectRow)
        : h("p", { class: "empty" }, "No event of this session matches the filters."),
    );
    const selectedRow = rows.find((row) => row.key === state.selectedRowKey);
    regions.detail.replaceChildren(
      selectedRow === undefined
        ? h("p", { class: "empty" }, "Click a span or an event to see its full content.")
        : renderDetail(selectedRow),
    );
  }

  function drawStatus(): void {
    keyForm.hidden = !state.needsKey;
    regions.status.className = state.error === undefined ? "status live" : "status failing";
    regions.status.textContent =
      state.error !== undefined
        ? `cannot reach the server: ${state.error}`
        : state.lastUpdate === undefined
          ? "connecting…"
          : `live · ${state.listEvents.length} events · updated ${new Date(state.lastUpdate).toLocaleTimeString()}`;
  }

  /** Sessions with at least one event matching the filters (all of them without filters). */
  function filteredSessions(): SessionSummary[] {
    const sessions = summarizeSessions(state.listEvents);
    if (!isFiltering(state.filter)) return sessions;
    const matching = new Set(
      state.listEvents.filter((event) => eventMatches(event, state.filter)).map((e) => e.sessionId),
    );
    return sessions.filter((session) => matching.has(session.sessionId));
  }

  return { poll, select };
}

function sessionFromHash(): string | undefined {
  const match = /^#session=(.+)$/.exec(location.hash);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}

function start(): void {
  const root = document.getElementById("app");
  if (root === null) throw new Error("the page has no #app element");
  const viewer = createViewer(root);
  addEventListener("hashchange", () => {
    const sessionId = sessionFromHash();
    if (sessionId !== undefined) viewer.select(sessionId);
  });

  let timer: ReturnType<typeof setTimeout> | undefined;
  const loop = async () => {
    await viewer.poll();
    // A hidden tab stops polling and catches up when shown again.
    timer = document.hidden ? undefined : setTimeout(loop, POLL_INTERVAL_MS);
  };
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && timer === undefined) void loop();
  });
  void loop();
}

start();
