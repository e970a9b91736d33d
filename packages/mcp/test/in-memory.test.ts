import { toJsonString } from "@bufbuild/protobuf";
import { CALLER_SESSION_ID_KEY, type ChaukasClient, formatTraceparent } from "@chaukas/client";
import { redact } from "@chaukas/client/redact";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { instrumentMcpTransport, type McpInstrumentationOptions } from "@chaukas/mcp";
import { EventSchema, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chaukasClient,
  docsServer,
  eventually,
  mcpCall,
  mcpSpans,
  storedTrace,
  uniqueProject,
} from "./mcp-fixtures.js";

let backend: DevServer;

beforeAll(async () => {
  backend = await startDevServer({ port: 0 });
});

afterAll(async () => {
  await backend.close();
});

type SideOptions = Omit<McpInstrumentationOptions, "side" | "serverName">;

/** A Client and an McpServer over a linked in-memory pair, each side instrumented. */
async function connectPair(options: { client?: SideOptions; server?: SideOptions } = {}) {
  const project = uniqueProject();
  const clientChaukas = chaukasClient(backend, project);
  const serverChaukas = chaukasClient(backend, project);
  const seenMeta: unknown[] = [];
  const [clientEnd, serverEnd] = InMemoryTransport.createLinkedPair();
  const serverTransport = instrumentMcpTransport(serverEnd, serverChaukas, {
    side: "server",
    serverName: "docs",
    ...options.server,
  });
  await docsServer(serverChaukas, seenMeta).connect(serverTransport);
  const clientTransport = instrumentMcpTransport(clientEnd, clientChaukas, {
    side: "client",
    serverName: "docs",
    ...options.client,
  });
  const client = new Client({ name: "planner", version: "1.0.0" });
  await client.connect(clientTransport);
  return { client, clientChaukas, serverChaukas, clientTransport, serverTransport, seenMeta };
}

async function flushAll(...clients: ChaukasClient[]) {
  for (const c of clients) expect(await c.flush()).toEqual({ completed: true, pending: 0 });
}

