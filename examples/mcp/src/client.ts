// An agent that uses the MCP server in ./server.ts over stdio, both sides instrumented, and
// prints the one trace both processes recorded. Starts the local Chaukas backend unless
// `--endpoint URL` names another one.
//
//   pnpm --filter @chaukas/example-mcp start [-- --endpoint URL]
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { ChaukasClient } from "@chaukas/client";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { instrumentMcpTransport } from "@chaukas/mcp";
import { type Event, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { createChaukasNodeClient } from "@chaukas/transport-node";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  getDefaultEnvironment,
  StdioClientTransport,
} from "@modelcontextprotocol/sdk/client/stdio.js";

const { values: args } = parseArgs({ options: { endpoint: { type: "string" } } });
const TENANT = "acme";
const PROJECT = `mcp-example-${Date.now()}`;

let devServer: DevServer | undefined;
if (args.endpoint === undefined) {
  devServer = await startDevServer({ port: 0 });
  console.log(`local Chaukas backend on ${devServer.url}`);
}
const endpoint = args.endpoint ?? devServer!.url;
const chaukas = createChaukasNodeClient({
  baseUrl: endpoint,
  tenantId: TENANT,
  projectId: PROJECT,
});

// The server runs as a child process with the same loader as this script (tsx), configured
// for Chaukas by environment variables, as an MCP host would configure it.
const transport = instrumentMcpTransport(
  new StdioClientTransport({
    command: process.execPath,
    args: [...process.execArgv, fileURLToPath(new URL("./server.ts", import.meta.url))],
    env: {
      ...getDefaultEnvironment(),
      ...(process.env.TSX_TSCONFIG_PATH
        ? { TSX_TSCONFIG_PATH: process.env.TSX_TSCONFIG_PATH }
        : {}),
      CHAUKAS_ENDPOINT: endpoint,
      CHAUKAS_TENANT_ID: TENANT,
      CHAUKAS_PROJECT_ID: PROJECT,
    },
  }),
  chaukas,
  { side: "client", serverName: "policy-docs" },
);
const client = new Client({ name: "support-agent", version: "1.0.0" });
await client.connect(transport);

const session = chaukas.startSession({ agentId: "support-agent", agentName: "Support Agent" });
await session.run(async () => {
  const search = await client.callTool({ name: "search_policies", arguments: { q: "30 days" } });
  console.log(`search_policies → ${JSON.stringify(search.content)}`);
  const policy = await client.readResource({ uri: "policy://refunds" });
  const [refunds] = policy.contents;
  console.log(`policy://refunds → ${JSON.stringify(refunds && "text" in refunds && refunds.text)}`);
  const ticket = await client.callTool({ name: "open_ticket", arguments: { summary: "refund" } });
  console.log(`open_ticket → isError: ${ticket.isError === true}`);
});
session.end();
// Closing stdin stops the server, which delivers its events before it exits.
await client.close();
await chaukas.flush();

printTrace(await readTrace(chaukas, session.traceId));
const stats = transport.stats();
console.log(
  `client side: ${stats.started} calls, ${stats.completed} completed, ${stats.failed} failed, ${stats.errors} adapter errors`,
);
await chaukas.shutdown();
await devServer?.close();

async function readTrace(chaukas: ChaukasClient, traceId: string): Promise<Event[]> {
  const events: Event[] = [];
  for await (const event of chaukas.query({ traceId }, { order: "asc" })) events.push(event);
  return events;
}

/** The trace as a tree by parent span; a span's START and END share a line. */
function printTrace(events: Event[]): void {
  const ends = new Map(
    events
      .filter((e) => e.type === EventType.SESSION_END || e.type === EventType.MCP_CALL_END)
      .map((e) => [e.spanId, e]),
  );
  const firsts = events.filter((e) => ends.get(e.spanId) !== e);
  const spanIds = new Set(firsts.map((e) => e.spanId));
  const t0 = events[0] ? timestampMs(events[0].timestamp!) : 0;
  const sessions = new Set(events.map((e) => e.sessionId)).size;
  console.log(
    `\none trace ${events[0]?.traceId}, ${sessions} session(s): ${events.length} events from two processes`,
  );
  const print = (event: Event, depth: number) => {
    const end = ends.get(event.spanId);
    const at = `+${timestampMs(event.timestamp!) - t0} ms`.padStart(8);
    console.log(`${at}  ${"  ".repeat(depth)}${describe(event, end)}`);
    for (const child of firsts.filter((e) => e.parentSpanId === event.spanId)) {
      print(child, depth + 1);
    }
  };
  for (const root of firsts.filter((e) => !spanIds.has(e.parentSpanId))) print(root, 0);
}

function describe(event: Event, end: Event | undefined): string {
  const name = EventType[event.type];
  const outcome = end === undefined ? "" : end.status === EventStatus.FAILED ? " ✗" : " ✓";
  if (event.content.case === "mcpCall") {
    const call = event.content.value;
    const target = call.request?.name ?? call.request?.uri ?? "";
    const error = end?.metadata?.error as { message?: string } | undefined;
    return `${name}${outcome} [${String(event.metadata?.side)}] ${call.serverName} ${call.operation} ${String(target)}${error ? ` (${error.message})` : ""}`;
  }
  if (event.content.case === "dataAccess") {
    return `${name} ${event.content.value.datasource} ${event.content.value.documentIds.join(",")}`;
  }
  return `${name}${outcome} ${event.agentName}`;
}
