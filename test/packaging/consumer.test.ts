import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScript, stopAllScripts } from "../../examples/edge-worker/test/start-script.js";
import { packPackages } from "../../scripts/pack-packages.mjs";

// A new user's app, outside the workspace: every packed tarball installed with npm beside the
// app's own (latest 2.x) protobuf-es and connect-es. Needs `pnpm build` and the npm registry
// (or npm's cache). The framework adapters' own peers (ai, the OpenAI Agents SDK, the MCP SDK,
// OpenTelemetry's SDK, openai, the Anthropic SDK, the Claude Agent SDK) are left out (`--omit=peer`): those adapters use only their types at run
// time, and those frameworks are large; `pnpm lint` checks the adapters' types with attw. Two
// are installed by the app itself: @langchain/core (@chaukas/langchain's handler extends its
// BaseCallbackHandler, so the entry cannot load without it) and @opentelemetry/api (what an
// OpenTelemetry user has; @chaukas/otel's OTLP encoder runs on it).
const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const CORE = [
  "@chaukas/spec",
  "@chaukas/client",
  "@chaukas/transport-node",
  "@chaukas/transport-web",
  "@chaukas/devserver",
];
const ADAPTERS = [
  "@chaukas/openai-agents",
  "@chaukas/ai-sdk",
  "@chaukas/mcp",
  "@chaukas/langchain",
  "@chaukas/otel",
  "@chaukas/openai",
  "@chaukas/anthropic",
  "@chaukas/claude-agent-sdk",
];

/** Every entry point (`exports` key) of every package, sorted. */
const ENTRIES = [
  "@chaukas/ai-sdk",
  "@chaukas/anthropic",
  "@chaukas/claude-agent-sdk",
  "@chaukas/client",
  "@chaukas/client/binary-encoding",
  "@chaukas/client/integration",
  "@chaukas/client/integrity",
  "@chaukas/client/outbox",
  "@chaukas/client/propagation",
  "@chaukas/client/query",
  "@chaukas/client/redact",
  "@chaukas/client/relay",
  "@chaukas/client/rest",
  "@chaukas/devserver",
  "@chaukas/langchain",
  "@chaukas/mcp",
  "@chaukas/openai",
  "@chaukas/openai-agents",
  "@chaukas/otel",
  "@chaukas/spec/client/v1",
  "@chaukas/spec/common/v1",
  "@chaukas/spec/server/v1",
  "@chaukas/transport-node",
  "@chaukas/transport-web",
];

/** A string only @chaukas/transport-web's code has: the bundle really contains it. */
const WEB_TRANSPORT_MARK = "x-chaukas-keepalive";

let app: string;
let devserver: DevServer;

/** The environment npm and node get: none of the npm_/pnpm_ settings vitest was started with. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm|pnpm)_/i.test(key)),
  );
  return { ...env, ...extra };
}

/** Every installed copy of `name` under the app's node_modules, by path. */
function copiesOf(name: string, dir = join(app, "node_modules")): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    if (entry.name.startsWith("@")) {
      found.push(...copiesOf(name, path).filter((p) => !found.includes(p)));
      continue;
    }
    try {
      const manifest = JSON.parse(readFileSync(join(path, "package.json"), "utf8"));
      if (manifest.name === name) found.push(path);
    } catch {
      // Not a package directory.
    }
    const nested = join(path, "node_modules");
    try {
      found.push(...copiesOf(name, nested));
    } catch {
      // No nested node_modules.
    }
  }
  return found;
}

