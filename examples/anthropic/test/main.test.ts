import { expect, it } from "vitest";
import { runExample } from "../../test-support/run-example.js";

// Loading the Anthropic SDK through tsx takes seconds on a busy machine.
it("examples/anthropic uses the tool, streams the answer with messages.stream, and prints the session the local backend received", {
  timeout: 60_000,
}, async () => {
  const { code, stdout, stderr } = await runExample(import.meta.url);
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
