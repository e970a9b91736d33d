import type { JsonObject } from "@bufbuild/protobuf";
import { Code, type ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { expectBalanced } from "../../test/pipeline-fixtures.js";
import { type ChaukasClient, createChaukasClient } from "../client.js";
import type { ExportErrorInfo } from "../wire/export-error.js";
import { createRequestHeaderInterceptors } from "../wire/request-headers.js";
import { codeFromHttpStatus } from "./rest-error.js";
import { createRestTransport } from "./rest-transport.js";

/** One request as a REST backend received it. */
interface Received {
  readonly method: string;
  readonly path: string;
  readonly header: Headers;
  readonly json: JsonObject | undefined;
}

/**
 * A REST backend in a function: it records what it receives and answers with `answer(request,
 * n)` (n counts calls from 0), by default 202 with no body.
 */
function restBackend(answer: (request: Received, n: number) => Response | Promise<Response>) {
  const received: Received[] = [];
  const fetch: typeof globalThis.fetch = async (input, init = {}) => {
    const url = new URL(String(input));
    const body = init.body as Uint8Array | null | undefined;
    const request: Received = {
      method: init.method ?? "GET",
      path: url.pathname,
      header: new Headers(init.headers),
      json: body == null ? undefined : (JSON.parse(new TextDecoder().decode(body)) as JsonObject),
    };
    received.push(request);
    return answer(request, received.length - 1);
  };
  return { fetch, received };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
/** The events of a batch request. */
const eventsOf = (request: Received | undefined) => (request?.json?.events ?? []) as JsonObject[];
const accepted = () => new Response(null, { status: 202 });

function clientOn(
  fetch: typeof globalThis.fetch,
  options: { apiKey?: string; retryMs?: number } = {},
): { chaukas: ChaukasClient; errors: [ConnectError, ExportErrorInfo][] } {
  const errors: [ConnectError, ExportErrorInfo][] = [];
  const chaukas = createChaukasClient({
    transport: createRestTransport({
      baseUrl: "https://chaukas.example.com/",
      fetch,
      interceptors: createRequestHeaderInterceptors(
        options.apiKey === undefined ? {} : { apiKey: options.apiKey },
      ),
    }),
    tenantId: "acme",
    projectId: "support-bot",
    reportLoss: false,
    retry: { initialBackoffMs: 1, maxBackoffMs: 1, maxElapsedMs: options.retryMs ?? 5000 },
    onError: (error, info) => errors.push([error, info]),
  });
  return { chaukas, errors };
}

describe("createRestTransport", () => {
  it("posts each batch to /v1/events/batch as the public API's JSON, with the client's auth", async () => {
    const backend = restBackend(accepted);
    const { chaukas } = clientOn(backend.fetch, { apiKey: "ck_rest" });
    const session = chaukas.startSession({ agentId: "planner", agentName: "Planner" });
    session.toolCallStart({ name: "search", arguments: { q: "refunds" } }).fail("timeout");
    session.end();
    await chaukas.shutdown();

    expect(chaukas.stats()).toMatchObject({ sent: 4, failed: 0 });
    expect(backend.received).toHaveLength(1);
    const [request] = backend.received;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/v1/events/batch");
    expect(request?.header.get("content-type")).toBe("application/json");
    expect(request?.header.get("authorization")).toBe("Bearer ck_rest");
    const events = eventsOf(request);
    expect(events.map((event) => [event.type, event.status])).toEqual([
      ["SESSION_START", "STARTED"],
      ["TOOL_CALL_START", "STARTED"],
      ["TOOL_CALL_END", "FAILED"],
      ["SESSION_END", "COMPLETED"],
    ]);
    expect(events[1]?.content).toMatchObject({ kind: "tool_call", name: "search" });
    expect(request?.json?.batch_id).toEqual(expect.any(String));
  });

  it("queries /v1/query with the filter, page size and order, following next_page_token", async () => {
    const event = (id: string) => ({ event_id: id, session_id: "s-1", type: "SYSTEM" });
    const backend = restBackend((request) =>
      request.json?.page_token === undefined
        ? json(200, { events: [event("e1"), event("e2")], next_page_token: "p2" })
        : json(200, { events: [event("e3")] }),
    );
    const { chaukas } = clientOn(backend.fetch);
    const ids: string[] = [];
    for await (const found of chaukas.query(
      { sessionId: "s-1", types: ["SYSTEM"] },
      { pageSize: 2, order: "asc" },
    )) {
      ids.push(found.eventId);
    }
    expect(ids).toEqual(["e1", "e2", "e3"]);
    expect(backend.received.map((r) => [r.method, r.path])).toEqual([
      ["POST", "/v1/query"],
      ["POST", "/v1/query"],
    ]);
    expect(backend.received[0]?.json).toMatchObject({
      filter: {
        tenant_id: "acme",
        project_id: "support-bot",
        session_id: "s-1",
        types: ["SYSTEM"],
      },
      page_size: 2,
      order_by_time: "ASC",
    });
    expect(backend.received[1]?.json).toMatchObject({ page_token: "p2" });
  });

  it("reads capabilities from GET /v1/capabilities and health from GET /healthz", async () => {
    const backend = restBackend((request) =>
      request.path === "/healthz" ? new Response("ok") : json(200, { audit_proofs: true }),
    );
    const { chaukas } = clientOn(backend.fetch);
    await chaukas.healthz();
    const capabilities = await chaukas.capabilities();
    expect(capabilities.auditProofs).toBe(true);
    expect(backend.received.map((r) => [r.method, r.path, r.json])).toEqual([
      ["GET", "/healthz", undefined],
      ["GET", "/v1/capabilities", undefined],
    ]);
  });

  it("retries a 503 and a lost connection with the same batch until it is accepted", async () => {
    const backend = restBackend((_request, n) => {
      if (n === 0) return json(503, { code: "unavailable", message: "restarting" });
      if (n === 1) throw new TypeError("fetch failed");
      return accepted();
    });
    const { chaukas, errors } = clientOn(backend.fetch);
    chaukas.system("hello");
    await chaukas.shutdown();
    expect(chaukas.stats()).toMatchObject({ sent: 1, failed: 0, retried: 2 });
    expect(errors.map(([error, info]) => [error.code, info.willRetry])).toEqual([
      [Code.Unavailable, true],
      [Code.Unavailable, true],
    ]);
    const ids = backend.received.map((r) => r.json?.batch_id);
    expect(new Set(ids).size).toBe(1);
  });

  it("waits the retry-after a 429 asks for", async () => {
    const backend = restBackend((_request, n) =>
      n === 0
        ? json(429, { code: "resource_exhausted", message: "slow down" }, { "retry-after": "0" })
        : accepted(),
    );
    const { chaukas, errors } = clientOn(backend.fetch);
    chaukas.system("hello");
    await chaukas.shutdown();
    expect(chaukas.stats()).toMatchObject({ sent: 1, retried: 1 });
    expect(errors[0]?.[0].metadata.get("retry-after")).toBe("0");
  });

  it("splits a batch the backend refuses with 413 until each part fits", async () => {
    const backend = restBackend((request) =>
      eventsOf(request).length > 1
        ? new Response("Request Entity Too Large", { status: 413 })
        : accepted(),
    );
    const { chaukas } = clientOn(backend.fetch);
    for (let i = 0; i < 4; i++) chaukas.system(`note ${i}`);
    await chaukas.shutdown();
    expect(chaukas.stats()).toMatchObject({ sent: 4, failed: 0 });
    expect(backend.received.filter((r) => eventsOf(r).length === 1)).toHaveLength(4);
  });

  it("fails a batch, without retrying, when a 202 names rejected events, and says which and why", async () => {
    const backend = restBackend((request) => {
      const events = eventsOf(request);
      return json(202, {
        batch_id: request.json?.batch_id,
        accepted_count: events.length - 1,
        rejected_count: 1,
        rejected_event_ids: [events[1]?.event_id],
        rejected: [{ index: 1, event_id: events[1]?.event_id, field: "type", reason: "type: bad" }],
      });
    });
    const { chaukas, errors } = clientOn(backend.fetch);
    chaukas.system("one");
    const refused = chaukas.system("two");
    chaukas.system("three");
    await chaukas.shutdown();
    const stats = chaukas.stats();
    // As on Connect: the whole batch counts failed (two of its events were stored).
    expect(stats).toMatchObject({ emitted: 3, sent: 0, failed: 3, retried: 0 });
    expectBalanced(stats);
    expect(errors).toHaveLength(1);
    const [error, info] = errors[0]!;
    expect(info).toMatchObject({ reason: "rejected", willRetry: false, events: 3 });
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toBe(`1 event(s) rejected, 2 accepted: [1] ${refused}: type: bad`);
  });

  it("fails a batch for good on 400, 401 and 404, with the backend's message", async () => {
    for (const [status, body, code] of [
      [
        400,
        { code: "invalid_argument", message: "events[0].type: expected an EventType" },
        Code.InvalidArgument,
      ],
      [401, { code: "unauthenticated", message: "missing or wrong API key" }, Code.Unauthenticated],
      [404, "Not Found", Code.Unimplemented],
    ] as const) {
      const backend = restBackend(() =>
        typeof body === "string" ? new Response(body, { status }) : json(status, body),
      );
      const { chaukas, errors } = clientOn(backend.fetch);
      chaukas.system("hello");
      await chaukas.shutdown();
      expect(chaukas.stats()).toMatchObject({ sent: 0, failed: 1, retried: 0 });
      expect(errors[0]?.[0].code).toBe(code);
      expect(errors[0]?.[0].rawMessage).toBe(
        typeof body === "string" ? `HTTP 404: ${body}` : body.message,
      );
    }
  });

  it("sends a batch the exporter passes pre-encoded (after a non-JSON answer) as the same JSON", async () => {
    // A 202 with a text body makes the exporter send its later batches as their encodings.
    const backend = restBackend(() => new Response("Accepted", { status: 202 }));
    const { chaukas } = clientOn(backend.fetch);
    chaukas.system("first");
    await chaukas.flush();
    chaukas.system({ message: "second", metadata: { n: 2 } });
    await chaukas.shutdown();
    expect(chaukas.stats()).toMatchObject({ sent: 2, failed: 0 });
    const second = eventsOf(backend.received[1])[0];
    expect(second).toMatchObject({ type: "SYSTEM", tenant_id: "acme", metadata: { n: 2 } });
  });

  it("fails closed: an event whose beforeSend throws never reaches the REST backend", async () => {
    const backend = restBackend(accepted);
    const chaukas = createChaukasClient({
      transport: createRestTransport({
        baseUrl: "https://chaukas.example.com",
        fetch: backend.fetch,
      }),
      tenantId: "acme",
      projectId: "support-bot",
      reportLoss: false,
      beforeSend: (event) => {
        if (event.content.case === "message" && event.content.value.text.includes("secret")) {
          throw new Error("redactor down");
        }
        return event;
      },
    });
    chaukas.system("the secret is 42");
    chaukas.system("harmless");
    await chaukas.shutdown();
    expect(chaukas.stats()).toMatchObject({ sent: 1, dropped: { prepareFailed: 1 } });
    const sentTexts = backend.received.flatMap((r) =>
      eventsOf(r).map((e) => (e.content as JsonObject).text),
    );
    expect(sentTexts).toEqual(["harmless"]);
  });

  it("refuses an answer longer than readMaxBytes", async () => {
    const transport = createRestTransport({
      baseUrl: "http://127.0.0.1:1",
      readMaxBytes: 10,
      fetch: async () => json(200, { events: [], next_page_token: "x".repeat(100) }),
    });
    const chaukas = createChaukasClient({ transport, tenantId: "t", projectId: "p" });
    await expect(chaukas.queryPage()).rejects.toMatchObject({ code: Code.ResourceExhausted });
  });

  it("names baseUrl when it is not an http(s) URL", () => {
    expect(() => createRestTransport({ baseUrl: "localhost:8080" })).toThrow(
      expect.objectContaining({ field: "baseUrl" }),
    );
  });
});

describe("codeFromHttpStatus", () => {
  it("maps statuses a resend cannot fix to codes the client does not retry", () => {
    expect(
      [400, 401, 403, 404, 408, 413, 415, 422, 429, 500, 502, 503, 504].map(codeFromHttpStatus),
    ).toEqual([
      Code.InvalidArgument,
      Code.Unauthenticated,
      Code.PermissionDenied,
      Code.Unimplemented,
      Code.DeadlineExceeded,
      Code.ResourceExhausted,
      Code.Unimplemented,
      Code.FailedPrecondition,
      Code.ResourceExhausted,
      Code.Internal,
      Code.Unavailable,
      Code.Unavailable,
      Code.Unavailable,
    ]);
  });
});
