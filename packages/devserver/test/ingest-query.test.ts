import { create, equals } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { EventBatchSchema, EventSchema, EventType, SortOrder } from "@chaukas/spec/common/v1";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../src/index.js";
import { type ChaukasClient, chaukasClient, TRANSPORT_NAMES } from "./clients.js";
import { ALL_EVENT_TYPES, makeEvent, oneOfEachType } from "./fixtures.js";

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer();
});
afterAll(async () => {
  await server.close();
});

describe.each(TRANSPORT_NAMES)("over %s", (transportName) => {
  let client: ChaukasClient;
  const sessionId = `all-types-${transportName}`;
  beforeAll(() => {
    client = chaukasClient(transportName, server.url);
  });

  it("answers Healthz and reports its capabilities", async () => {
    await client.healthz({});
    const { capabilities } = await client.getCapabilities({});
    expect(capabilities?.policyDecisions).toBe(true);
    expect(capabilities?.dataAccessEvents).toBe(true);
    expect(capabilities?.wormRetention).toBe(false);
  });

  it("ingests all 19 event types and returns each one field for field", async () => {
    const events = oneOfEachType({ sessionId, firstN: 0 }).map((e) =>
      create(EventSchema, { ...e, eventId: `${sessionId}-${e.eventId}` }),
    );
    expect(events).toHaveLength(19);
    // Half as single events, half as a batch: both ingest paths.
    const [single, batched] = [events.slice(0, 9), events.slice(9)];
    for (const event of single) await client.ingestEvent({ event });
    await client.ingestEventBatch({ eventBatch: { batchId: "b1", events: batched } });

    const { response } = await client.queryEvents({
      query: { filter: { sessionId }, orderByTime: SortOrder.ASC },
    });
    const got = response?.events ?? [];
    expect(got.map((e) => e.type)).toEqual([...ALL_EVENT_TYPES]);
    for (const [i, event] of events.entries()) {
      expect(equals(EventSchema, got[i]!, event), `event ${event.eventId}`).toBe(true);
    }
  });
});

