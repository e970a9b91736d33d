import {
  type ChaukasClient,
  type ChaukasClientOptions,
  createChaukasClient,
  LOSS_REPORT_KEY,
  TRUNCATION_KEY,
} from "@chaukas/client";
import { createIntegrityChain, verifyChain } from "@chaukas/client/integrity";
import { type DevServer, type DevServerOptions, startDevServer } from "@chaukas/devserver";
import { type Event, EventType } from "@chaukas/spec/common/v1";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it } from "vitest";
import { expectBalanced } from "./pipeline-fixtures.js";

// Loss reported to the backend and the drop order, at the public API against the local backend.

const servers: DevServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function backend(options: DevServerOptions = {}): Promise<DevServer> {
  const server = await startDevServer({ port: 0, ...options });
  servers.push(server);
  return server;
}

function client(server: DevServer, extra: Partial<ChaukasClientOptions> = {}): ChaukasClient {
  return createChaukasClient({
    transport: createGrpcTransport({ baseUrl: server.url }),
    tenantId: "acme",
    projectId: "loss-reports",
    integrity: createIntegrityChain(),
    ...extra,
  });
}

/** The session's events as the backend returns them for `verifyChain`: emission order. */
async function sessionEvents(chaukas: ChaukasClient, sessionId: string): Promise<Event[]> {
  const events: Event[] = [];
  for await (const event of chaukas.query({ sessionId }, { order: "asc" })) events.push(event);
  return events;
}

const lossReports = (events: readonly Event[]) =>
  events.filter((event) => event.metadata?.[LOSS_REPORT_KEY] !== undefined);

const textOf = (event: Event) =>
  event.content.case === "message" ? event.content.value.text : undefined;

const BIG_PROMPT = "p".repeat(4000);

describe("a queue-full burst of bulky model events during an outage", () => {
  it("never costs the session's START, ERROR, POLICY_DECISION, DATA_ACCESS, HANDOFF or END; prompts are cut before events are dropped; the loss is reported and verifyChain says so", async () => {
    const server = await backend();
    server.faults.down = true;
    await server.faults.settled();
    const chaukas = client(server, {
      maxQueueSize: 50,
      maxBatchSize: 10,
      flushIntervalMs: 10,
      retry: { maxBackoffMs: 200 },
    });
    const session = chaukas.startSession({ agentId: "planner" });
    const agent = session.agentStart({ agentId: "researcher" });
    for (let i = 0; i < 200; i++) {
      const model = agent.modelInvocationStart({
        provider: "openai",
        model: "gpt-4o-mini",
        request: { messages: [{ role: "user", content: `${i} ${BIG_PROMPT}` }] },
      });
      model.end({ promptTokens: 1000, completionTokens: 10 });
    }
    const essential = [
      agent.error({ message: "the tool timed out" }),
      agent.policyDecision({ policyId: "pii", outcome: "deny" }),
      agent.dataAccess({ datasource: "crm" }),
      agent.handoff({ toAgentId: "writer" }),
    ];
    agent.end();
    session.end();
    const dropped = chaukas.stats().dropped.queueFull;
    expect(dropped).toBeGreaterThan(300);

    server.faults.down = false;
    await server.faults.settled();
    await chaukas.flush({ timeoutMs: 30_000 });
    await expect.poll(() => chaukas.stats().lossReports).toBe(1);
    await chaukas.flush({ timeoutMs: 30_000 });

    const events = await sessionEvents(chaukas, session.id);
    const stored = new Set(events.map((event) => event.eventId));
    expect(essential.filter((id) => !stored.has(id))).toEqual([]);
    const types = events.map((event) => event.type);
    for (const type of [EventType.SESSION_START, EventType.AGENT_START, EventType.SESSION_END]) {
      expect(types).toContain(type);
    }
    // What was dropped were model events only, and the backend holds the record of it.
    const model = (event: Event) =>
      event.type === EventType.MODEL_INVOCATION_START ||
      event.type === EventType.MODEL_INVOCATION_END;
    expect(events.filter(model).length).toBe(400 - dropped);
    // Before any drop, prompts were cut to keep their events: each says so, ids intact.
    const truncated = chaukas.stats().truncated;
    expect(truncated).toBeGreaterThanOrEqual(50);
    const cut = events.filter((event) => event.metadata?.[TRUNCATION_KEY] !== undefined);
    expect(cut).toHaveLength(truncated);
    for (const event of cut) {
      expect(event.type).toBe(EventType.MODEL_INVOCATION_START);
      expect(event.metadata?.[TRUNCATION_KEY]).toMatchObject({
        reason: "queue_full",
        fields: ["llm_invocation.request.messages[0].content"],
      });
      const request = event.content.case === "llmInvocation" ? event.content.value.request : {};
      expect(JSON.stringify(request).length).toBeLessThan(400);
    }
    const [report] = lossReports(events);
    expect(report?.metadata?.[LOSS_REPORT_KEY]).toMatchObject({
      events: dropped,
      counts: { queueFull: dropped },
      chain_gaps: [],
    });
    expect(report?.sessionId).toBe(session.id);

    // The chain is whole (queue-full drops happen before linking) and names the report.
    const verified = await verifyChain(events);
    expect(verified).toEqual({
      ok: true,
      reportedLosses: [
        {
          index: events.indexOf(report!),
          eventId: report!.eventId,
          lostEvents: dropped,
          chainBreaks: [],
        },
      ],
    });
    const stats = chaukas.stats();
    expect(stats).toMatchObject({ lossReports: 1, failed: 0, queued: 0, inFlight: 0 });
    expectBalanced(stats);
    await chaukas.shutdown();
  }, 60_000);
});

