// `pnpm --filter @chaukas/example-browser-ui start` (after `pnpm build`): the whole story on
// loopback. A local Chaukas backend (with its trace viewer), the knowledge base's MCP server,
// our Node agent, and a static server for the chat page, each on its own port, so the page
// calls the agent cross-origin as a real deployment would. Prints the chat's URL.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { ChaukasClient } from "@chaukas/client";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { createChaukasNodeClient } from "@chaukas/transport-node";
import { build, type Plugin } from "esbuild";
import { startAgentServer } from "./src/agent-server.js";
import type { ExampleConfig } from "./src/example-config.js";
import { startKnowledgeBaseServer } from "./src/knowledge-base-server.js";

/** Options of `startBrowserExample()`. */
export interface BrowserExampleOptions {
  /** Port of the page's static server; 0 picks a free one. Default `5173`. */
  readonly port?: number;
  /** Port of our agent; 0 picks a free one. Default `5174`. */
  readonly agentPort?: number;
  /** Port of the knowledge base's MCP server; 0 picks a free one. Default `5175`. */
  readonly mcpPort?: number;
  /** Port of the local backend; 0 picks a free one. Default `50051`. */
  readonly backendPort?: number;
  /** Extra esbuild plugins for the page bundle (tests resolve the SDK from sources). Default: none. */
  readonly plugins?: readonly Plugin[];
}

export const BROWSER_EXAMPLE_DEFAULTS = {
  port: 5173,
  agentPort: 5174,
  mcpPort: 5175,
  backendPort: 50051,
} as const;

/** Where every event of the example goes: one tenant and project, so one session spans all three. */
const TENANT_ID = "acme";
const PROJECT_ID = "browser-chat";

export interface BrowserExample {
  /** The chat page. */
  readonly url: string;
  /** Our agent (`POST /chat`). */
  readonly agentUrl: string;
  readonly backend: DevServer;
  /** Delivers what the agent and the MCP server have recorded so far. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function startBrowserExample(
  options: BrowserExampleOptions = {},
): Promise<BrowserExample> {
  const backend = await startDevServer({
    port: options.backendPort ?? BROWSER_EXAMPLE_DEFAULTS.backendPort,
  });
  // The agent and the MCP server are separate services with their own Chaukas clients; they
  // share this process only to keep the example one command.
  const nodeClient = (): ChaukasClient =>
    createChaukasNodeClient({ baseUrl: backend.url, tenantId: TENANT_ID, projectId: PROJECT_ID });
  const agentChaukas = nodeClient();
  const mcpChaukas = nodeClient();
  const mcpToken = randomUUID();
  const pageToken = randomUUID();

  const knowledgeBase = await startKnowledgeBaseServer({
    chaukas: mcpChaukas,
    trustedToken: mcpToken,
    port: options.mcpPort ?? BROWSER_EXAMPLE_DEFAULTS.mcpPort,
  });
  const page = await startPageServer(options.port ?? BROWSER_EXAMPLE_DEFAULTS.port);
  const agent = await startAgentServer({
    chaukas: agentChaukas,
    pageOrigin: new URL(page.url).origin,
    pageToken,
    mcpUrl: knowledgeBase.url,
    mcpToken,
    port: options.agentPort ?? BROWSER_EXAMPLE_DEFAULTS.agentPort,
  });
  await page.serve(
    {
      backendUrl: backend.url,
      agentUrl: agent.url,
      agentToken: pageToken,
      tenantId: TENANT_ID,
      projectId: PROJECT_ID,
    },
    options.plugins ?? [],
  );

  return {
    url: page.url,
    agentUrl: agent.url,
    backend,
    async flush() {
      await Promise.all([agentChaukas.flush(), mcpChaukas.flush()]);
    },
    close: async () => {
      await agent.close();
      await knowledgeBase.close();
      await Promise.all([agentChaukas.shutdown(), mcpChaukas.shutdown()]);
      await page.close();
      await backend.close();
    },
  };
}

/**
 * The static server of the chat page. It listens first (the agent needs the page's origin for
 * CORS) and serves the page once `serve` has built it with the other servers' URLs.
 */
async function startPageServer(port: number) {
  const html = readFileSync(new URL("./src/index.html", import.meta.url), "utf8");
  let app: string | undefined;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/") res.writeHead(200, { "content-type": "text/html" }).end(html);
    else if (path === "/app.js" && app !== undefined) {
      res.writeHead(200, { "content-type": "text/javascript" }).end(app);
    } else res.writeHead(404).end("not found");
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async serve(config: ExampleConfig, plugins: readonly Plugin[]) {
      const bundle = await build({
        entryPoints: [fileURLToPath(new URL("./src/app.ts", import.meta.url))],
        bundle: true,
        minify: true,
        format: "esm",
        platform: "browser",
        target: "es2022",
        write: false,
        logLevel: "silent",
        plugins: [...plugins],
      });
      app = `globalThis.CHAUKAS_EXAMPLE = ${JSON.stringify(config)};\n${bundle.outputFiles[0]?.text ?? ""}`;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const example = await startBrowserExample();
  console.log(`Chaukas backend and trace viewer: ${example.backend.viewerUrl}`);
  console.log(`Our agent:                        ${example.agentUrl}/chat`);
  console.log(`Open the chat:                    ${example.url}`);
  process.once("SIGINT", () => void example.close().then(() => process.exit(0)));
}
