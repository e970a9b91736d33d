import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const TSX_LOADER = pathToFileURL(here("../../../node_modules/tsx/dist/loader.mjs")).href;

/** Runs `src/main.ts` on the workspace sources, as a user would run the example. */
function runExample(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", TSX_LOADER, here("../src/main.ts")], {
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

describe("examples/otel", () => {
  it("traces an AI SDK call into a Chaukas session and delivers it to the backend and a Collector", {
    timeout: 60_000,
  }, async () => {
    const { code, stdout, stderr } = await runExample();
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("answer: Order 4521 was delivered on Monday.");
    expect(stdout).toContain("chaukas: 8 sent, 0 failed");
    expect(stdout).toContain("collector: 8 sent, 0 failed");
    expect(stdout).toMatch(/collector received 1 request\(s\), \d+ bytes/);
    expect(stdout).toContain(
      [
        "SESSION",
        "  MODEL_INVOCATION scripted/scripted-support",
        '  TOOL_CALL lookupOrder {"orderId":"4521"}',
        "  MODEL_INVOCATION scripted/scripted-support",
      ].join("\n"),
    );
  });
});
