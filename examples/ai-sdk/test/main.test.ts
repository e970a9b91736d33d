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

// Loading the AI SDK through tsx takes seconds on a busy machine.
it("examples/ai-sdk answers with generateText and streamText and prints the session the local backend received", {
  timeout: 60_000,
}, async () => {
  const { code, stdout, stderr } = await runExample();
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(stdout).toContain("generateText: It is sunny in Paris, 21 °C.");
  expect(stdout).toContain("streamText: Snow in Oslo today.");
  expect(stdout).toContain("14 of 14 events delivered");
  const tree = stdout.split("\n").filter((line) => /^\s*(session|model|tool)\b/.test(line));
  expect(tree).toEqual([
    "session Weather desk",
    "  model scripted-weather: 52→14 tokens, tool-calls",
    '  tool weather {"city":"Paris"} → {"city":"Paris","sky":"sunny","celsius":21}',
    "  model scripted-weather: 87→11 tokens, stop",
    "  model scripted-weather-stream: 52→14 tokens, tool-calls",
    '  tool weather {"city":"Oslo"} → {"city":"Oslo","sky":"snow","celsius":21}',
    "  model scripted-weather-stream: 87→11 tokens, stop",
  ]);
});