async function node(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, args, { cwd: app, env: cleanEnv() });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
}

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), "chaukas-consumer-"));
  const packed = packPackages(join(app, "tarballs"));
  expect(packed.map((p) => p.name).sort()).toEqual([...CORE, ...ADAPTERS].sort());
  const manifest = {
    name: "chaukas-consumer",
    private: true,
    dependencies: {
      "@bufbuild/protobuf": "^2.0.0",
      "@connectrpc/connect": "^2.0.0",
      "@langchain/core": "^1.0.0",
      // What an OpenTelemetry user has: @chaukas/otel's OTLP encoder runs on it.
      "@opentelemetry/api": "^1.9.0",
      ...Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`])),
    },
    devDependencies: { esbuild: "0.28.2", vite: "^8.0.0" },
  };
  writeFileSync(join(app, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  cpSync(join(root, "test/packaging/app"), app, { recursive: true });
  await run(
    "npm",
    ["install", "--omit=peer", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
    {
      cwd: app,
      env: cleanEnv(),
      timeout: 300_000,
    },
  );
  devserver = await startDevServer({ port: 0 });
}, 360_000);

afterAll(async () => {
  try {
    await stopAllScripts();
  } finally {
    await devserver?.close();
    if (app !== undefined) rmSync(app, { recursive: true, force: true });
  }
});

describe("the packed packages in a new npm app", () => {
  it("leave exactly one copy of protobuf-es, connect-es and each Chaukas package", () => {
    for (const name of ["@bufbuild/protobuf", "@connectrpc/connect", ...CORE, ...ADAPTERS]) {
      expect(copiesOf(name), name).toHaveLength(1);
    }
    const version = (name: string) =>
      JSON.parse(readFileSync(join(app, "node_modules", name, "package.json"), "utf8")).version;
    expect(version("@bufbuild/protobuf")).toMatch(/^2\./);
    expect(version("@connectrpc/connect")).toMatch(/^2\./);
  });

  it("record and read back a session from a Node ESM script, against @chaukas/devserver", async () => {
    const result = await node(["node-esm.mjs"]);
    expect(result.client).toMatch(/\/@chaukas\/client\/dist\/index\.js$/);
    expect(result.stored).toEqual(["SESSION_START", "INPUT_RECEIVED", "SESSION_END"]);
    expect(result.errorIsAppConnectError).toBe(true);
  }, 60_000);

  it("do the same from CommonJS with require(esm) turned off", async () => {
    const result = await node(["--no-experimental-require-module", "node-cjs.cjs"]);
    expect(result.client).toMatch(/\/@chaukas\/client\/dist\/cjs\/index\.js$/);
    expect(result.stored).toEqual(["SESSION_START", "INPUT_RECEIVED", "SESSION_END"]);
    expect(result.errorIsAppConnectError).toBe(true);
  }, 60_000);

  it("load every entry of every package with import, and with require (require(esm) off)", async () => {
    const imported = await node(["entries.mjs"]);
    const required = await node(["--no-experimental-require-module", "entries.cjs"]);
    expect(Object.keys(imported).sort()).toEqual(ENTRIES);
    for (const count of Object.values(imported)) expect(count).toBeGreaterThan(0);
    expect(required).toEqual(imported);
  }, 60_000);

  it("give an ESM import() of each CommonJS entry the same named exports as its ESM entry", async () => {
    const missing = await node(["cjs-named-exports.mjs"]);
    expect(Object.keys(missing).sort()).toEqual(Object.keys(await node(["entries.mjs"])).sort());
    for (const [entry, names] of Object.entries(missing)) expect(names, entry).toEqual([]);
  }, 60_000);

  it("bundle for the browser with esbuild: ESM builds only, one protobuf-es", async () => {
    await run(
      join(app, "node_modules/.bin/esbuild"),
      [
        "browser.mjs",
        "--bundle",
        "--platform=browser",
        "--format=esm",
        "--metafile=out/esbuild-meta.json",
        "--outfile=out/esbuild.js",
        "--log-level=warning",
      ],
      { cwd: app, env: cleanEnv() },
    );
    const inputs = Object.keys(
      JSON.parse(readFileSync(join(app, "out/esbuild-meta.json"), "utf8")).inputs,
    );
    const chaukas = inputs.filter((path) => path.includes("node_modules/@chaukas/"));
    expect(chaukas.length).toBeGreaterThan(0);
    expect(chaukas.filter((path) => path.includes("/dist/cjs/"))).toEqual([]);
    const protobufDirs = new Set(
      inputs
        .filter((path) => path.includes("/@bufbuild/protobuf/"))
        .map((path) => path.slice(0, path.indexOf("/@bufbuild/protobuf/"))),
    );
    expect([...protobufDirs]).toEqual(["node_modules"]);
    expect(readFileSync(join(app, "out/esbuild.js"), "utf8").includes(WEB_TRANSPORT_MARK)).toBe(
      true,
    );
  }, 60_000);

  it("bundle for the browser with Vite", async () => {
    await run(
      join(app, "node_modules/.bin/vite"),
      ["build", "--outDir", "out/vite", "--logLevel", "warn"],
      { cwd: app, env: cleanEnv() },
    );
    const assets = join(app, "out/vite/assets");
    const scripts = readdirSync(assets).filter((file) => file.endsWith(".js"));
    expect(scripts).toHaveLength(1);
    expect(readFileSync(join(assets, scripts[0]!), "utf8").includes(WEB_TRANSPORT_MARK)).toBe(true);
  }, 120_000);

  it("run the edge example in Deno, resolved from the installed packages", async () => {
    const edge = join(app, "edge");
    cpSync(join(root, "examples/edge-worker/src"), edge, { recursive: true });
    const denoPackage = createRequire(join(root, "examples/edge-worker/package.json")).resolve(
      "deno/package.json",
    );
    const deno = join(dirname(denoPackage), "deno");
    const server = await startScript(
      deno,
      [
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--sloppy-imports",
        "--no-prompt",
        "edge/deno.ts",
      ],
      { CHAUKAS_ENDPOINT: devserver.url, PORT: "0", DENO_NO_UPDATE_CHECK: "1" },
      app,
    );
    try {
      const response = await fetch(`${server.url}/?q=${encodeURIComponent("from the tarballs?")}`);
      expect(response.status).toBe(200);
      const reply = (await response.json()) as { sessionId: string };
      const stored = devserver.store.events().filter((e) => e.sessionId === reply.sessionId);
      expect(stored).toHaveLength(10);
      expect(new Set(stored.map((e) => e.projectId))).toEqual(new Set(["edge-deno"]));
    } finally {
      await server.stop();
    }
  }, 120_000);
});
