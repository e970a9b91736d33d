// Our agent: a small Node HTTP server the chat page calls (`POST /chat`). Each request is
// handled inside the page's session (`continueFromRequest`), and the agent's calls to the
// knowledge base's MCP server carry that session on (`instrumentMcpTransport`, client side).
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChaukasClient, SpanScope } from "@chaukas/client";
import { instrumentMcpTransport } from "@chaukas/mcp";
import { continueFromRequest } from "@chaukas/transport-node";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { planFor } from "./fake-agent.js";

/** Options of `startAgentServer`. */
export interface AgentServerOptions {
  /** The agent's Chaukas client (Node: AsyncLocalStorage keeps the request's scope active). */
  readonly chaukas: ChaukasClient;
  /** The page's origin: the only one CORS lets call the agent. */
  readonly pageOrigin: string;
  /**
   * The bearer token of the pages whose sessions the agent joins. Stands in for your app's
   * user authentication (a session cookie, a login token).
   */
  readonly pageToken: string;
  /** The knowledge base's MCP endpoint. */
  readonly mcpUrl: string;
  /** The token the agent shows the MCP server. */
  readonly mcpToken: string;
  /** Port on 127.0.0.1; 0 picks a free one. Default: 0. */
  readonly port?: number;
}

export interface AgentServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * What the page may send besides a simple request: its JSON body's type, its token, and the
 * trace context `createTracedFetch` adds (without these two, the browser's preflight would
 * refuse the request).
 */
const ALLOWED_HEADERS = ["content-type", "authorization", "traceparent", "baggage"];

export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const { chaukas, pageOrigin, pageToken } = options;
  const mcpTransport = instrumentMcpTransport(
    new StreamableHTTPClientTransport(new URL(options.mcpUrl), {
      requestInit: { headers: { authorization: `Bearer ${options.mcpToken}` } },
    }),
    chaukas,
    { side: "client", serverName: "knowledge-base", serverUrl: options.mcpUrl },
  );
  const mcp = new Client({ name: "support-agent", version: "1.0.0" });
  await mcp.connect(mcpTransport);

  /** The agent's work for one question, under the page's span. */
  async function answer(scope: SpanScope, question: string): Promise<string> {
    const agent = scope.agentStart({ agentId: "support-agent", agentName: "Support agent" });
    try {
      const reply = await agent.run(async () => {
        const model = agent.modelInvocationStart({ provider: "example", model: "canned-1" });
        const plan = planFor(question);
        model.end({
          promptTokens: question.length,
          completionTokens: 12,
          finishReason: "tool" in plan ? "tool_calls" : "stop",
        });
        if (!("tool" in plan)) return plan.answer;
        // Recorded as MCP_CALL_START/END under the agent's span (the active one), and carried
        // to the MCP server in `_meta`.
        const result = await mcp.callTool(plan.tool);
        const [first] = result.content as { type: string; text?: string }[];
        return first?.text ?? "The knowledge base had nothing on that.";
      });
      agent.end();
      return reply;
    } catch (error) {
      agent.fail(error);
      throw error;
    }
  }

  const http = createServer((req, res) => {
    res.setHeader("Access-Control-Allow-Origin", pageOrigin);
    res.setHeader("Vary", "Origin");
    if (req.method === "OPTIONS") {
      res.setHeader("Access-Control-Allow-Methods", "POST");
      res.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS.join(", "));
      res.writeHead(204).end();
      return;
    }
    if (req.method !== "POST" || new URL(req.url ?? "/", "http://x").pathname !== "/chat") {
      res.writeHead(404).end();
      return;
    }
    continueFromRequest(
      chaukas,
      req,
      async (scope) => answer(scope, String((await readJson(req)).question ?? "")),
      {
        // Our own page, authenticated: its events and ours are one session. Anyone else gets
        // a session of the agent's own on their trace (their session id only recorded).
        trust: (request) => request.headers.authorization === `Bearer ${pageToken}`,
      },
    ).then(
      (reply) =>
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ answer: reply })),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    async close() {
      await mcp.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let body = "";
  for await (const chunk of req) body += chunk;
  const value: unknown = JSON.parse(body || "{}");
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}
