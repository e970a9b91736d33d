// A caller (the page's side) sends its context to a real node:http server whose Express-style
// handler continues it with continueFromRequest; the events are asserted as the devserver stored
// them. Also a Fetch `Request` handled in Node (Hono, Next.js route handlers).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import type { ChaukasClient, ContinueFromRequestOptions } from "@chaukas/client";
import { inject } from "@chaukas/client/propagation";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventType } from "@chaukas/spec/common/v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { continueFromRequest, createChaukasNodeClient } from "../src/index.js";

let devserver: DevServer;
let caller: ChaukasClient;
let chaukas: ChaukasClient;
let server: Server;
let serverUrl: string;

/** The server's trust rule: only the app's own page, which sends this token. */
const PAGE_TOKEN = "Bearer page-token";
const trustOurPage: ContinueFromRequestOptions<IncomingMessage>["trust"] = (req) =>
  req.headers.authorization === PAGE_TOKEN;

/** What the handler answers. */
interface Reply {
  readonly sessionId: string;
  readonly adopted: boolean;
}

/** An Express-style handler: `(req, res)`, the app's work awaited inside the continued scope. */
function chatHandler(req: IncomingMessage, res: ServerResponse): void {
  continueFromRequest(
    chaukas,
    req,
    async (scope) => {
      // Past an await, the client's own builders still find the scope (AsyncLocalStorage).
      await new Promise(setImmediate);
      const lookup = chaukas.toolCallStart({ name: "lookup" });
      lookup.end({ output: { hits: 1 } });
      if (req.url === "/fail") throw new Error("the app's own failure");
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ sessionId: scope.id, adopted: scope.adopted } satisfies Reply));
    },
    { trust: trustOurPage, agentId: "node-agent" },
  ).catch((error: Error) => {
    // What an Express error handler would do: the app's error arrives here unchanged.
    res.writeHead(500).end(`${error.constructor.name}: ${error.message}`);
  });
}

