import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChaukasClient } from "@chaukas/client";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { instrumentMcpTransport, type McpInstrumentationOptions } from "@chaukas/mcp";
import { EventStatus, EventType } from "@chaukas/spec/common/v1";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
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

/**
 * An MCP server over streamable HTTP on 127.0.0.1 (stateful: one transport per MCP session),
 * every transport instrumented on the server side.
 */
async function startMcpHttpServer(
  chaukas: ChaukasClient,
  trust?: McpInstrumentationOptions["trust"],
) {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const instrumented: ReturnType<typeof instrumentMcpTransport>[] = [];
  let url = "";
  const http: Server = createServer(async (req, res) => {
    const sessionId = req.headers["mcp-session-id"];
    let transport = typeof sessionId === "string" ? transports.get(sessionId) : undefined;
    if (transport === undefined) {
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          transports.set(id, created);
        },
      });
      const wrapped = instrumentMcpTransport(created, chaukas, {
        side: "server",
        serverName: "docs",
        serverUrl: url,
        ...(trust === undefined ? {} : { trust }),
      });
      instrumented.push(wrapped);
      await docsServer(chaukas).connect(wrapped);
      transport = created;
    }
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  return {
    url,
    instrumented,
    async close() {
      await Promise.all([...transports.values()].map((t) => t.close()));
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

describe("instrumentMcpTransport over streamable HTTP on loopback", () => {
  it("shares one trace across client and server, records a tool error and a call cut off at close", async () => {
    const project = uniqueProject();
    const clientChaukas = chaukasClient(backend, project);
    const serverChaukas = chaukasClient(backend, project);
    const mcpServer = await startMcpHttpServer(serverChaukas);
    const clientTransport = instrumentMcpTransport(
      new StreamableHTTPClientTransport(new URL(mcpServer.url)),
      clientChaukas,
      { side: "client", serverName: "docs", serverUrl: mcpServer.url },
    );
    const client = new Client({ name: "planner", version: "1.0.0" });
    await client.connect(clientTransport);
    const mcpSessionId = clientTransport.sessionId;
    expect(mcpSessionId).toMatch(/^[0-9a-f-]{36}$/);

    const session = clientChaukas.startSession({ agentId: "planner" });
    const { search, reindex, slow } = await session.run(async () => ({
      search: await client.callTool({ name: "search", arguments: { q: "refunds" } }),
      reindex: await client.callTool({ name: "reindex", arguments: {} }),
      slow: client.callTool({ name: "slow", arguments: {} }).catch((e: Error) => e),
    }));
    expect(search.content).toEqual([{ type: "text", text: "3 hits for refunds" }]);
    expect(reindex.isError).toBe(true);
    const [serverTransport] = mcpServer.instrumented;
    await eventually(() => serverTransport!.stats().pending === 1);
    // The client gives up first; the server's transport closes when the server shuts down.
    await client.close();
    expect(await slow).toBeInstanceOf(Error);
    await mcpServer.close();
    session.end();
    for (const c of [clientChaukas, serverChaukas]) {
      expect(await c.flush()).toEqual({ completed: true, pending: 0 });
    }

    const events = await storedTrace(clientChaukas, session.traceId);
    expect(new Set(events.map((e) => e.traceId))).toEqual(new Set([session.traceId]));
    const clientSpans = mcpSpans(events, "client");
    const serverSpans = mcpSpans(events, "server");
    expect(clientSpans).toHaveLength(3);
    expect(serverSpans).toHaveLength(3);
    // One server session (the caller is not trusted) for the three calls of one caller session.
    const serverSessions = events.filter(
      (e) => e.type === EventType.SESSION_START && e.sessionId !== session.id,
    );
    expect(serverSessions.map((e) => e.parentSpanId)).toEqual([clientSpans[0]!.start.spanId]);
    for (const [i, client] of clientSpans.entries()) {
      const server = serverSpans[i]!;
      expect(server.start.parentSpanId).toBe(client.start.spanId);
      expect(server.start.sessionId).toBe(serverSessions[0]!.sessionId);
      expect(server.request).toEqual(client.request);
      for (const { start } of [client, server]) {
        expect(mcpCall(start)).toMatchObject({ serverName: "docs", serverUrl: mcpServer.url });
        expect(mcpCall(start).protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(start.metadata?.mcp_session_id).toBe(mcpSessionId);
      }
    }
    const [search_, reindex_, slow_] = [0, 1, 2].map((i) => [clientSpans[i]!, serverSpans[i]!]);
    for (const span of search_!) {
      expect(span.end.status).toBe(EventStatus.COMPLETED);
      expect(span.response).toEqual({ content: [{ type: "text", text: "3 hits for refunds" }] });
    }
    for (const span of reindex_!) {
      expect(span.end.status).toBe(EventStatus.FAILED);
      expect(span.end.metadata).toEqual({ error: { message: "index is offline" } });
    }
    for (const span of slow_!) {
      expect(span.end.status).toBe(EventStatus.FAILED);
      expect(span.end.metadata).toEqual({
        error: { message: "the MCP transport closed before the response arrived", code: "-32000" },
      });
    }
    expect(clientTransport.stats()).toEqual({
      started: 3,
      completed: 1,
      failed: 2,
      pending: 0,
      errors: 0,
    });
    expect(serverTransport!.stats()).toEqual(clientTransport.stats());
    await Promise.all([clientChaukas.shutdown(), serverChaukas.shutdown()]);
  });

  it("trusts the callers a predicate over the HTTP request accepts, and only those", async () => {
    const project = uniqueProject();
    const clientChaukas = chaukasClient(backend, project);
    const serverChaukas = chaukasClient(backend, project);
    const mcpServer = await startMcpHttpServer(
      serverChaukas,
      (extra) => extra?.requestInfo?.headers.authorization === "Bearer our-agent",
    );
    const connect = async (authorization: string) => {
      const client = new Client({ name: "planner", version: "1.0.0" });
      await client.connect(
        instrumentMcpTransport(
          new StreamableHTTPClientTransport(new URL(mcpServer.url), {
            requestInit: { headers: { authorization } },
          }),
          clientChaukas,
          { side: "client", serverName: "docs" },
        ),
      );
      return client;
    };
    const ours = await connect("Bearer our-agent");
    const theirs = await connect("Bearer someone-else");
    const session = clientChaukas.startSession({ agentId: "planner" });
    await session.run(async () => {
      await ours.callTool({ name: "search", arguments: { q: "trusted" } });
      await theirs.callTool({ name: "search", arguments: { q: "untrusted" } });
    });
    session.end();
    await Promise.all([ours.close(), theirs.close()]);
    await mcpServer.close();
    for (const c of [clientChaukas, serverChaukas]) {
      expect(await c.flush()).toEqual({ completed: true, pending: 0 });
    }

    const events = await storedTrace(clientChaukas, session.traceId);
    const [trusted, untrusted] = mcpSpans(events, "server");
    expect(trusted!.request).toEqual({ name: "search", arguments: { q: "trusted" } });
    expect(trusted!.start.sessionId).toBe(session.id);
    expect(untrusted!.start.sessionId).not.toBe(session.id);
    const starts = events.filter((e) => e.type === EventType.SESSION_START);
    expect(starts.map((e) => e.sessionId)).toEqual([session.id, untrusted!.start.sessionId]);
    await Promise.all([clientChaukas.shutdown(), serverChaukas.shutdown()]);
  });

  it("ends a call as failed when the transport cannot send it (the server is gone)", async () => {
    const project = uniqueProject();
    const clientChaukas = chaukasClient(backend, project);
    const serverChaukas = chaukasClient(backend, project);
    const mcpServer = await startMcpHttpServer(serverChaukas);
    const clientTransport = instrumentMcpTransport(
      new StreamableHTTPClientTransport(new URL(mcpServer.url)),
      clientChaukas,
      { side: "client", serverName: "docs" },
    );
    const client = new Client({ name: "planner", version: "1.0.0" });
    await client.connect(clientTransport);
    await mcpServer.close();

    const session = clientChaukas.startSession({ agentId: "planner" });
    const call = session.run(() => client.callTool({ name: "search", arguments: { q: "x" } }));
    await expect(call).rejects.toThrow();
    session.end();
    await client.close();
    expect(await clientChaukas.flush()).toEqual({ completed: true, pending: 0 });

    const [span] = mcpSpans(await storedTrace(clientChaukas, session.traceId), "client");
    expect(span!.end.status).toBe(EventStatus.FAILED);
    const error = span!.end.metadata?.error as { message: string };
    expect(error.message).toMatch(/^the MCP transport failed to send the request: /);
    expect(clientTransport.stats()).toEqual({
      started: 1,
      completed: 0,
      failed: 1,
      pending: 0,
      errors: 0,
    });
    await Promise.all([clientChaukas.shutdown(), serverChaukas.shutdown()]);
  });
});
