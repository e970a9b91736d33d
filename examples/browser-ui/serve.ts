// `pnpm --filter @chaukas/example-browser-ui start` (after `pnpm build`): the whole story on
// loopback. A local Chaukas backend (with its trace viewer), the knowledge base's MCP server,
// and our app's server, each on its own port. Our app's server serves the chat page, answers
// `/chat` with the agent and relays the page's events at `/chaukas`: one origin, as a real
// deployment would have it. Prints the chat's URL.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
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
  /** Port of our app's server (the page, the agent, the relay); 0 picks a free one. Default `5173`. */
  readonly port?: number;
  /** Port of the knowledge base's MCP server; 0 picks a free one. Default `5175`. */
  readonly mcpPort?: number;
  /** Port of the local backend; 0 picks a free one. Default `50051`. */
  readonly backendPort?: number;
  /** Extra esbuild plugins for the page bundle (tests resolve the SDK from sources). Default: none. */
  readonly plugins?: readonly Plugin[];
}

export const BROWSER_EXAMPLE_DEFAULTS = {
  port: 5173,
  mcpPort: 5175,
  backendPort: 50051,
} as const;

/** Where every event of the example goes: one tenant and project, so one session spans all three. */
const TENANT_ID = "acme";
const PROJECT_ID = "browser-chat";

export interface BrowserExample {
  /** The chat page, on our app's server (with `POST /chat` and the relay at `/chaukas`). */
  readonly url: string;
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

  const knowledgeBase = await startKnowledgeBaseServer({
    chaukas: mcpChaukas,
    trustedToken: mcpToken,
    port: options.mcpPort ?? BROWSER_EXAMPLE_DEFAULTS.mcpPort,
  });
  let script: string | undefined;
  const app = await startAgentServer({
    chaukas: agentChaukas,
    tenantId: TENANT_ID,
    projectId: PROJECT_ID,
    html: readFileSync(new URL("./src/index.html", import.meta.url), "utf8"),
    script: () => script,
    mcpUrl: knowledgeBase.url,
    mcpToken,
    port: options.port ?? BROWSER_EXAMPLE_DEFAULTS.port,
  });
  script = await buildPage({ viewerUrl: backend.viewerUrl }, options.plugins ?? []);

  return {
    url: app.url,
    backend,
    async flush() {
      await Promise.all([agentChaukas.flush(), mcpChaukas.flush()]);
    },
    close: async () => {
      await app.close();
      await knowledgeBase.close();
      await Promise.all([agentChaukas.shutdown(), mcpChaukas.shutdown()]);
      await backend.close();
    },
  };
}

/** The chat page's script, bundled for the browser, with what it needs to know. */
async function buildPage(config: ExampleConfig, plugins: readonly Plugin[]): Promise<string> {
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
  return `globalThis.CHAUKAS_EXAMPLE = ${JSON.stringify(config)};\n${bundle.outputFiles[0]?.text ?? ""}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const example = await startBrowserExample();
  console.log(`Chaukas backend and trace viewer: ${example.backend.viewerUrl}`);
  console.log(`Open the chat:                    ${example.url}`);
  process.once("SIGINT", () => void example.close().then(() => process.exit(0)));
}
