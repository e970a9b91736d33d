import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const TSX_LOADER = pathToFileURL(here("../../../node_modules/tsx/dist/loader.mjs")).href;

/** Runs `src/client.ts` as `pnpm start` does, on the workspace sources; collects its output. */
function runExample(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", TSX_LOADER, here("../src/client.ts")], {
    env: { ...process.env, TSX_TSCONFIG_PATH: here("./tsconfig.json") },
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

describe("the MCP example", () => {
  it("runs an agent against a stdio MCP server and prints one trace from both processes", async () => {
    const { code, stdout, stderr } = await runExample();
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain('search_policies → [{"type":"text","text":"refunds"}]');
    expect(stdout).toContain("open_ticket → isError: true");
    // Client: its session and 3 calls; server (trusted: it joins the client's session, with no
    // session events of its own): a call per request and the DATA_ACCESS its tool emitted.
    expect(stdout).toMatch(/one trace [0-9a-f]{32}, 1 session\(s\): 15 events from two processes/);
    const lines = stdout.split("\n");
    expect(lines.filter((l) => l.includes("SESSION_START"))).toHaveLength(1);
    const line = (text: string) => lines.find((l) => l.includes(text)) ?? "";
    const indent = (text: string) => line(text).search(/[A-Z]/);
    expect(indent("[client] policy-docs tools/call search_policies")).toBeLessThan(
      indent("[server] policy-docs tools/call search_policies"),
    );
    expect(indent("[server] policy-docs tools/call search_policies")).toBeLessThan(
      indent("DATA_ACCESS memory://policies refunds"),
    );
    expect(line("[client] policy-docs resources/read policy://refunds")).toContain("✓");
    expect(line("[server] policy-docs tools/call open_ticket")).toContain(
      "✗ [server] policy-docs tools/call open_ticket (the ticket system is down for maintenance)",
    );
    expect(stdout).toContain("client side: 3 calls, 2 completed, 1 failed, 0 adapter errors");
  });
});
