import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { expect, it } from "vitest";

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

// Loading the Claude Agent SDK through tsx and starting its CLI takes seconds on a busy machine.
it("examples/claude-agent-sdk runs a query through the real CLI offline and prints the session the local backend received", {
  timeout: 60_000,
}, async () => {
  const { code, stdout, stderr } = await runExample();
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(stdout).toContain("answer: One item is left: ship the Chaukas integration.");
  expect(stdout).toContain("10 of 10 events delivered");
  const tree = stdout
    .split("\n")
    .filter((line) => /^\s*(session|model|tool|user|assistant)\b/.test(line))
    .map((line) => line.replace(/\{.*$/, "{…}"));
  expect(tree).toEqual([
    "session Claude Code",
    "  user: What is left on my TODO list?",
    "  model claude-sonnet-4-5: 540→1 tokens, tool_use",
    "  tool Read {…}",
    "  model claude-sonnet-4-5: 540→1 tokens, end_turn",
    "  assistant: One item is left: ship the Chaukas integration.",
  ]);
});
