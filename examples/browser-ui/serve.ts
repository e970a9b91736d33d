// `pnpm --filter @chaukas/example-browser-ui start` (after `pnpm build`): starts a local Chaukas
// backend and a static server for the chat page on another port (so the page calls the backend
// cross-origin, as a real deployment would), then prints the page's URL.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { build, type Plugin } from "esbuild";

/** Options of `startBrowserExample()`. */
export interface BrowserExampleOptions {
  /** Port of the page's static server; 0 picks a free one. Default `5173`. */
  readonly port?: number;
  /** Port of the local backend; 0 picks a free one. Default `50051`. */
  readonly backendPort?: number;
  /** Extra esbuild plugins for the page bundle (tests resolve the SDK from sources). Default: none. */
  readonly plugins?: readonly Plugin[];
}

export const BROWSER_EXAMPLE_DEFAULTS = { port: 5173, backendPort: 50051 } as const;

export interface BrowserExample {
  readonly url: string;
  readonly backend: DevServer;
  close(): Promise<void>;
}

export async function startBrowserExample(
  options: BrowserExampleOptions = {},
): Promise<BrowserExample> {
  const backend = await startDevServer({
    port: options.backendPort ?? BROWSER_EXAMPLE_DEFAULTS.backendPort,
  });
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("./src/app.ts", import.meta.url))],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    plugins: [...(options.plugins ?? [])],
  });
  const app = `globalThis.CHAUKAS_ENDPOINT = ${JSON.stringify(backend.url)};\n${bundle.outputFiles[0]?.text ?? ""}`;
  const html = readFileSync(new URL("./src/index.html", import.meta.url), "utf8");
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/") res.writeHead(200, { "content-type": "text/html" }).end(html);
    else if (path === "/app.js") res.writeHead(200, { "content-type": "text/javascript" }).end(app);
    else res.writeHead(404).end("not found");
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? BROWSER_EXAMPLE_DEFAULTS.port, "127.0.0.1", resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    backend,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await backend.close();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const example = await startBrowserExample();
  console.log(`Chaukas backend: ${example.backend.url}`);
  console.log(`Open the chat:   ${example.url}`);
  process.once("SIGINT", () => void example.close().then(() => process.exit(0)));
}
