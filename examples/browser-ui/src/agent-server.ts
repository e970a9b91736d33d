// Our app's server: it serves the chat page, answers `POST /chat` with the agent, and mounts the
// Chaukas relay at `/chaukas`, all on one origin. The page's events go to the relay, which
// forwards them through the agent's own Chaukas client: the page holds no key and sends nothing
// to a third-party host. Each chat request is handled inside the page's session
// (`continueFromRequest`), and the agent's calls to the knowledge base's MCP server carry that
// session on (`instrumentMcpTransport`, client side).
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChaukasClient, SpanScope } from "@chaukas/client";
import { instrumentMcpTransport } from "@chaukas/mcp";
import { continueFromRequest, createChaukasRelay } from "@chaukas/transport-node";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { planFor } from "./fake-agent.js";

/** Options of `startAgentServer`. */
export interface AgentServerOptions {
  /** The agent's Chaukas client (Node: AsyncLocalStorage keeps the request's scope active). */
  readonly chaukas: ChaukasClient;
  /** Where the page's events go: the tenant and project the relay sets on each of them. */
  readonly tenantId: string;
  readonly projectId: string;
  /** The chat page's HTML; `{{CHAUKAS_SESSION}}` is replaced by the visitor's session id. */
  readonly html: string;
  /** The page's script (`/app.js`), once built. */
  readonly script: () => string | undefined;
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

/** The cookie that stands in for your app's login session. */
const SESSION_COOKIE = "sid";

export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const { chaukas, tenantId, projectId } = options;
  /**
   * Your app's sessions: the cookie each visitor got, and the one Chaukas session that
   * visitor's page records into (the server picks it, so a page cannot claim another's).
   */
  const visitors = new Map<string, string>();
  const sessionOf = (req: IncomingMessage) => {
    const sid = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(req.headers.cookie ?? "");
    return sid?.[1] === undefined ? undefined : visitors.get(sid[1]);
  };

  // The page's Chaukas traffic: tenant and project are ours to set, and a visitor writes (and
  // queries, for the page's event panel) only its own session.
  const relay = createChaukasRelay(chaukas, {
    authorize: (req) => {
      const sessionId = sessionOf(req);
      if (sessionId === undefined) return null;
      return { tenantId, projectId, sessionIds: [sessionId], callerId: sessionId };
    },
    query: true,
  });

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
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path.startsWith("/chaukas/")) {
      void relay(req, res);
      return;
    }
    if (req.method === "GET" && path === "/") {
      const sid = randomUUID();
      const sessionId = randomUUID();
      visitors.set(sid, sessionId);
      res
        .writeHead(200, {
          "content-type": "text/html",
          "set-cookie": `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Strict`,
        })
        .end(options.html.replace("{{CHAUKAS_SESSION}}", sessionId));
      return;
    }
    const script = options.script();
    if (req.method === "GET" && path === "/app.js" && script !== undefined) {
      res.writeHead(200, { "content-type": "text/javascript" }).end(script);
      return;
    }
    if (req.method !== "POST" || path !== "/chat") {
      res.writeHead(404).end();
      return;
    }
    continueFromRequest(
      chaukas,
      req,
      async (scope) => answer(scope, String((await readJson(req)).question ?? "")),
      {
        // A signed-in visitor asking about its own session: its page's events and ours are
        // one session. Anyone else gets a session of the agent's own on their trace (their
        // session id only recorded).
        trust: (request, remote) =>
          remote.sessionId !== undefined && remote.sessionId === sessionOf(request),
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
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/`,
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
