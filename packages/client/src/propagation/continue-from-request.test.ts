import { type Event, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { type ChaukasClient, createChaukasClient } from "../client.js";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { continueFromRequest } from "./continue-from-request.js";

const CALLER = {
  sessionId: "019a0000-0000-7000-8000-0000000000aa",
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
};

/** A client whose batches land in `events`, as a backend would store them. */
function server(): ChaukasClient & { stored(): Promise<Event[]> } {
  const events: Event[] = [];
  const client = createChaukasClient({
    exporter: { export: async (batch) => void events.push(...batch.events) },
    tenantId: "acme",
    projectId: "server",
  });
  return Object.assign(client, {
    stored: async () => {
      await client.flush();
      return events;
    },
  });
}

/** A request as the caller's traced fetch sends it. */
function requestFromCaller(extra: Record<string, string> = {}): Request {
  return new Request("https://agent.example.com/chat", {
    method: "POST",
    headers: {
      traceparent: `00-${CALLER.traceId}-${CALLER.spanId}-01`,
      baggage: `tenant=acme,chaukas.session_id=${CALLER.sessionId}`,
      ...extra,
    },
  });
}

describe("continueFromRequest", () => {
  it("trusted: runs the handler in the caller's session under the caller's span, with no SESSION_START or END, and returns its result", async () => {
    const chaukas = server();
    const result = await continueFromRequest(
      chaukas,
      requestFromCaller(),
      async (scope) => {
        expect(chaukas.current()).toBe(scope.context);
        scope.toolCallStart({ name: "search" }).end();
        return { answered: scope.id };
      },
      { trust: true, agentId: "server-agent" },
    );
    expect(result).toEqual({ answered: CALLER.sessionId });
    const events = await chaukas.stored();
    expect(events.map((e) => e.type)).toEqual([EventType.TOOL_CALL_START, EventType.TOOL_CALL_END]);
    for (const event of events) {
      expect(event).toMatchObject({
        sessionId: CALLER.sessionId,
        traceId: CALLER.traceId,
        parentSpanId: CALLER.spanId,
        agentId: "server-agent",
      });
    }
  });

  it("untrusted: the handler runs in a session of the server's own on the caller's trace, ended when the handler returns", async () => {
    const chaukas = server();
    const id = await continueFromRequest(chaukas, requestFromCaller(), (scope) => {
      scope.inputReceived("hi");
      return scope.id;
    });
    expect(id).not.toBe(CALLER.sessionId);
    const events = await chaukas.stored();
    expect(events.map((e) => e.type)).toEqual([
      EventType.SESSION_START,
      EventType.INPUT_RECEIVED,
      EventType.SESSION_END,
    ]);
    expect(events.every((e) => e.sessionId === id && e.traceId === CALLER.traceId)).toBe(true);
    expect(events[0]).toMatchObject({
      parentSpanId: CALLER.spanId,
      metadata: { caller_session_id: CALLER.sessionId },
    });
    expect(events[2]?.status).toBe(EventStatus.COMPLETED);
  });

  it("asks a predicate with the request and the context it carried, sync or async", async () => {
    const chaukas = server();
    const seen: unknown[] = [];
    const trustOurPage = async (request: Request, remote: { sessionId?: string | undefined }) => {
      seen.push(request.headers.get("x-page-token"), remote.sessionId);
      return request.headers.get("x-page-token") === "ours";
    };
    const ours = requestFromCaller({ "x-page-token": "ours" });
    expect(
      await continueFromRequest(chaukas, ours, (scope) => scope.adopted, { trust: trustOurPage }),
    ).toBe(true);
    expect(seen).toEqual(["ours", CALLER.sessionId]);
    const theirs = requestFromCaller({ "x-page-token": "theirs" });
    expect(
      await continueFromRequest(chaukas, theirs, (scope) => scope.adopted, {
        trust: trustOurPage,
      }),
    ).toBe(false);
    expect(
      await continueFromRequest(chaukas, ours, (scope) => scope.adopted, { trust: () => true }),
    ).toBe(true);
  });

  it("fails closed: a predicate that throws, rejects or returns anything but true does not adopt, and the failure is reported", async () => {
    const chaukas = server();
    const reported: [unknown, string][] = [];
    const onError = (error: unknown, step: string) => void reported.push([error, step]);
    const thrown = new Error("auth service down");
    for (const trust of [
      () => {
        throw thrown;
      },
      () => Promise.reject(thrown),
      () => "yes" as unknown as boolean,
      () => Promise.resolve(1 as unknown as boolean),
    ]) {
      const adopted = await continueFromRequest(
        chaukas,
        requestFromCaller(),
        (scope) => scope.adopted,
        { trust, onError },
      );
      expect(adopted).toBe(false);
    }
    expect(reported).toEqual([
      [thrown, "trust"],
      [thrown, "trust"],
    ]);
    const events = await chaukas.stored();
    expect(events.some((e) => e.sessionId === CALLER.sessionId)).toBe(false);
  });

  it("does not ask the predicate when the request carries no session", async () => {
    const chaukas = server();
    let asked = 0;
    const request = new Request("https://agent.example.com/", {
      headers: { traceparent: `00-${CALLER.traceId}-${CALLER.spanId}-01` },
    });
    const traceId = await continueFromRequest(chaukas, request, (scope) => scope.traceId, {
      trust: () => ++asked > 0,
    });
    expect(asked).toBe(0);
    expect(traceId).toBe(CALLER.traceId);
  });

  it.each([
    ["a sync throw", () => "sync"],
    ["a rejection", () => "async"],
  ])("rethrows the handler's error unchanged after %s, and records the failure", async (_, how) => {
    const appError = new TypeError("the app's own error");
    const handler = (): unknown => {
      if (how() === "sync") throw appError;
      return Promise.reject(appError);
    };
    const chaukas = server();
    const own = continueFromRequest(chaukas, requestFromCaller(), handler);
    await expect(own).rejects.toBe(appError);
    const adopted = continueFromRequest(chaukas, requestFromCaller(), handler, { trust: true });
    await expect(adopted).rejects.toBe(appError);
    const events = await chaukas.stored();
    const ownEnd = events.find((e) => e.type === EventType.SESSION_END);
    expect(ownEnd).toMatchObject({ status: EventStatus.FAILED });
    const error = events.find((e) => e.type === EventType.ERROR);
    expect(error).toMatchObject({
      sessionId: CALLER.sessionId,
      parentSpanId: CALLER.spanId,
      content: { case: "error", value: { errorMessage: "the app's own error" } },
    });
  });

  it("rethrows an error the SDK cannot describe unchanged, and reports that recording it failed", async () => {
    const chaukas = server();
    const reported: string[] = [];
    // String() of an object without a prototype throws: describing it fails.
    const hostile = Object.assign(Object.create(null) as object, { message: Object.create(null) });
    const run = continueFromRequest(
      chaukas,
      requestFromCaller(),
      () => {
        throw hostile;
      },
      { trust: true, onError: (_, step) => void reported.push(step) },
    );
    await expect(run).rejects.toBe(hostile);
    expect(reported).toEqual(["fail"]);
  });

  it.each([
    ["no headers", new Request("https://agent.example.com/")],
    ["garbage", requestFromCaller({ traceparent: "00-zz-\u00ff-01", baggage: "%%%,=,;" })],
    ["an oversized traceparent", requestFromCaller({ traceparent: "0".repeat(100_000) })],
    ["Node's header object with repeated headers", { headers: { traceparent: ["a", "b"] } }],
    ["no headers object at all", {} as { headers: Record<string, string> }],
  ])("%s: no throw, a fresh trace and a session of the server's own", async (_, request) => {
    const chaukas = server();
    const scope = await continueFromRequest(chaukas, request, (s) => s, { trust: true });
    expect(scope.adopted).toBe(false);
    expect(scope.traceId).not.toBe(CALLER.traceId);
    expect((await chaukas.stored()).map((e) => e.type)).toEqual([
      EventType.SESSION_START,
      EventType.SESSION_END,
    ]);
  });

  it("throws ChaukasValidationError for a handler that is not a function", async () => {
    const run = continueFromRequest(server(), requestFromCaller(), "nope" as never);
    await expect(run).rejects.toBeInstanceOf(ChaukasValidationError);
    await expect(run).rejects.toMatchObject({ field: "handler" });
  });
});
