import { ToolMessage } from "@langchain/core/messages";
import { Command } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { toolArgumentsOf, toolOutcomeOf } from "./tool-run.js";

describe("a tool run", () => {
  it("reads JSON arguments as an object and a plain input under `input`", () => {
    expect(toolArgumentsOf('{"city":"Paris"}')).toEqual({ city: "Paris" });
    expect(toolArgumentsOf("Paris")).toEqual({ input: "Paris" });
    expect(toolArgumentsOf("[1,2]")).toEqual({ input: "[1,2]" });
  });

  it("reads a ToolMessage's content and artifact, its error status, and a returned Command", () => {
    const ok = toolOutcomeOf(
      new ToolMessage({ content: "21 °C", tool_call_id: "c", artifact: { raw: 21 } }),
    );
    expect(ok.failed).toBe(false);
    expect(ok.output()).toEqual({ content: "21 °C", artifact: { raw: 21 } });
    expect(
      toolOutcomeOf(new ToolMessage({ content: "no", tool_call_id: "c", status: "error" })).failed,
    ).toBe(true);
    const handoff = toolOutcomeOf(new Command({ goto: "billing", update: { step: 2 } }));
    expect(handoff.command?.goto).toEqual(["billing"]);
    expect(toolOutcomeOf(42).output()).toEqual({ output: 42 });
  });
});
