import { describe, expect, it } from "vitest";
import { runExample } from "../../test-support/run-example.js";

describe("examples/otel", () => {
  it("traces an AI SDK call into a Chaukas session and delivers it to the backend and a Collector", {
    timeout: 60_000,
  }, async () => {
    const { code, stdout, stderr } = await runExample(import.meta.url);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("answer: Order 4521 was delivered on Monday.");
    expect(stdout).toContain("chaukas: 8 sent, 0 failed");
    expect(stdout).toContain("collector: 8 sent, 0 failed");
    expect(stdout).toMatch(/collector received 1 request\(s\), \d+ bytes/);
    expect(stdout).toContain(
      [
        "SESSION",
        "  MODEL_INVOCATION scripted/scripted-support",
        '  TOOL_CALL lookupOrder {"orderId":"4521"}',
        "  MODEL_INVOCATION scripted/scripted-support",
      ].join("\n"),
    );
  });
});
