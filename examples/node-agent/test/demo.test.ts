import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startDevServer } from "@chaukas/devserver";
import { EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const TSX_LOADER = pathToFileURL(here("../../../node_modules/tsx/dist/loader.mjs")).href;

const ALL_TYPE_NAMES = Object.values(EventType).filter(
  (v): v is string => typeof v === "string" && v !== "UNSPECIFIED",
);

/** Runs `src/demo.ts` like `pnpm demo` does, on the workspace sources; collects its output. */
function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", TSX_LOADER, here("../src/demo.ts"), ...args], {
    env: { ...process.env, TSX_TSCONFIG_PATH: here("./tsconfig.json"), NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("pnpm demo", () => {
  it("starts a local backend, runs the agent and prints the session with all 19 types", async () => {
    const { code, stdout, stderr } = await runDemo(["--pace", "0"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/local Chaukas backend on http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(/trace viewer on http:\/\/127\.0\.0\.1:\d+\//);
    expect(stdout).toContain("30 of 30 events delivered");
    expect(stdout).toContain("over gRPC over HTTP/2");
    expect(stdout).toContain("19 of 19 event types");
    for (const name of ALL_TYPE_NAMES) {
      expect(stdout).toMatch(new RegExp(`\\b${name}\\b`));
    }
    expect(stdout).toContain("Researcher");
    expect(stdout).toContain("$0.000536");
    expect(stdout).not.toContain("\u001b[");
  });

  it("sends to --endpoint with --protocol and --api-key instead of starting a backend", async () => {
    const apiKey = "ck_demo_key";
    const server = await startDevServer({ port: 0, apiKey });
    try {
      const { code, stdout } = await runDemo([
        "--",
        "--endpoint",
        server.url,
        "--protocol",
        "grpc-web",
        "--api-key",
        apiKey,
        "--pace",
        "0",
      ]);
      expect(code).toBe(0);
      expect(stdout).toContain(`Chaukas backend ${server.url}`);
      expect(stdout).toContain("over gRPC-web");
      expect(server.store.events()).toHaveLength(30);
    } finally {
      await server.close();
    }
  });

  it("refuses --keep with --endpoint: there is no local backend to keep", async () => {
    const { code, stderr } = await runDemo(["--keep", "--endpoint", "http://127.0.0.1:1"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--keep");
  });

  it("fails with exit code 1 when the backend refuses the key", async () => {
    const server = await startDevServer({ port: 0, apiKey: "right" });
    try {
      const { code, stdout } = await runDemo([
        "--endpoint",
        server.url,
        "--api-key",
        "wrong",
        "--pace",
        "0",
      ]);
      expect(code).toBe(1);
      expect(stdout).toContain("30 failed");
      expect(server.store.events()).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
