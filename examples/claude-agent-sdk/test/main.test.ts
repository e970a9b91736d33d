import { expect, it } from "vitest";
import { runExample } from "../../test-support/run-example.js";

// Loading the Claude Agent SDK through tsx and starting its CLI takes seconds on a busy machine.
it("examples/claude-agent-sdk runs a query through the real CLI offline and prints the session the local backend received", {
  timeout: 60_000,
}, async () => {
  const { code, stdout, stderr } = await runExample(import.meta.url);
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
