import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const TSX_LOADER = pathToFileURL(here("../../../node_modules/tsx/dist/loader.mjs")).href;

/** Runs `src/main.ts` on the workspace sources, as a user would run the example. */
function runExample(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // The SDK turns tracing off when NODE_ENV is "test", which vitest sets; a user's run has none.
  const { NODE_ENV: _, ...env } = process.env;
  const child = spawn(process.execPath, ["--import", TSX_LOADER, here("../src/main.ts")], {
    env: { ...env, TSX_TSCONFIG_PATH: here("./tsconfig.json") },
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

describe("examples/openai-agents", () => {
  // Loading @openai/agents through tsx takes seconds on a busy machine.
  it("runs the two agents and prints the session the local backend received", {
    timeout: 60_000,
  }, async () => {
    const { code, stdout, stderr } = await runExample();
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain(
      "answer (Refunds): Your refund of $49.00 for order 4521 is on its way.",
    );
    expect(stdout).toContain("16 of 16 events delivered");
    const tree = stdout
      .split("\n")
      .filter((line) => /^\s*(session|agent|guardrail|model|tool|handoff)\b/.test(line))
      .map((line) => line.replace(/ \(\d+ ms\)/g, "").replace(/session \S+ .*/, "session"));
    expect(tree).toEqual([
      "session",
      "  agent Triage",
      "    guardrail no_card_numbers: allow",
      "    model scripted-triage 143→21 tokens",
      `    tool lookup_order {"orderId":"4521"} → {"output":"{\\"orderId\\":\\"4521\\",\\"status\\":\\"delivered\\",\\"total\\":\\"$49.00\\"}"}`,
      "    model scripted-triage 198→9 tokens",
      "    handoff Triage → Refunds",
      "  agent Refunds",
      "    model scripted-refunds 212→18 tokens",
    ]);
    expect(stdout).toContain('"group_id":"conversation-4521"');
  });
});
