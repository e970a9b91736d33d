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

// Loading the Anthropic SDK through tsx takes seconds on a busy machine.
it("examples/anthropic uses the tool, streams the answer with messages.stream, and prints the session the local backend received", {
  timeout: 60_000,
}, async () => {
  const { code, stdout, stderr } = await runExample();
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(stdout).toContain("answer: It is sunny in Paris, 21 °C.");
  expect(stdout).toContain("8 of 8 events delivered");
  const tree = stdout.split("\n").filter((line) => /^\s*(session|model|tool)\b/.test(line));
  expect(tree).toEqual([
    "session Weather desk",
    "  model claude-sonnet-4-5: 48→16 tokens, tool_use",
    '  tool get_weather {"city":"Paris"} → {"sky":"sunny","celsius":21}',
    "  model claude-sonnet-4-5: 91→12 tokens, end_turn",
  ]);
});