describe("queries", () => {
  const client = () => chaukasClient("grpc (HTTP/2)", server.url);
  const sessionId = "paged-session";
  const total = 250;

  beforeAll(async () => {
    // 250 events of one session, some sharing a timestamp so the id tie-break matters,
    // interleaved with another session's events that must never show up.
    const events = Array.from({ length: total }, (_, i) =>
      makeEvent(ALL_EVENT_TYPES[i % 19]!, 10_000 + i, {
        sessionId,
        timeMs: Date.UTC(2025, 1, 1) + Math.floor(i / 3) * 1000,
        tags: i % 2 === 0 ? ["even", "env:test"] : ["odd", "env:test"],
      }),
    );
    const other = Array.from({ length: 40 }, (_, i) =>
      makeEvent(EventType.SYSTEM, 20_000 + i, { sessionId: "other-session" }),
    );
    await client().ingestEventBatch({ eventBatch: { events: [...events, ...other] } });
  });

  async function allPages(
    c: ChaukasClient,
    query: Parameters<ChaukasClient["queryEvents"]>[0]["query"],
  ) {
    const pages: string[][] = [];
    let pageToken = "";
    do {
      const { response } = await c.queryEvents({ query: { ...query, pageToken } });
      pages.push((response?.events ?? []).map((e) => e.eventId));
      pageToken = response?.nextPageToken ?? "";
    } while (pageToken !== "" && pages.length < 100);
    return pages;
  }

  it("pages through a session: every event once, newest first by default", async () => {
    const pages = await allPages(client(), { filter: { sessionId }, pageSize: 60 });
    expect(pages.map((p) => p.length)).toEqual([60, 60, 60, 60, 10]);
    const ids = pages.flat();
    expect(new Set(ids).size).toBe(total);
    const stored = server.store.events().filter((e) => e.sessionId === sessionId);
    const expected = [...stored]
      .sort((a, b) => {
        const dt = Number(b.timestamp!.seconds - a.timestamp!.seconds);
        return dt !== 0 ? dt : b.eventId < a.eventId ? -1 : 1;
      })
      .map((e) => e.eventId);
    expect(ids).toEqual(expected);
  });

  it("orders ascending on request, the exact reverse of descending", async () => {
    const asc = (
      await allPages(client(), { filter: { sessionId }, pageSize: 100, orderByTime: SortOrder.ASC })
    ).flat();
    const desc = (
      await allPages(client(), {
        filter: { sessionId },
        pageSize: 100,
        orderByTime: SortOrder.DESC,
      })
    ).flat();
    expect(asc).toHaveLength(total);
    expect(asc).toEqual([...desc].reverse());
  });

  it("uses page size 100 by default and clamps above 1000", async () => {
    const { response: byDefault } = await client().queryEvents({
      query: { filter: { sessionId } },
    });
    expect(byDefault?.events).toHaveLength(100);
    await client().ingestEventBatch({
      eventBatch: {
        events: Array.from({ length: 1000 }, (_, i) =>
          makeEvent(EventType.SYSTEM, 30_000 + i, { sessionId: "big-session" }),
        ),
      },
    });
    await client().ingestEventBatch({
      eventBatch: {
        events: Array.from({ length: 200 }, (_, i) =>
          makeEvent(EventType.SYSTEM, 31_000 + i, { sessionId: "big-session" }),
        ),
      },
    });
    const { response } = await client().queryEvents({
      query: { filter: { sessionId: "big-session" }, pageSize: 5000 },
    });
    expect(response?.events).toHaveLength(1000);
    expect(response?.nextPageToken).not.toBe("");
  });

  it("filters by type, status and severity", async () => {
    const { response } = await client().queryEvents({
      query: {
        filter: { sessionId, types: [EventType.TOOL_CALL_START, EventType.ERROR] },
        pageSize: 1000,
      },
    });
    const got = response?.events ?? [];
    const expected = server.store
      .events()
      .filter((e) => e.sessionId === sessionId)
      .filter((e) => e.type === EventType.TOOL_CALL_START || e.type === EventType.ERROR);
    expect(got.length).toBe(expected.length);
    expect(got.length).toBeGreaterThan(0);
    expect(new Set(got.map((e) => e.type))).toEqual(
      new Set([EventType.TOOL_CALL_START, EventType.ERROR]),
    );

    const { response: failed } = await client().queryEvents({
      query: {
        filter: { sessionId, statuses: [4 /* FAILED */], severities: [4 /* ERROR */] },
        pageSize: 1000,
      },
    });
    expect(new Set(failed?.events.map((e) => e.type))).toEqual(
      new Set([EventType.ERROR, EventType.RETRY]),
    );
  });

  it("filters by a half-open time range [start, end)", async () => {
    const start = Date.UTC(2025, 1, 1) + 10_000;
    const end = Date.UTC(2025, 1, 1) + 20_000;
    const { response } = await client().queryEvents({
      query: {
        filter: { sessionId, time: { start: timestampFromMs(start), end: timestampFromMs(end) } },
        orderByTime: SortOrder.ASC,
        pageSize: 1000,
      },
    });
    const times = (response?.events ?? []).map((e) => Number(e.timestamp!.seconds) * 1000);
    // Three events per second: seconds 10..19 inclusive.
    expect(times).toHaveLength(30);
    expect(times[0]).toBe(start);
    expect(Math.max(...times)).toBe(end - 1000);
  });

  it("filters by tags (all given tags must be present) and by tenant/project/agent/span/trace", async () => {
    const { response: odd } = await client().queryEvents({
      query: { filter: { sessionId, tags: ["odd", "env:test"] }, pageSize: 1000 },
    });
    expect(odd?.events).toHaveLength(total / 2);
    const { response: none } = await client().queryEvents({
      query: { filter: { sessionId, tags: ["odd", "even"] } },
    });
    expect(none?.events).toHaveLength(0);

    const one = makeEvent(EventType.SYSTEM, 40_000, {
      sessionId: "scoped",
      tenantId: "tenant-b",
      projectId: "project-y",
    });
    await client().ingestEvent({ event: one });
    const { response } = await client().queryEvents({
      query: {
        filter: {
          tenantId: "tenant-b",
          projectId: "project-y",
          agentId: one.agentId,
          spanId: one.spanId,
          traceId: one.traceId,
        },
      },
    });
    expect(response?.events.map((e) => e.eventId)).toEqual([one.eventId]);
    const { response: wrongTrace } = await client().queryEvents({
      query: { filter: { tenantId: "tenant-b", traceId: "0000" } },
    });
    expect(wrongTrace?.events).toHaveLength(0);
  });

  it("searches text case-insensitively in messages, tools, errors, MCP and LLM payloads", async () => {
    const search = async (textQuery: string) => {
      const { response } = await client().queryEvents({
        query: { filter: { sessionId: "text-session", textQuery }, pageSize: 1000 },
      });
      return (response?.events ?? []).map((e) => EventType[e.type]).sort();
    };
    await client().ingestEventBatch({
      eventBatch: { events: oneOfEachType({ sessionId: "text-session", firstN: 50_000 }) },
    });
    expect(await search("WEATHER IN zürich")).toEqual(["INPUT_RECEIVED"]);
    expect(await search("weather_lookup")).toEqual(["TOOL_CALL_START"]);
    expect(await search("cloudy")).toEqual(["TOOL_CALL_END"]);
    expect(await search("rate limit")).toEqual(["ERROR"]);
    expect(await search("rate_limit")).toEqual(["ERROR"]);
    expect(await search("resources/read")).toEqual(["MCP_CALL_END", "MCP_CALL_START"]);
    expect(await search("summarise document")).toEqual([
      "MODEL_INVOCATION_END",
      "MODEL_INVOCATION_START",
    ]);
    expect(await search("no such words anywhere")).toEqual([]);
  });
});