describe("instrumentMcpTransport over the SDK's InMemoryTransport", () => {
  it("records each call on both sides in one trace, with names, arguments, results and errors; an untrusted caller gets one server session", async () => {
    const pair = await connectPair();
    const { client, clientChaukas, serverChaukas, seenMeta } = pair;
    const session = clientChaukas.startSession({ agentId: "planner" });
    const results = await session.run(async () => ({
      search: await client.callTool({ name: "search", arguments: { q: "refunds" } }),
      reindex: await client.callTool({ name: "reindex", arguments: {} }),
      policy: await client.readResource({ uri: "docs://policy" }),
      prompt: await client.getPrompt({ name: "summarize", arguments: { topic: "refunds" } }),
      missing: await client.readResource({ uri: "docs://missing" }).catch((e: Error) => e),
    }));
    // Untouched for the framework: the tool saw its arguments and the client got its results.
    expect(results.search.content).toEqual([{ type: "text", text: "3 hits for refunds" }]);
    expect(results.reindex.isError).toBe(true);
    expect(results.missing).toBeInstanceOf(Error);
    session.end();
    await client.close();
    await flushAll(clientChaukas, serverChaukas);

    const events = await storedTrace(clientChaukas, session.traceId);
    const clientSpans = mcpSpans(events, "client");
    const serverSpans = mcpSpans(events, "server");
    expect(clientSpans.map((s) => mcpCall(s.start).operation)).toEqual([
      "tools/call",
      "tools/call",
      "resources/read",
      "prompts/get",
      "resources/read",
    ]);
    expect(serverSpans).toHaveLength(5);
    // Not trusted (the default), the server records its calls in one session of its own on
    // the caller's trace, started at the first call and ended when the transport closed.
    const serverSession = events.filter(
      (e) => e.type === EventType.SESSION_START && e.sessionId !== session.id,
    );
    expect(serverSession).toHaveLength(1);
    expect(serverSession[0]).toMatchObject({
      traceId: session.traceId,
      parentSpanId: clientSpans[0]!.start.spanId,
      metadata: { [CALLER_SESSION_ID_KEY]: session.id },
    });
    const serverSessionId = serverSession[0]!.sessionId;
    expect(events.filter((e) => e.type === EventType.SESSION_END).map((e) => e.sessionId)).toEqual([
      session.id,
      serverSessionId,
    ]);
    for (const [i, { start, end }] of clientSpans.entries()) {
      expect(start.parentSpanId).toBe(session.spanId);
      expect(start.traceId).toBe(session.traceId);
      expect(mcpCall(start).serverName).toBe("docs");
      expect(mcpCall(start).protocolVersion).not.toBe("");
      expect(mcpCall(end).executionTimeMs).toBeGreaterThan(0);
      // Each server call hangs under the client call that made it, in the server's session.
      const server = serverSpans[i]!;
      expect(server.start.parentSpanId).toBe(start.spanId);
      expect(server.start.sessionId).toBe(serverSessionId);
      expect(server.start.traceId).toBe(session.traceId);
      expect(mcpCall(server.start).operation).toBe(mcpCall(start).operation);
      expect(server.end.status).toBe(end.status);
    }
    // The tool saw the client span's context in _meta, and its own arguments unchanged.
    expect(seenMeta[0]).toEqual({
      arguments: { q: "refunds" },
      meta: {
        traceparent: formatTraceparent(clientSpans[0]!.start),
        baggage: `chaukas.session_id=${session.id}`,
      },
    });

    const [search, reindex, policy, prompt, missing] = clientSpans;
    expect(search!.request).toEqual({ name: "search", arguments: { q: "refunds" } });
    expect(search!.response).toEqual({ content: [{ type: "text", text: "3 hits for refunds" }] });
    expect(search!.end.status).toBe(EventStatus.COMPLETED);
    expect(reindex!.end.status).toBe(EventStatus.FAILED);
    expect(reindex!.end.metadata).toEqual({ error: { message: "index is offline" } });
    expect(policy!.request).toEqual({ uri: "docs://policy" });
    expect(policy!.response).toEqual({
      contents: [{ uri: "docs://policy", text: "Refunds within 30 days." }],
    });
    expect(prompt!.request).toEqual({ name: "summarize", arguments: { topic: "refunds" } });
    expect(prompt!.end.status).toBe(EventStatus.COMPLETED);
    expect(missing!.end.status).toBe(EventStatus.FAILED);
    expect(missing!.end.metadata).toEqual({
      error: { message: "MCP error -32602: Resource docs://missing not found", code: "-32602" },
    });
    expect(serverSpans[4]!.end.metadata).toEqual(missing!.end.metadata);

    // The tool handler's own event nests under the server's span for that call.
    const access = events.find((e) => e.type === EventType.DATA_ACCESS);
    expect(access?.parentSpanId).toBe(serverSpans[0]!.start.spanId);

    expect(pair.clientTransport.stats()).toEqual({
      started: 5,
      completed: 3,
      failed: 2,
      pending: 0,
      errors: 0,
    });
    expect(pair.serverTransport.stats()).toEqual(pair.clientTransport.stats());
    await Promise.all([clientChaukas.shutdown(), serverChaukas.shutdown()]);
  });

  it("with trust, the server's calls join the caller's session under its spans, with no session events of their own", async () => {
    const { client, clientChaukas, serverChaukas, serverTransport } = await connectPair({
      server: { trust: true },
    });
    const session = clientChaukas.startSession({ agentId: "planner" });
    await session.run(async () => {
      await client.callTool({ name: "search", arguments: { q: "refunds" } });
      await client.readResource({ uri: "docs://policy" });
    });
    session.end();
    await client.close();
    await flushAll(clientChaukas, serverChaukas);

    const events = await storedTrace(clientChaukas, session.traceId);
    expect(new Set(events.map((e) => e.sessionId))).toEqual(new Set([session.id]));
    expect(events.filter((e) => e.type === EventType.SESSION_START)).toHaveLength(1);
    expect(events.filter((e) => e.type === EventType.SESSION_END)).toHaveLength(1);
    const clientSpans = mcpSpans(events, "client");
    const serverSpans = mcpSpans(events, "server");
    expect(serverSpans.map((s) => s.start.parentSpanId)).toEqual(
      clientSpans.map((s) => s.start.spanId),
    );
    const access = events.find((e) => e.type === EventType.DATA_ACCESS);
    expect(access?.parentSpanId).toBe(serverSpans[0]!.start.spanId);
    expect(serverTransport.stats()).toMatchObject({ started: 2, completed: 2, errors: 0 });
    await Promise.all([clientChaukas.shutdown(), serverChaukas.shutdown()]);
  });

  it("keeps an untrusted caller out of the session it names, and takes malformed context without throwing", async () => {
    const project = uniqueProject();
    const victimChaukas = chaukasClient(backend, project);
    const serverChaukas = chaukasClient(backend, project);
    const victim = victimChaukas.startSession({ agentId: "victim" });
    const [clientEnd, serverEnd] = InMemoryTransport.createLinkedPair();
    const serverTransport = instrumentMcpTransport(serverEnd, serverChaukas, {
      side: "server",
      serverName: "docs",
      trust: (_extra, remote) => remote.sessionId === "a-session-the-server-knows",
    });
    await docsServer(serverChaukas).connect(serverTransport);
    // An uninstrumented client writing whatever it likes into _meta.
    const client = new Client({ name: "forger", version: "1.0.0" });
    await client.connect(clientEnd);
    const forgedTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const forged = {
      traceparent: `00-${forgedTrace}-00f067aa0ba902b7-01`,
      baggage: `chaukas.session_id=${victim.id}`,
    };
    await client.callTool({ name: "search", arguments: { q: "forged" }, _meta: forged });
    for (const _meta of [
      { traceparent: "00-zz-yy-01", baggage: `chaukas.session_id=${victim.id}` },
      { traceparent: ["not", "a", "string"], baggage: { nested: true } },
      {
        traceparent: `00-${forgedTrace}-00f067aa0ba902b7-01`,
        baggage: "chaukas.session_id=%E0%A4%A",
      },
      { traceparent: `00-${forgedTrace}-00f067aa0ba902b7-01-${"x".repeat(10_000)}` },
    ]) {
      const result = await client.callTool({ name: "search", arguments: { q: "x" }, _meta });
      expect(result.isError).toBeFalsy();
    }
    await client.close();
    victim.end();
    await flushAll(victimChaukas, serverChaukas);

    const inVictimSession: string[] = [];
    for await (const e of victimChaukas.query({ sessionId: victim.id })) {
      inVictimSession.push(EventType[e.type]);
    }
    expect(inVictimSession.sort()).toEqual(["SESSION_END", "SESSION_START"]);
    // The forged call was recorded on the trace it named, in a session of the server's own.
    const [call] = mcpSpans(await storedTrace(serverChaukas, forgedTrace), "server");
    expect(call!.start.sessionId).not.toBe(victim.id);
    expect(serverTransport.stats()).toEqual({
      started: 5,
      completed: 5,
      failed: 0,
      pending: 0,
      errors: 0,
    });
    await Promise.all([victimChaukas.shutdown(), serverChaukas.shutdown()]);
  });

  it("ends a call that never got its answer as failed when the transport closes", async () => {
    const { client, clientChaukas, serverChaukas, clientTransport, serverTransport } =
      await connectPair();
    const session = clientChaukas.startSession({ agentId: "planner" });
    const call = session.run(() => client.callTool({ name: "slow", arguments: {} }));
    await eventually(() => serverTransport.stats().pending === 1);
    expect(clientTransport.stats().pending).toBe(1);
    await client.close();
    await expect(call).rejects.toThrow(/closed/i);
    session.end();
    await flushAll(clientChaukas, serverChaukas);

    const events = await storedTrace(clientChaukas, session.traceId);
    for (const side of ["client", "server"] as const) {
      const [span, ...others] = mcpSpans(events, side);
      expect(others).toHaveLength(0);
      expect(span!.request).toEqual({ name: "slow", arguments: {} });
      expect(span!.end.status).toBe(EventStatus.FAILED);
      expect(span!.end.metadata).toEqual({
        error: {
          message: "the MCP transport closed before the response arrived",
          code: "-32000",
        },
      });
    }
    expect(clientTransport.stats()).toMatchObject({ started: 1, failed: 1, pending: 0 });
    expect(serverTransport.stats()).toMatchObject({ started: 1, failed: 1, pending: 0 });
    await Promise.all([clientChaukas.shutdown(), serverChaukas.shutdown()]);
  });

  it("ends a call the caller cancelled as failed on both sides", async () => {
    const { client, clientChaukas, serverChaukas, clientTransport, serverTransport } =
      await connectPair();
    const session = clientChaukas.startSession({ agentId: "planner" });
    const abort = new AbortController();
    const call = session.run(() =>
      client.callTool({ name: "slow", arguments: {} }, undefined, { signal: abort.signal }),
    );
    await eventually(() => serverTransport.stats().pending === 1);
    abort.abort("the user gave up");
    await expect(call).rejects.toThrow();
    await eventually(() => serverTransport.stats().pending === 0);
    session.end();
    await flushAll(clientChaukas, serverChaukas);

    const events = await storedTrace(clientChaukas, session.traceId);
    for (const side of ["client", "server"] as const) {
      const [span] = mcpSpans(events, side);
      expect(span!.end.status).toBe(EventStatus.FAILED);
      expect(span!.end.metadata).toEqual({
        error: { message: "cancelled: the user gave up", code: "cancelled" },
      });
    }
    expect(clientTransport.stats()).toMatchObject({ started: 1, failed: 1, pending: 0 });
    // The transport is still usable: cancelling one call closed nothing.
    await session.run(() => client.callTool({ name: "search", arguments: { q: "again" } }));
    expect(clientTransport.stats()).toMatchObject({ started: 2, completed: 1, pending: 0 });
    await client.close();
    await Promise.all([clientChaukas.shutdown(), serverChaukas.shutdown()]);
  });

  it("records a server's calls under its own scope when the client sends no traceparent", async () => {
    const project = uniqueProject();
    const serverChaukas = chaukasClient(backend, project);
    const [clientEnd, serverEnd] = InMemoryTransport.createLinkedPair();
    const serverSession = serverChaukas.startSession({ agentId: "docs-server" });
    const serverTransport = instrumentMcpTransport(serverEnd, serverChaukas, {
      side: "server",
      serverName: "docs",
      scope: serverSession,
    });
    await docsServer(serverChaukas).connect(serverTransport);
    const client = new Client({ name: "planner", version: "1.0.0" });
    await client.connect(clientEnd);
    await client.callTool({ name: "search", arguments: { q: "refunds" } });
    await client.close();
    serverSession.end();
    await flushAll(serverChaukas);

    const events = await storedTrace(serverChaukas, serverSession.traceId);
    const [span, ...others] = mcpSpans(events, "server");
    expect(others).toHaveLength(0);
    expect(span!.start.parentSpanId).toBe(serverSession.spanId);
    expect(span!.start.sessionId).toBe(serverSession.id);
    expect(events.filter((e) => e.type === EventType.SESSION_START)).toHaveLength(1);
    await serverChaukas.shutdown();
  });

  it("adds only _meta.traceparent and _meta.baggage, on a copy, leaves other requests and prior handlers as they were", async () => {
    const chaukas = chaukasClient(backend, uniqueProject());
    const [clientEnd, serverEnd] = InMemoryTransport.createLinkedPair();
    const received: unknown[] = [];
    serverEnd.onmessage = (message) => received.push(message);
    await serverEnd.start();
    let originalOnclose = 0;
    clientEnd.onclose = () => originalOnclose++;
    const transport = instrumentMcpTransport(clientEnd, chaukas, {
      side: "client",
      serverName: "docs",
    });
    await transport.start();
    const session = chaukas.startSession({ agentId: "planner" });
    const call = {
      jsonrpc: "2.0" as const,
      id: 7,
      method: "tools/call",
      params: {
        name: "search",
        arguments: { q: "refunds" },
        _meta: { progressToken: 3, baggage: "tenant=acme" },
      },
    };
    const list = { jsonrpc: "2.0" as const, id: 8, method: "tools/list", params: {} };
    const original = structuredClone(call);
    await session.run(() => transport.send(call));
    await transport.send(list);
    expect(call).toEqual(original);
    const [sent, listed] = received as (typeof call)[];
    const traceparent = (sent!.params._meta as { traceparent?: string }).traceparent;
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(sent).toEqual({
      ...original,
      params: {
        ...original.params,
        _meta: {
          progressToken: 3,
          traceparent,
          baggage: `tenant=acme,chaukas.session_id=${session.id}`,
        },
      },
    });
    expect(listed).toEqual(list);
    expect(transport.stats()).toMatchObject({ started: 1, pending: 1 });
    await transport.close();
    expect(transport.stats()).toMatchObject({ started: 1, failed: 1, pending: 0 });
    // A handler set on the original transport before start is still called (InMemoryTransport
    // itself calls onclose twice when it closes its peer, so the count is not 1).
    expect(originalOnclose).toBeGreaterThan(0);
    await chaukas.shutdown();
  });

  it("sends no arguments or results with recordInputs and recordOutputs off, only the names", async () => {
    const off = { recordInputs: false, recordOutputs: false };
    const { client, clientChaukas, serverChaukas } = await connectPair({
      client: off,
      server: off,
    });
    const session = clientChaukas.startSession({ agentId: "planner" });
    await session.run(async () => {
      await client.callTool({ name: "search", arguments: { q: "secret-query" } });
      await client.callTool({ name: "reindex", arguments: {} });
      await client.readResource({ uri: "docs://policy" });
      await client.getPrompt({ name: "summarize", arguments: { topic: "secret-topic" } });
    });
    session.end();
    await client.close();
    await flushAll(clientChaukas, serverChaukas);

    const events = await storedTrace(clientChaukas, session.traceId);
    const wire = events.map((e) => toJsonString(EventSchema, e)).join("\n");
    for (const secret of [
      "secret-query",
      "secret-topic",
      "3 hits",
      "30 days",
      "index is offline",
    ]) {
      expect(wire).not.toContain(secret);
    }
    for (const side of ["client", "server"] as const) {
      const spans = mcpSpans(events, side);
      expect(spans.map((s) => s.request)).toEqual([
        { name: "search" },
        { name: "reindex" },
        { uri: "docs://policy" },
        { name: "summarize" },
      ]);
      expect(spans.map((s) => s.response)).toEqual([undefined, undefined, undefined, undefined]);
      expect(spans[1]!.end.metadata).toEqual({
        error: { message: "the tool returned a result with isError: true" },
      });
    }
    await Promise.all([clientChaukas.shutdown(), serverChaukas.shutdown()]);
  });

  it("passes MCP content through the client's beforeSend, so redaction applies", async () => {
    const project = uniqueProject();
    const clientChaukas = chaukasClient(backend, project, {
      beforeSend: (event) => redact(event, ["mcp_call.request.arguments.q"]),
    });
    const [clientEnd, serverEnd] = InMemoryTransport.createLinkedPair();
    await docsServer(clientChaukas).connect(serverEnd);
    const client = new Client({ name: "planner", version: "1.0.0" });
    await client.connect(
      instrumentMcpTransport(clientEnd, clientChaukas, { side: "client", serverName: "docs" }),
    );
    const session = clientChaukas.startSession({ agentId: "planner" });
    await session.run(() =>
      client.callTool({ name: "search", arguments: { q: "jane@example.com" } }),
    );
    session.end();
    await client.close();
    await flushAll(clientChaukas);

    const [span] = mcpSpans(await storedTrace(clientChaukas, session.traceId), "client");
    expect(span!.request).toEqual({ name: "search", arguments: { q: "[REDACTED]" } });
    expect(span!.start.redaction?.fields).toEqual(["mcp_call.request.arguments.q"]);
    await clientChaukas.shutdown();
  });

  it("records content JSON cannot carry leniently; counts a value it cannot read and still records the call", async () => {
    const errors: unknown[] = [];
    const { client, clientChaukas, serverChaukas, clientTransport } = await connectPair({
      client: { onError: (error, step) => errors.push([step, (error as Error).message]) },
    });
    // Valid JSON on the wire, but deeper than a Chaukas Struct field may be (MAX_JSON_DEPTH).
    let deep: unknown = "bottom";
    for (let i = 0; i < 40; i++) deep = { next: deep };
    const session = clientChaukas.startSession({ agentId: "planner" });
    const result = await session.run(() =>
      client.callTool({ name: "echo", arguments: { value: deep } }),
    );
    expect(result.isError).toBeFalsy();
    // In process, a message may hold what JSON never would: here a getter that throws.
    const unreadable = {
      get value(): never {
        throw new Error("not readable");
      },
    };
    await session.run(() =>
      clientTransport.send({
        jsonrpc: "2.0",
        id: 99,
        method: "tools/call",
        params: { name: "echo", arguments: unreadable },
      }),
    );
    session.end();
    await client.close();
    await flushAll(clientChaukas, serverChaukas);

    expect(errors).toEqual([["request content", "not readable"]]);
    expect(clientTransport.stats()).toEqual({
      started: 2,
      completed: 1,
      failed: 1,
      pending: 0,
      errors: 1,
    });
    const [echo, sentRaw] = mcpSpans(await storedTrace(clientChaukas, session.traceId), "client");
    expect(JSON.stringify(echo!.request)).toContain('"[too deep]"');
    expect(echo!.end.status).toBe(EventStatus.COMPLETED);
    expect(sentRaw!.request).toBeUndefined();
    expect(mcpCall(sentRaw!.start).operation).toBe("tools/call");
    await Promise.all([clientChaukas.shutdown(), serverChaukas.shutdown()]);
  });

  it("rejects invalid options at the call, naming the option", () => {
    const [end] = InMemoryTransport.createLinkedPair();
    const chaukas = chaukasClient(backend, uniqueProject());
    expect(() => instrumentMcpTransport(end, chaukas, { side: "client", serverName: "" })).toThrow(
      expect.objectContaining({ name: "ChaukasValidationError", field: "serverName" }),
    );
    expect(() =>
      instrumentMcpTransport(end, chaukas, { side: "both" as "client", serverName: "docs" }),
    ).toThrow(expect.objectContaining({ field: "side" }));
    expect(() =>
      instrumentMcpTransport(end, chaukas, {
        side: "server",
        serverName: "docs",
        trust: "yes" as unknown as boolean,
      }),
    ).toThrow(expect.objectContaining({ field: "trust" }));
  });
});
