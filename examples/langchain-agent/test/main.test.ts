import { expect, it } from "vitest";
import { runExample } from "../../test-support/run-example.js";

// Loading LangChain and LangGraph through tsx takes seconds on a busy machine.
it("examples/langchain-agent answers with a ReAct agent and prints the session the local backend received", {
  timeout: 60_000,
}, async () => {
  const { code, stdout, stderr } = await runExample(import.meta.url);
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