describe("idempotent ingest", () => {
  it("stores an event_id once, counts the repeats as duplicates, over any transport", async () => {
    const event = makeEvent(EventType.OUTPUT_EMITTED, 60_000, { sessionId: "dup" });
    const before = { size: server.store.size, duplicates: server.store.duplicates };
    for (const name of TRANSPORT_NAMES) {
      await chaukasClient(name, server.url).ingestEvent({ event });
    }
    await chaukasClient("grpc (HTTP/2)", server.url).ingestEventBatch({
      eventBatch: create(EventBatchSchema, { events: [event, event] }),
    });
    expect(server.store.size - before.size).toBe(1);
    expect(server.store.duplicates - before.duplicates).toBe(4);
    const { response } = await chaukasClient("grpc (HTTP/2)", server.url).queryEvents({
      query: { filter: { sessionId: "dup" } },
    });
    expect(response?.events).toHaveLength(1);
  });
});

describe("default size limits", () => {
  /** `count` events of about `bytes` each, in their own session. */
  function bulky(count: number, bytes: number, first: number) {
    const text = "y".repeat(bytes);
    return Array.from({ length: count }, (_, i) => {
      const event = makeEvent(EventType.OUTPUT_EMITTED, first + i, { sessionId: "bulky" });
      if (event.content.case === "message") event.content.value.text = text;
      return event;
    });
  }

  it("takes several batches just under 4 MiB at once on one HTTP/2 connection", async () => {
    const client = chaukasClient("grpc (HTTP/2)", server.url);
    const batches = [0, 1, 2, 3].map((b) => bulky(1000, 3900, 100_000 + b * 1000));
    await Promise.all(batches.map((events) => client.ingestEventBatch({ eventBatch: { events } })));
    for (const events of batches) {
      expect(server.store.get(events[999]!.eventId)).toBeDefined();
    }
  });

  it("refuses a batch over 4 MiB with the split signal, over HTTP/1.1 too", async () => {
    const client = chaukasClient("connect (HTTP/1.1, JSON)", server.url);
    const events = bulky(1000, 4300, 200_000);
    await expect(client.ingestEventBatch({ eventBatch: { events } })).rejects.toMatchObject({
      code: Code.ResourceExhausted,
    });
    await client.ingestEventBatch({ eventBatch: { events: events.slice(0, 500) } });
    await client.ingestEventBatch({ eventBatch: { events: events.slice(500) } });
    expect(server.store.get(events[999]!.eventId)).toBeDefined();
  });
});
