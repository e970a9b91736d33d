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

// Loading LangChain and LangGraph through tsx takes seconds on a busy machine.
it("examples/langchain-agent answers with a ReAct agent and prints the session the local backend received", {
  timeout: 60_000,
}, async () => {
  const { code, stdout, stderr } = await runExample();
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(stdout).toContain("Answer: Your refund reaches your card within 5 days.");
  expect(stdout).toContain("17 of 17 events delivered");
  const tree = stdout
    .split("\n")
    .filter((line) => /^\s*(session|agent|model|tool|data)\b/.test(line));
  expect(tree).toEqual([
    "session",
    "  agent support",
    "    agent agent",
    "      model scripted-support: 64→12 tokens, tool_calls",
    "    agent tools",
    '      tool search_kb {"query":"refund"} → {"content":"Shipping is free over 50 EUR.\\nRefunds reach the card within 5 days."}',
    "        data access retriever://support-kb: 2 documents",
    "    agent agent",
    "      model scripted-support: 96→11 tokens, stop",
  ]);
});
