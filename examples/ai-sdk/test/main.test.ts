import { expect, it } from "vitest";
import { runExample } from "../../test-support/run-example.js";

// Loading the AI SDK through tsx takes seconds on a busy machine.
it("examples/ai-sdk answers with generateText and streamText and prints the session the local backend received", {
  timeout: 60_000,
}, async () => {
  const { code, stdout, stderr } = await runExample(import.meta.url);
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
