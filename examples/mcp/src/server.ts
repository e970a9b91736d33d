// An MCP server over stdio, as an MCP host (a desktop app, an IDE, the client next to this
// file) launches it. Its Chaukas client is configured by CHAUKAS_* environment variables; its
// transport is instrumented on the server side, so each call it serves continues the caller's
// trace and session. stdout belongs to the MCP protocol: nothing else may be printed there.
import { instrumentMcpTransport } from "@chaukas/mcp";
import { createChaukasClientFromEnv } from "@chaukas/transport-node";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const POLICIES: Readonly<Record<string, string>> = {
  refunds: "Refunds are accepted within 30 days of delivery.",
  shipping: "Orders ship within 2 business days.",
};

const chaukas = createChaukasClientFromEnv();
const server = new McpServer({ name: "policy-docs", version: "1.0.0" });

server.registerTool(
  "search_policies",
  { description: "Names the policies mentioning a phrase", inputSchema: { q: z.string() } },
  async ({ q }) => {
    const hits = Object.keys(POLICIES).filter((name) => POLICIES[name]?.includes(q));
    // Runs inside the call's span: this event nests under the server's MCP_CALL_START.
    chaukas.dataAccess({ datasource: "memory://policies", documentIds: hits });
    return { content: [{ type: "text", text: hits.join(", ") || "no match" }] };
  },
);

server.registerTool(
  "open_ticket",
  { description: "Opens a support ticket", inputSchema: { summary: z.string() } },
  async () => {
    throw new Error("the ticket system is down for maintenance");
  },
);

server.registerResource(
  "refund-policy",
  "policy://refunds",
  { mimeType: "text/plain" },
  async (uri) => ({ contents: [{ uri: uri.href, text: POLICIES.refunds ?? "" }] }),
);

const transport = instrumentMcpTransport(new StdioServerTransport(), chaukas, {
  side: "server",
  serverName: "policy-docs",
  // Over stdio the only caller is the host that launched this process: its calls may join the
  // host's session. A server reachable over the network decides per request (a predicate).
  trust: true,
});
await server.connect(transport);

// The host closes stdin to stop the server: deliver what was recorded, then exit.
process.stdin.on("end", async () => {
  await server.close();
  await chaukas.shutdown();
  process.exit(0);
});
