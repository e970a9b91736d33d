import { expect, it } from "vitest";
import { runExample } from "../../test-support/run-example.js";

// Loading the openai SDK through tsx takes seconds on a busy machine.
it("examples/openai asks, runs the tool, streams the answer, embeds it, and prints the session the local backend received", {
  timeout: 60_000,
}, async () => {
  const { code, stdout, stderr } = await runExample(import.meta.url);
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
