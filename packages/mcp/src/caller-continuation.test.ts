import { type ChaukasClient, createChaukasClient, type RemoteContext } from "@chaukas/client";
import { type Event, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { createCallerContinuation, MAX_OPEN_CALLER_SESSIONS } from "./caller-continuation.js";

/** A client whose batches land in an array. */
function capturingClient(): { chaukas: ChaukasClient; events: () => Promise<Event[]> } {
  const exported: Event[] = [];
  const chaukas = createChaukasClient({
    tenantId: "acme",
    projectId: "docs",
    exporter: {
      async export(batch) {
        exported.push(...batch.events);
      },
    },
  });
  return {
    chaukas,
    async events() {
      await chaukas.flush();
      return exported;
    },
  };
}

function remote(n: number, sessionId: string | undefined = `caller-${n}`): RemoteContext {
  return {
    traceId: n.toString(16).padStart(32, "a"),
    spanId: n.toString(16).padStart(16, "b"),
    flags: 1,
    sessionId,
  };
}

const sessionStarts = (events: Event[]) => events.filter((e) => e.type === EventType.SESSION_START);
const sessionEnds = (events: Event[]) => events.filter((e) => e.type === EventType.SESSION_END);

describe("createCallerContinuation", () => {
  it("trusted: a call joins the caller's session under the caller's span, with no session events", async () => {
    const { chaukas, events } = capturingClient();
    const callers = createCallerContinuation(chaukas, true);
    const scope = callers.callScope(remote(1), undefined);
    expect(scope.context).toMatchObject({
      sessionId: "caller-1",
      traceId: remote(1).traceId,
      spanId: remote(1).spanId,
    });
    callers.endAll((session) => session.end());
    expect(await events()).toEqual([]);
  });

  it("untrusted: one session of the server's own per caller session, each call under its caller's span", async () => {
    const { chaukas, events } = capturingClient();
    const callers = createCallerContinuation(chaukas, false);
    const first = callers.callScope(remote(1), undefined);
    const second = callers.callScope({ ...remote(1), spanId: "cccccccccccccccc" }, undefined);
    const other = callers.callScope(remote(2), undefined);
    expect(first.sessionId).not.toBe("caller-1");
    expect(second.sessionId).toBe(first.sessionId);
    expect(other.sessionId).not.toBe(first.sessionId);
    expect([first.spanId, second.spanId]).toEqual([remote(1).spanId, "cccccccccccccccc"]);
    expect(first.traceId).toBe(remote(1).traceId);

    const started = sessionStarts(await events());
    expect(started.map((e) => [e.sessionId, e.parentSpanId, e.metadata])).toEqual([
      [first.sessionId, remote(1).spanId, { caller_session_id: "caller-1" }],
      [other.sessionId, remote(2).spanId, { caller_session_id: "caller-2" }],
    ]);
    expect(sessionEnds(await events())).toEqual([]);
    callers.endAll((session) => session.end());
    expect(sessionEnds(await events()).map((e) => e.sessionId)).toEqual([
      first.sessionId,
      other.sessionId,
    ]);
  });

  it("does not adopt a session for a predicate that says no, throws, or a caller that sent none", async () => {
    const { chaukas } = capturingClient();
    const seen: unknown[] = [];
    const extra = { authInfo: { token: "t", clientId: "c", scopes: [] } };
    const predicate = createCallerContinuation(chaukas, (info, caller) => {
      seen.push([caller.sessionId, info]);
      return caller.sessionId === "caller-1";
    });
    expect(predicate.callScope(remote(1), extra).sessionId).toBe("caller-1");
    expect(predicate.callScope(remote(2), extra).sessionId).not.toBe("caller-2");
    expect(seen).toEqual([
      ["caller-1", extra],
      ["caller-2", extra],
    ]);
    const throwing = createCallerContinuation(chaukas, () => {
      throw new Error("auth store down");
    });
    expect(throwing.callScope(remote(3), undefined).sessionId).not.toBe("caller-3");
    const trusting = createCallerContinuation(chaukas, true);
    const anonymous = trusting.callScope(remote(4, undefined), undefined);
    expect(anonymous.traceId).toBe(remote(4).traceId);
    expect(anonymous.sessionId).not.toBe("");
  });

  it(`keeps at most ${MAX_OPEN_CALLER_SESSIONS} sessions open, ending the least recently used`, async () => {
    const { chaukas, events } = capturingClient();
    const callers = createCallerContinuation(chaukas, false);
    const firstSession = callers.callScope(remote(0), undefined).sessionId;
    for (let n = 1; n < MAX_OPEN_CALLER_SESSIONS; n++) callers.callScope(remote(n), undefined);
    // Used again: now the most recent, so caller 1's session is the one to go.
    expect(callers.callScope(remote(0), undefined).sessionId).toBe(firstSession);
    expect(sessionEnds(await events())).toEqual([]);
    const second = sessionStarts(await events())[1]!;
    callers.callScope(remote(MAX_OPEN_CALLER_SESSIONS), undefined);
    expect(sessionEnds(await events()).map((e) => e.sessionId)).toEqual([second.sessionId]);
    // Caller 1 calls again: a new session of its own.
    expect(callers.callScope(remote(1), undefined).sessionId).not.toBe(second.sessionId);
    expect(sessionStarts(await events())).toHaveLength(MAX_OPEN_CALLER_SESSIONS + 2);
  });
});
