/**
 * How LangGraph shows in LangChain's callbacks, read structurally (as LangGraph itself tells
 * its values apart: `lg_name`, error `name`s, `is_bubble_up`), so this package needs no runtime
 * import of `@langchain/langgraph` and works with any copy of it.
 */

import type { Serialized } from "@langchain/core/load/serializable";

/** LangGraph's name for the end of a graph (`END`): moving there hands off to nobody. */
const END = "__end__";

/** A graph run (a compiled graph, a functional `entrypoint`): serialized as `langgraph.pregel.*`. */
export function isGraphRun(serialized: Serialized | undefined): boolean {
  const id = serialized?.id;
  return Array.isArray(id) && id[0] === "langgraph" && id[1] === "pregel";
}

/** The node a run executes, from the metadata LangGraph gives every run of a node. */
export function nodeOf(metadata: Record<string, unknown> | undefined): string | undefined {
  const node = metadata?.langgraph_node;
  return typeof node === "string" && node !== "" ? node : undefined;
}

/** The step a run belongs to (`langgraph_step`). */
export function stepOf(metadata: Record<string, unknown> | undefined): number | undefined {
  const step = metadata?.langgraph_step;
  return typeof step === "number" && Number.isInteger(step) ? step : undefined;
}

/** A `Command` (`new Command({ goto, update, resume, graph })`) of any LangGraph copy. */
export interface CommandLike {
  readonly lg_name: "Command";
  readonly goto?: unknown;
  readonly update?: unknown;
  readonly resume?: unknown;
  readonly graph?: unknown;
}

export function isCommand(value: unknown): value is CommandLike {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { lg_name?: unknown }).lg_name === "Command"
  );
}

/** Where a command moves control: node names, and whether they run in parallel (`Send`). */
export interface CommandTargets {
  readonly nodes: readonly string[];
  readonly parallel: boolean;
}

/** The nodes a command's `goto` names (a name, a `Send`, or a list of them), `END` left out. */
export function commandTargets(command: CommandLike): CommandTargets {
  const gotos = Array.isArray(command.goto) ? command.goto : [command.goto];
  let parallel = false;
  const nodes = gotos.flatMap((goto: unknown) => {
    if (typeof goto === "string") return goto === END ? [] : [goto];
    const send = goto as { lg_name?: unknown; node?: unknown } | null;
    if (send?.lg_name === "Send" && typeof send.node === "string") {
      parallel = true;
      return [send.node];
    }
    return [];
  });
  return { nodes, parallel: parallel || nodes.length > 1 };
}

/** One pending interrupt: what the graph asks the human (`interrupt(value)`). */
export interface InterruptLike {
  readonly id?: string;
  readonly value?: unknown;
}

/** The interrupts of a `GraphInterrupt`/`NodeInterrupt` (`interrupt()` in a node or tool). */
export function interruptsOf(error: unknown): readonly InterruptLike[] | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  if (name !== "GraphInterrupt" && name !== "NodeInterrupt") return undefined;
  const interrupts = (error as { interrupts?: unknown }).interrupts;
  return Array.isArray(interrupts) ? interrupts : [];
}

/** The command of a `ParentCommand` (a `Command` for the parent graph, raised as an error). */
export function parentCommandOf(error: unknown): CommandLike | undefined {
  const { name, command } = (error ?? {}) as { name?: unknown; command?: unknown };
  return name === "ParentCommand" && isCommand(command) ? command : undefined;
}

/**
 * True for LangGraph's control-flow errors (`GraphBubbleUp`: interrupts, parent commands, a
 * drained graph): a run that ends with one has not failed.
 */
export function isBubbleUp(error: unknown): boolean {
  try {
    return (error as { is_bubble_up?: unknown } | null)?.is_bubble_up === true;
  } catch {
    // A thrown value whose getter throws is no LangGraph signal; reading it must not throw.
    return false;
  }
}

/**
 * The `Symbol.for` key LangGraph marks a `GraphCallbackHandler` with; LangGraph then calls its
 * `handleInterrupt` and `handleResume` (versions without them never do).
 */
export const GRAPH_CALLBACK_HANDLER = Symbol.for("langgraph.graph_callback_handler");

/** What LangGraph passes `handleInterrupt` and `handleResume` (`GraphLifecycleEvent`). */
export interface GraphLifecycleEvent {
  readonly runId?: string | undefined;
  readonly status?: string;
  readonly checkpointId?: string;
  readonly checkpointNs?: readonly string[];
  /** Only for an interrupt; empty for a static one (`interruptBefore`/`interruptAfter`). */
  readonly interrupts?: readonly InterruptLike[];
}
