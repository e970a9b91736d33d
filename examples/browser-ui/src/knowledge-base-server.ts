// The MCP server the agent uses: a knowledge base over streamable HTTP, with its own Chaukas
// client. Its transport is instrumented on the server side and trusts the agent (it shows
// the agent's service token), so each call it serves joins the caller's session, under the
// agent's MCP call.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChaukasClient } from "@chaukas/client";
import { instrumentMcpTransport } from "@chaukas/mcp";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

const ARTICLES: Readonly<Record<string, string>> = {
  refunds: "Refunds are issued within 5 business days of the return arriving.",
  shipping: "Orders placed before noon ship the same day.",
};

/** Options of `startKnowledgeBaseServer`. */
export interface KnowledgeBaseServerOptions {
  /** The server's Chaukas client (its own, as a separate service would have). */
  readonly chaukas: ChaukasClient;
  /**
   * The bearer token of the callers whose sessions the server joins. Stands in for how your
   * services authenticate each other.
   */
  readonly trustedToken: string;
  /** Port on 127.0.0.1; 0 picks a free one. Default: 0. */
  readonly port?: number;
}

export interface KnowledgeBaseServer {
  /** The MCP endpoint (streamable HTTP). */
  readonly url: string;
  close(): Promise<void>;
}

function knowledgeBase(chaukas: ChaukasClient): McpServer {
  const server = new McpServer({ name: "knowledge-base", version: "1.0.0" });
  server.registerTool(
    "search_kb",
    { description: "Finds the help article on a topic", inputSchema: { topic: z.string() } },
    async ({ topic }) => {
      const article = ARTICLES[topic];
      // Runs inside the server's MCP call span: this event nests under it, in the caller's session.
      chaukas.dataAccess({ datasource: "kb://articles", documentIds: article ? [topic] : [] });
      return { content: [{ type: "text", text: article ?? `No article on ${topic}.` }] };
    },
  );
  server.registerTool(
    "lookup_order",
    { description: "Looks up an order's status", inputSchema: { orderId: z.string() } },
    async ({ orderId }) => ({
      content: [{ type: "text", text: `Order ${orderId} ships tomorrow.` }],
    }),
  );
  return server;
}

/** Starts the knowledge base on 127.0.0.1: one MCP session (and transport) per client. */
export async function startKnowledgeBaseServer(
  options: KnowledgeBaseServerOptions,
): Promise<KnowledgeBaseServer> {
  const { chaukas, trustedToken } = options;
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer(async (req, res) => {
    const sessionId = req.headers["mcp-session-id"];
    let transport = typeof sessionId === "string" ? transports.get(sessionId) : undefined;
    if (transport === undefined) {
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          transports.set(id, created);
        },
      });
      created.onclose = () => {
        if (created.sessionId !== undefined) transports.delete(created.sessionId);
      };
      await knowledgeBase(chaukas).connect(
        instrumentMcpTransport(created, chaukas, {
          side: "server",
          serverName: "knowledge-base",
          serverUrl: url,
          // Only callers showing the token join the session they name; others get a session
          // of this server's own on their trace.
          trust: (extra) => extra?.requestInfo?.headers.authorization === `Bearer ${trustedToken}`,
        }),
      );
      transport = created;
    }
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  return {
    url,
    async close() {
      await Promise.all([...transports.values()].map((transport) => transport.close()));
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
