/**
 * LangChain values (messages, graph states, tool results) as the JSON the events carry: what a
 * reader of the audit trail needs (role, content, tool calls), not LangChain's serialized
 * constructor form (`{ lc: 1, type: "constructor", id: [...], kwargs }`).
 */

import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { toLenientJson } from "@chaukas/client/integration";
import { BaseMessage } from "@langchain/core/messages";

/** A tool call an AI message requests. */
export interface RequestedToolCall {
  readonly id: string | undefined;
  readonly name: string;
  readonly args: unknown;
}

/** The tool calls an AI message requests (`tool_calls`), each with a name. */
export function toolCallsOf(message: unknown): RequestedToolCall[] {
  const calls = (message as { tool_calls?: unknown } | undefined)?.tool_calls;
  if (!Array.isArray(calls)) return [];
  return calls.flatMap((call: { id?: unknown; name?: unknown; args?: unknown } | null) =>
    typeof call?.name === "string"
      ? [
          {
            id: typeof call.id === "string" ? call.id : undefined,
            name: call.name,
            args: call.args,
          },
        ]
      : [],
  );
}

/** A message as `{ role, content, name?, tool_calls?, tool_call_id? }`. */
export function messageJson(message: BaseMessage): JsonObject {
  const toolCalls = toolCallsOf(message);
  const toolCallId = (message as { tool_call_id?: unknown }).tool_call_id;
  return {
    role: message.type,
    content: toLenientJson(message.content) ?? "",
    ...(typeof message.name === "string" ? { name: message.name } : {}),
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls.map(toolCallJson) } : {}),
    ...(typeof toolCallId === "string" ? { tool_call_id: toolCallId } : {}),
  };
}

function toolCallJson(call: RequestedToolCall): JsonObject {
  return {
    ...(call.id === undefined ? {} : { id: call.id }),
    name: call.name,
    args: toLenientJson(call.args) ?? null,
  };
}

/**
 * Any LangChain value as JSON: messages (also in arrays and plain objects, as in a graph's
 * state) in their readable form, everything else as the integration kit converts it.
 */
export function valueJson(value: unknown): JsonValue | undefined {
  return toLenientJson(readableMessages(value, 0));
}

/** The levels of arrays and plain objects searched for messages (a state's `messages` is 1). */
const MESSAGE_SEARCH_DEPTH = 3;

function readableMessages(value: unknown, depth: number): unknown {
  if (BaseMessage.isInstance(value)) return messageJson(value);
  if (depth >= MESSAGE_SEARCH_DEPTH || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => readableMessages(item, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, readableMessages(item, depth + 1)]),
  );
}