describe("an event refused as too large after it was linked", () => {
  it("breaks the chain where the loss report says: verifyChain passes it; a removed event still fails", async () => {
    const server = await backend({ faults: { maxBatchBytes: 16 * 1024 } });
    const chaukas = client(server);
    const session = chaukas.startSession({ agentId: "planner" });
    session.system("before");
    const bigId = session.system("B".repeat(20 * 1024));
    session.system("after");
    session.end();
    // One flush delivers the events and the report of the one it lost.
    expect(await chaukas.flush()).toEqual({ completed: true, pending: 0 });
    expect(chaukas.stats()).toMatchObject({ lossReports: 1, sent: 5, dropped: { tooLarge: 1 } });

    const events = await sessionEvents(chaukas, session.id);
    expect(events.map((event) => event.eventId)).not.toContain(bigId);
    const [report] = lossReports(events);
    expect(report?.metadata?.[LOSS_REPORT_KEY]).toMatchObject({
      events: 1,
      counts: { tooLarge: 1 },
      first_event_id: bigId,
      last_event_id: bigId,
      chain_gaps: [{ events: 1 }],
    });
    const after = events.findIndex((event) => textOf(event) === "after");
    expect(await verifyChain(events)).toEqual({
      ok: true,
      reportedLosses: [
        {
          index: events.indexOf(report!),
          eventId: report!.eventId,
          lostEvents: 1,
          chainBreaks: [after],
        },
      ],
    });

    // Someone removes "before": the chain breaks where no report accounts for it.
    const tampered = events.filter((event) => textOf(event) !== "before");
    expect(await verifyChain(tampered)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("an event is missing"),
    });
    // Someone removes the loss report itself: the break it explained is unexplained now.
    const withoutReport = events.filter((event) => event !== report);
    expect((await verifyChain(withoutReport)).ok).toBe(false);
    await chaukas.shutdown();
  });
});

describe("an event dropped because privacy failed closed", () => {
  it("is reported as prepareFailed in its session; reportLoss: false reports nothing", async () => {
    const server = await backend();
    for (const reportLoss of [true, false]) {
      const chaukas = client(server, {
        reportLoss,
        beforeSend: (event) => {
          if (textOf(event) === "secret") throw new Error("redaction failed");
          return event;
        },
      });
      const session = chaukas.startSession({ agentId: "planner" });
      const secretId = session.system("secret");
      session.end();
      await chaukas.flush();
      if (reportLoss) await expect.poll(() => chaukas.stats().lossReports).toBe(1);
      await chaukas.flush();
      const reports = lossReports(await sessionEvents(chaukas, session.id));
      if (reportLoss) {
        expect(reports.map((r) => r.metadata?.[LOSS_REPORT_KEY])).toMatchObject([
          { events: 1, counts: { prepareFailed: 1 }, first_event_id: secretId },
        ]);
      } else {
        expect(reports).toEqual([]);
        expect(chaukas.stats().lossReports).toBe(0);
      }
      await chaukas.shutdown();
    }
  });
});
