import {
  type ChaukasClient,
  type ChaukasClientOptions,
  createChaukasClient,
} from "@chaukas/client";
import type { DevServer } from "@chaukas/devserver";
import { type Event, EventType, type MCPCall } from "@chaukas/spec/common/v1";
import {
  createAsyncLocalStorageContextManager,
  createNodeTransport,
} from "@chaukas/transport-node";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

/** A Chaukas client sending over gRPC to the local backend, one per side of the connection. */
export function chaukasClient(
  server: DevServer,
  projectId: string,
  options: Partial<ChaukasClientOptions> = {},
): ChaukasClient {
  return createChaukasClient({
    transport: createNodeTransport({ baseUrl: server.url }),
    tenantId: "acme",
    projectId,
    flushIntervalMs: 20,
    contextManager: createAsyncLocalStorageContextManager(),
    ...options,
  });
}

export function uniqueProject(): string {
  return `mcp-${Math.random().toString(36).slice(2)}`;
}

/** Never settles: a tool that is still working when the connection closes. */
const never = new Promise<never>(() => {});

/**
 * The MCP server of the tests: a search tool (which emits a DATA_ACCESS event of its own on
 * `chaukas`, to show where handler events land), a tool that throws, one that never answers,
 * one taking any JSON, a resource and a prompt.
 */
export function docsServer(chaukas: ChaukasClient, seenMeta: unknown[] = []): McpServer {
  const server = new McpServer({ name: "docs", version: "1.0.0" });
  server.registerTool(
    "search",
    { description: "Searches the docs", inputSchema: { q: z.string() } },
    async ({ q }, extra) => {
      seenMeta.push({ arguments: { q }, meta: extra._meta });
      chaukas.dataAccess({ datasource: "index://docs", documentIds: ["refunds.md"] });
      return { content: [{ type: "text", text: `3 hits for ${q}` }] };
    },
  );
  server.registerTool("reindex", { description: "Rebuilds the index" }, async () => {
    throw new Error("index is offline");
  });
  server.registerTool("slow", { description: "Never finishes" }, () => never);
  server.registerTool(
    "echo",
    { description: "Returns its input", inputSchema: { value: z.any() } },
    async ({ value }) => ({
      content: [{ type: "text", text: JSON.stringify(value).slice(0, 20) }],
    }),
  );
  server.registerResource("policy", "docs://policy", { mimeType: "text/plain" }, async (uri) => ({
    contents: [{ uri: uri.href, text: "Refunds within 30 days." }],
  }));
  server.registerPrompt(
    "summarize",
    { description: "Summarizes a topic", argsSchema: { topic: z.string() } },
    ({ topic }) => ({
      messages: [{ role: "user", content: { type: "text", text: `Summarize ${topic}` } }],
    }),
  );
  return server;
}

/** Every event of a trace, as the backend stored it, in emission order. */
export async function storedTrace(chaukas: ChaukasClient, traceId: string): Promise<Event[]> {
  const events: Event[] = [];
  for await (const event of chaukas.query({ traceId }, { order: "asc" })) events.push(event);
  return events;
}

export function mcpCall(event: Event): MCPCall {
  if (event.content.case !== "mcpCall") {
    throw new Error(`${EventType[event.type]} has no mcp_call content`);
  }
  return event.content.value;
}

/** The MCP_CALL_START/END pairs recorded by one side, by the span they share. */
export function mcpSpans(events: Event[], side: "client" | "server") {
  const starts = events.filter(
    (e) => e.type === EventType.MCP_CALL_START && e.metadata?.side === side,
  );
  return starts.map((start) => {
    const end = events.find((e) => e.type === EventType.MCP_CALL_END && e.spanId === start.spanId);
    if (end === undefined) throw new Error(`no MCP_CALL_END for span ${start.spanId}`);
    return { start, end, request: mcpCall(start).request, response: mcpCall(end).response };
  });
}

/** Polls until `check` holds (the SDK answers on its own schedule); fails after 5 s. */
export async function eventually(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met within 5 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
