import { Command, GraphInterrupt, ParentCommand, Send } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import {
  commandTargets,
  interruptsOf,
  isBubbleUp,
  isCommand,
  isGraphRun,
  nodeOf,
  parentCommandOf,
} from "./langgraph.js";

describe("LangGraph read structurally", () => {
  it("names the nodes a Command moves control to, without END, parallel for Send or several", () => {
    expect(commandTargets(new Command({ goto: "billing" }))).toEqual({
      nodes: ["billing"],
      parallel: false,
    });
    expect(commandTargets(new Command({ goto: ["a", "__end__"] }))).toEqual({
      nodes: ["a"],
      parallel: false,
    });
    expect(commandTargets(new Command({ goto: [new Send("a", {}), new Send("b", {})] }))).toEqual({
      nodes: ["a", "b"],
      parallel: true,
    });
    expect(commandTargets(new Command({ resume: "yes" }))).toEqual({ nodes: [], parallel: false });
    expect(isCommand(new Command({ goto: "a" }))).toBe(true);
    expect(isCommand({ goto: "a" })).toBe(false);
  });

  it("tells LangGraph's control flow from failures", () => {
    const paused = new GraphInterrupt([{ id: "i-1", value: { ask: "ok?" } }]);
    expect(interruptsOf(paused)).toEqual([{ id: "i-1", value: { ask: "ok?" } }]);
    expect(isBubbleUp(paused)).toBe(true);
    const up = new ParentCommand(new Command({ goto: "supervisor", graph: Command.PARENT }));
    expect(parentCommandOf(up)?.goto).toEqual(["supervisor"]);
    expect(isBubbleUp(up)).toBe(true);
    const failure = new Error("boom");
    expect(interruptsOf(failure)).toBeUndefined();
    expect(parentCommandOf(failure)).toBeUndefined();
    expect(isBubbleUp(failure)).toBe(false);
  });

  it("knows a graph run by its serialized id and a node by its metadata", () => {
    expect(
      isGraphRun({
        lc: 1,
        type: "not_implemented",
        id: ["langgraph", "pregel", "CompiledStateGraph"],
      }),
    ).toBe(true);
    expect(
      isGraphRun({
        lc: 1,
        type: "not_implemented",
        id: ["langchain_core", "runnables", "RunnableSequence"],
      }),
    ).toBe(false);
    expect(nodeOf({ langgraph_node: "agent" })).toBe("agent");
    expect(nodeOf({})).toBeUndefined();
  });
});
