// One session across two clients (a caller and a server), as the devserver stores it: the
// caller injects its context into request headers, the server extracts and continues it.
import { type ChaukasClient, createChaukasClient } from "@chaukas/client";
import { extract, inject } from "@chaukas/client/propagation";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { createNodeTransport } from "@chaukas/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let server: DevServer;
let caller: ChaukasClient;
let callee: ChaukasClient;

beforeAll(async () => {
  server = await startDevServer({ port: 0 });
  const client = (projectId: string) =>
    createChaukasClient({
      transport: createNodeTransport({ baseUrl: server.url, protocol: "grpc" }),
      tenantId: "acme",
      projectId,
    });
  caller = client("continue-session");
  callee = client("continue-session");
});

afterAll(async () => {
  await Promise.all([caller.shutdown(), callee.shutdown()]);
  await server.close();
});

async function stored(filter: { sessionId?: string; traceId?: string }): Promise<Event[]> {
  await Promise.all([caller.flush(), callee.flush()]);
  const events: Event[] = [];
  for await (const event of caller.query(filter, { order: "asc" })) events.push(event);
  return events;
}

/** What a request from the caller's span carries. */
function requestHeaders(scope: Parameters<typeof inject>[1]) {
  return inject(new Headers({ "content-type": "application/json" }), scope);
}

describe("continueSession", () => {
  it("trusted: the server's events join the caller's session under the caller's span, with no SESSION_START or END of its own", async () => {
    const session = caller.startSession({ agentId: "page" });
    const call = session.toolCallStart({ name: "ask-agent" });
    const remote = extract(requestHeaders(call));
    expect(remote?.sessionId).toBe(session.id);

    const continued = callee.continueSession(remote, { trust: true, agentId: "server-agent" });
    expect(continued).toMatchObject({ adopted: true, id: session.id, traceId: session.traceId });
    const model = continued.modelInvocationStart({ provider: "openai", model: "m" });
    model.end({ promptTokens: 1 });
    continued.end();
    call.end();
    session.end();

    const events = await stored({ sessionId: session.id });
    const fromServer = events.filter((e) => e.agentId === "server-agent");
    expect(fromServer.map((e) => e.type)).toEqual([
      EventType.MODEL_INVOCATION_START,
      EventType.MODEL_INVOCATION_END,
    ]);
    expect(fromServer.every((e) => e.parentSpanId === call.spanId)).toBe(true);
    expect(fromServer.every((e) => e.traceId === session.traceId)).toBe(true);
    expect(events.filter((e) => e.type === EventType.SESSION_START)).toHaveLength(1);
    expect(events.filter((e) => e.type === EventType.SESSION_END)).toHaveLength(1);
  });

  it("untrusted: the server starts its own session on the caller's trace and records the caller's session id", async () => {
    const session = caller.startSession();
    const remote = extract(requestHeaders(session));
    for (const trust of [
      undefined,
      false,
      () => false,
      () => {
        throw new Error("no");
      },
    ]) {
      const own = callee.continueSession(remote, { trust });
      expect(own.adopted).toBe(false);
      expect(own.id).not.toBe(session.id);
      own.end();
    }
    session.end();
    const onTrace = await stored({ traceId: session.traceId });
    const serverStarts = onTrace.filter(
      (e) => e.type === EventType.SESSION_START && e.sessionId !== session.id,
    );
    expect(serverStarts).toHaveLength(4);
    for (const start of serverStarts) {
      expect(start.parentSpanId).toBe(session.spanId);
      expect(start.metadata).toEqual({ caller_session_id: session.id });
    }
    // Nothing was written into the caller's session by the untrusted server.
    const callerSession = await stored({ sessionId: session.id });
    expect(callerSession.map((e) => e.type)).toEqual([
      EventType.SESSION_START,
      EventType.SESSION_END,
    ]);
  });

  it("a predicate decides per caller; without a remote context a fresh session and trace begin", async () => {
    const session = caller.startSession();
    const remote = extract(requestHeaders(session));
    const trusted = callee.continueSession(remote, { trust: (r) => r.sessionId === session.id });
    expect(trusted.adopted).toBe(true);
    const fresh = callee.continueSession(extract(new Headers()));
    expect(fresh.adopted).toBe(false);
    expect(fresh.traceId).not.toBe(session.traceId);
    fresh.end();
    session.end();
  });

  it("fail() on an adopted session records an ERROR under the caller's span, not a SESSION_END", async () => {
    const session = caller.startSession();
    const continued = callee.continueSession(extract(requestHeaders(session)), {
      trust: true,
    });
    continued.fail(new Error("handler crashed"));
    session.end();
    const events = await stored({ sessionId: session.id });
    const error = events.find((e) => e.type === EventType.ERROR);
    expect(error).toMatchObject({ status: EventStatus.FAILED, parentSpanId: session.spanId });
    expect(events.filter((e) => e.type === EventType.SESSION_END)).toHaveLength(1);
  });

  it("run() makes the continued scope active for the client's own builders", async () => {
    const session = caller.startSession();
    const continued = callee.continueSession(extract(requestHeaders(session)), {
      trust: true,
    });
    continued.run(() => {
      callee.inputReceived("from inside");
      // And onward: what the server injects into its own calls continues the same session.
      const onward = inject({} as Record<string, unknown>, callee.current());
      expect(extract(onward)).toMatchObject({
        sessionId: session.id,
        spanId: session.spanId,
      });
    });
    session.end();
    const events = await stored({ sessionId: session.id });
    expect(events.find((e) => e.type === EventType.INPUT_RECEIVED)?.parentSpanId).toBe(
      session.spanId,
    );
  });
});