beforeAll(async () => {
  devserver = await startDevServer({ port: 0 });
  const client = (projectId: string) =>
    createChaukasNodeClient({
      baseUrl: devserver.url,
      tenantId: "acme",
      projectId,
      exitFlush: false,
    });
  caller = client("page");
  chaukas = client("node-agent");
  server = createServer(chatHandler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await Promise.all([caller?.shutdown(), chaukas?.shutdown()]);
  await devserver?.close();
});

/** Every stored event matching `keep`, once both sides have delivered theirs. */
async function stored(keep: (event: Event) => boolean): Promise<Event[]> {
  await Promise.all([caller.flush(), chaukas.flush()]);
  return devserver.store.events().filter(keep);
}

/** Calls the server from `span` of the caller, as the page's traced fetch would. */
async function callFrom(
  span: Parameters<typeof inject>[1],
  path = "/chat",
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${serverUrl}${path}`, {
    method: "POST",
    headers: inject({ ...headers }, span),
  });
}

describe("continueFromRequest with Node's IncomingMessage", () => {
  it("trusted: the server's events join the caller's session under the caller's span, with no SESSION_START of its own", async () => {
    const session = caller.startSession({ agentId: "page" });
    const ask = session.toolCallStart({ name: "ask-agent" });
    const response = await callFrom(ask, "/chat", { authorization: PAGE_TOKEN });
    const reply = (await response.json()) as Reply;
    ask.end();
    session.end();
    expect(reply).toEqual({ sessionId: session.id, adopted: true });

    const events = await stored((e) => e.sessionId === session.id);
    const fromServer = events.filter((e) => e.projectId === "node-agent");
    expect(fromServer.map((e) => e.type)).toEqual([
      EventType.TOOL_CALL_START,
      EventType.TOOL_CALL_END,
    ]);
    for (const event of fromServer) {
      expect(event).toMatchObject({
        traceId: session.traceId,
        parentSpanId: ask.spanId,
        agentId: "node-agent",
      });
    }
    expect(events.filter((e) => e.type === EventType.SESSION_START)).toHaveLength(1);
    expect(events.filter((e) => e.type === EventType.SESSION_END)).toHaveLength(1);
  });

  it("untrusted: a caller naming someone else's session cannot place events in it; the server records its own session", async () => {
    const victim = caller.startSession({ agentId: "victim" });
    // A forged request: the victim's session id in baggage, without the page's token.
    const response = await callFrom(victim, "/chat", { authorization: "Bearer stolen?" });
    const reply = (await response.json()) as Reply;
    victim.end();
    expect(reply.adopted).toBe(false);
    expect(reply.sessionId).not.toBe(victim.id);

    const inVictim = await stored((e) => e.sessionId === victim.id);
    expect(inVictim.map((e) => e.type)).toEqual([EventType.SESSION_START, EventType.SESSION_END]);
    const own = await stored((e) => e.sessionId === reply.sessionId);
    expect(own.map((e) => e.type)).toEqual([
      EventType.SESSION_START,
      EventType.TOOL_CALL_START,
      EventType.TOOL_CALL_END,
      EventType.SESSION_END,
    ]);
    expect(own[0]).toMatchObject({
      traceId: victim.traceId,
      parentSpanId: victim.spanId,
      metadata: { caller_session_id: victim.id },
    });
  });

  it("the handler's error reaches the app unchanged, and the caller's session records it", async () => {
    const session = caller.startSession();
    const response = await callFrom(session, "/fail", { authorization: PAGE_TOKEN });
    session.end();
    expect(response.status).toBe(500);
    expect(await response.text()).toBe("Error: the app's own failure");
    const events = await stored((e) => e.sessionId === session.id && e.projectId === "node-agent");
    expect(events.map((e) => e.type)).toEqual([
      EventType.TOOL_CALL_START,
      EventType.TOOL_CALL_END,
      EventType.ERROR,
    ]);
    expect(events[2]).toMatchObject({
      parentSpanId: session.spanId,
      content: { case: "error", value: { errorMessage: "the app's own failure" } },
    });
  });

  it("malformed headers from the network never throw: the request is served in a fresh trace", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    // Written byte for byte on a socket: what no well-behaved client would send.
    const raw = [
      "POST /chat HTTP/1.0",
      "Host: 127.0.0.1",
      `Authorization: ${PAGE_TOKEN}`,
      `traceparent: ${traceparent}`,
      `traceparent: ${traceparent}`,
      `baggage: chaukas.session_id=%E0%A4%A,${"k=v,".repeat(2500)}`,
      "baggage: chaukas.session_id=\xff\xfe",
      "Content-Length: 0",
      "Connection: close",
      "",
      "",
    ].join("\r\n");
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk.toString("latin1");
      });
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
      socket.end(Buffer.from(raw, "latin1"));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    const reply = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as Reply;
    expect(reply.adopted).toBe(false);
    const own = await stored((e) => e.sessionId === reply.sessionId);
    expect(own[0]).toMatchObject({ type: EventType.SESSION_START, parentSpanId: "" });
    expect(own[0]?.traceId).not.toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });
});

describe("continueFromRequest with a Fetch Request in Node", () => {
  it("continues the caller's session in a Hono-style (request) => Response handler", async () => {
    const handle = (request: Request) =>
      continueFromRequest(
        chaukas,
        request,
        async (scope) => {
          await new Promise(setImmediate);
          chaukas.modelInvocationStart({ provider: "openai", model: "m" }).end();
          return Response.json({ sessionId: scope.id, adopted: scope.adopted });
        },
        { trust: (req) => req.headers.get("authorization") === PAGE_TOKEN, agentId: "fetch-agent" },
      );
    const session = caller.startSession();
    const headers = inject(new Headers({ authorization: PAGE_TOKEN }), session);
    const response = await handle(new Request(`${serverUrl}/fetch`, { method: "POST", headers }));
    session.end();
    expect(await response.json()).toEqual({ sessionId: session.id, adopted: true });
    const fromServer = await stored(
      (e) => e.sessionId === session.id && e.agentId === "fetch-agent",
    );
    expect(fromServer.map((e) => e.type)).toEqual([
      EventType.MODEL_INVOCATION_START,
      EventType.MODEL_INVOCATION_END,
    ]);
    expect(fromServer.every((e) => e.parentSpanId === session.spanId)).toBe(true);
    expect(fromServer.every((e) => e.traceId === session.traceId)).toBe(true);
  });
});
