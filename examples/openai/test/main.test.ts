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

// Loading the openai SDK through tsx takes seconds on a busy machine.
it("examples/openai asks, runs the tool, streams the answer, embeds it, and prints the session the local backend received", {
  timeout: 60_000,
}, async () => {
  const { code, stdout, stderr } = await runExample();
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(stdout).toContain("answer: It is sunny in Paris, 21 °C.");
  expect(stdout).toContain("10 of 10 events delivered");
  const tree = stdout.split("\n").filter((line) => /^\s*(session|model|tool)\b/.test(line));
  expect(tree).toEqual([
    "session Weather desk",
    "  model gpt-4o-mini: 52→14 tokens, tool_calls",
    '  tool get_weather {"city":"Paris"} → {"sky":"sunny","celsius":21}',
    "  model gpt-4o-mini: 87→11 tokens, stop",
    "  model text-embedding-3-small: 3→0 tokens",
  ]);
});
