/** A tool run as TOOL_CALL_START/END: its arguments (a JSON string) and what it returned. */

import type { JsonObject } from "@bufbuild/protobuf";
import { toLenientJsonObject } from "@chaukas/client/integration";
import type { Serialized } from "@langchain/core/load/serializable";
import { BaseMessage } from "@langchain/core/messages";
import { type CommandLike, isCommand } from "./langgraph.js";
import { valueJson } from "./message-json.js";

/** The tool's name: the run's name (LangChain names a tool's run after the tool). */
export function toolNameOf(
  serialized: Serialized | undefined,
  runName: string | undefined,
): string {
  const id = serialized?.id;
  const last = Array.isArray(id) ? id.at(-1) : undefined;
  return runName || (serialized as { name?: string } | undefined)?.name || last || "tool";
}

/**
 * The tool's arguments: LangChain hands them over as a string, JSON for structured tools
 * (`{"city":"Paris"}`), the plain input otherwise (`{ input: "..." }`).
 */
export function toolArgumentsOf(input: unknown): JsonObject | undefined {
  if (typeof input === "string") {
    try {
      const parsed: unknown = JSON.parse(input);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        return toLenientJsonObject(parsed);
      }
    } catch {
      // Not JSON: a plain string input.
    }
  }
  return toLenientJsonObject(input, "input");
}

/** What a tool returned, read for its TOOL_CALL_END. */
export interface ToolOutcome {
  /** The tool reported its own failure (a `ToolMessage` with `status: "error"`). */
  readonly failed: boolean;
  /** A `Command` the tool returned (a handoff tool: `new Command({ goto })`). */
  readonly command: CommandLike | undefined;
  /** The output as JSON: a message's content (and artifact), a command, any value. */
  readonly output: () => JsonObject | undefined;
}

export function toolOutcomeOf(output: unknown): ToolOutcome {
  if (BaseMessage.isInstance(output)) {
    const { content, artifact, status } = output as BaseMessage & {
      artifact?: unknown;
      status?: unknown;
    };
    return {
      failed: status === "error",
      command: undefined,
      output: () =>
        toLenientJsonObject(artifact === undefined ? { content } : { content, artifact }),
    };
  }
  const command = isCommand(output) ? output : undefined;
  return {
    failed: false,
    command,
    output: () => {
      const json = valueJson(command ? { command } : output);
      return json === undefined ? undefined : toLenientJsonObject(json, "output");
    },
  };
}

/** A tool's own failure message (the `ToolMessage` content it returned with `status: "error"`). */
export function toolFailureOf(output: unknown): { message: string } {
  const content = (output as { content?: unknown }).content;
  return {
    message: typeof content === "string" && content !== "" ? content : "the tool reported an error",
  };
}
