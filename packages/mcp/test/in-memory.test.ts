import { toJsonString } from "@bufbuild/protobuf";
import { type ChaukasClient, formatTraceparent } from "@chaukas/client";
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
  it("records each call on both sides in one trace, with names, arguments, results and errors", async () => {
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
    for (const [i, { start, end }] of clientSpans.entries()) {
      expect(start.parentSpanId).toBe(session.spanId);
      expect(start.traceId).toBe(session.traceId);
      expect(mcpCall(start).serverName).toBe("docs");
      expect(mcpCall(start).protocolVersion).not.toBe("");
      expect(mcpCall(end).executionTimeMs).toBeGreaterThan(0);
      // The server continued the caller's trace: a session whose parent is the client's span.
      const server = serverSpans[i]!;
      const serverSession = events.find(
        (e) => e.type === EventType.SESSION_START && e.spanId === server.start.parentSpanId,
      );
      expect(serverSession?.parentSpanId).toBe(start.spanId);
      expect(server.start.traceId).toBe(session.traceId);
      expect(mcpCall(server.start).operation).toBe(mcpCall(start).operation);
      expect(server.end.status).toBe(end.status);
    }
    // The tool saw the client span's traceparent in _meta, and its own arguments unchanged.
    expect(seenMeta[0]).toEqual({
      arguments: { q: "refunds" },
      meta: { traceparent: formatTraceparent(clientSpans[0]!.start) },
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

  it("adds only _meta.traceparent, on a copy, leaves other requests and prior handlers as they were", async () => {
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
    const call = {
      jsonrpc: "2.0" as const,
      id: 7,
      method: "tools/call",
      params: { name: "search", arguments: { q: "refunds" }, _meta: { progressToken: 3 } },
    };
    const list = { jsonrpc: "2.0" as const, id: 8, method: "tools/list", params: {} };
    const original = structuredClone(call);
    await transport.send(call);
    await transport.send(list);
    expect(call).toEqual(original);
    const [sent, listed] = received as (typeof call)[];
    const traceparent = (sent!.params._meta as { traceparent?: string }).traceparent;
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(sent).toEqual({
      ...original,
      params: { ...original.params, _meta: { progressToken: 3, traceparent } },
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

  it("counts content the client refuses, still records the call and never disturbs it", async () => {
    const errors: unknown[] = [];
    const { client, clientChaukas, serverChaukas, clientTransport } = await connectPair({
      client: { onError: (error) => errors.push(error) },
    });
    // Valid JSON on the wire, but deeper than a Chaukas Struct field may be (MAX_JSON_DEPTH).
    let deep: unknown = "bottom";
    for (let i = 0; i < 40; i++) deep = { next: deep };
    const session = clientChaukas.startSession({ agentId: "planner" });
    const result = await session.run(() =>
      client.callTool({ name: "echo", arguments: { value: deep } }),
    );
    expect(result.isError).toBeFalsy();
    session.end();
    await client.close();
    await flushAll(clientChaukas, serverChaukas);

    expect(clientTransport.stats()).toEqual({
      started: 1,
      completed: 1,
      failed: 0,
      pending: 0,
      errors: 1,
    });
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).name).toBe("ChaukasValidationError");
    const [span] = mcpSpans(await storedTrace(clientChaukas, session.traceId), "client");
    expect(span!.request).toBeUndefined();
    expect(span!.end.status).toBe(EventStatus.COMPLETED);
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
  });
});
