/** `messages.create` (and what the SDK builds on it: `messages.stream`, `messages.parse`). */

import type { JsonInput, ModelInvocationResult, ModelInvocationStart } from "@chaukas/client";
import {
  type CallOutcome,
  type ContentCapture,
  fieldsOf,
  finiteNumber,
  nonEmptyString,
  omitUndefined,
  type ProviderOperation,
  type StreamFold,
  tokenCount,
  toLenientJsonObject,
} from "@chaukas/client/integration";

/** Content blocks that are the model asking for a tool (the app's, a server's, an MCP server's). */
const TOOL_USE_BLOCKS: ReadonlySet<unknown> = new Set([
  "tool_use",
  "server_tool_use",
  "mcp_tool_use",
]);

/** Streamed deltas that carry the model's output. */
const OUTPUT_DELTAS: ReadonlySet<string> = new Set([
  "text_delta",
  "input_json_delta",
  "thinking_delta",
  "citations_delta",
]);

type Fields = Record<string, unknown>;

/**
 * How a call of the Messages API becomes MODEL_INVOCATION_START and END: the request's model and
 * settings; the message's (or its streamed events') tokens, stop reason, content blocks and
 * tool uses. Exported for integrations that see Anthropic messages by other means (the Claude
 * Agent SDK's message stream).
 */
export const messagesOperation: ProviderOperation = {
  name: "messages.create",

  start(body, capture) {
    const params = fieldsOf(body);
    return omitUndefined<Omit<ModelInvocationStart, "provider">>({
      model: nonEmptyString(params.model) ?? "unknown",
      temperature: finiteNumber(params.temperature),
      maxTokens: tokenCount(params.max_tokens),
      topP: finiteNumber(params.top_p),
      request: capture.inputs ? toLenientJsonObject(body) : undefined,
    });
  },

  outcome: (value, capture) => outcomeOf(fieldsOf(value), capture),

  stream(capture): StreamFold {
    let message: Fields = {};
    const blocks: Fields[] = [];
    /** Tool input as streamed: JSON text, parsed when the block ends. */
    const partialJson = new Map<number, string>();
    return {
      add(event) {
        const fields = fieldsOf(event);
        const index = tokenCount(fields.index) ?? 0;
        switch (fields.type) {
          case "message_start":
            message = { ...fieldsOf(fields.message) };
            return false;
          case "content_block_start":
            blocks[index] = { ...fieldsOf(fields.content_block) };
            return false;
          case "content_block_delta":
            return addDelta(blocks, partialJson, index, fieldsOf(fields.delta));
          case "content_block_stop":
            endBlock(blocks, partialJson, index);
            return false;
          case "message_delta":
            message = {
              ...message,
              ...fieldsOf(fields.delta),
              // The final usage's counts are cumulative; fields it leaves out keep their value.
              usage: { ...fieldsOf(message.usage), ...definedFields(fieldsOf(fields.usage)) },
            };
            return false;
          default:
            return false;
        }
      },
      outcome() {
        blocks.forEach((_, index) => {
          endBlock(blocks, partialJson, index);
        });
        return outcomeOf({ ...message, content: blocks.filter(Boolean) }, capture);
      },
    };
  },
};

/** Folds one delta into its block; true when it carried output. */
function addDelta(
  blocks: Fields[],
  partialJson: Map<number, string>,
  index: number,
  delta: Readonly<Fields>,
): boolean {
  const block = blocks[index] ?? { type: "text", text: "" };
  blocks[index] = block;
  const append = (key: string, value: unknown) => {
    if (typeof value === "string")
      block[key] = `${typeof block[key] === "string" ? block[key] : ""}${value}`;
  };
  switch (delta.type) {
    case "text_delta":
      append("text", delta.text);
      break;
    case "thinking_delta":
      append("thinking", delta.thinking);
      break;
    case "signature_delta":
      block.signature = delta.signature;
      break;
    case "input_json_delta":
      partialJson.set(index, (partialJson.get(index) ?? "") + String(delta.partial_json ?? ""));
      break;
    case "citations_delta":
      block.citations = [
        ...(Array.isArray(block.citations) ? block.citations : []),
        delta.citation,
      ];
      break;
  }
  return OUTPUT_DELTAS.has(String(delta.type));
}

/** A tool use block's input, parsed from its streamed JSON once the block has ended. */
function endBlock(blocks: Fields[], partialJson: Map<number, string>, index: number): void {
  const text = partialJson.get(index);
  const block = blocks[index];
  if (text === undefined || block === undefined) return;
  partialJson.delete(index);
  try {
    block.input = text === "" ? {} : JSON.parse(text);
  } catch {
    block.input = { partial_json: text };
  }
}

function definedFields(fields: Readonly<Fields>): Fields {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value != null));
}

function outcomeOf(message: Readonly<Fields>, capture: ContentCapture): CallOutcome {
  const usage = fieldsOf(message.usage);
  const content = Array.isArray(message.content) ? message.content : [];
  const input = tokenCount(usage.input_tokens);
  const cacheCreation = tokenCount(usage.cache_creation_input_tokens);
  const cacheRead = tokenCount(usage.cache_read_input_tokens);
  const thinking = tokenCount(fieldsOf(usage.output_tokens_details).thinking_tokens);
  const toolUses = content.flatMap((block) => {
    const fields = fieldsOf(block);
    return TOOL_USE_BLOCKS.has(fields.type)
      ? [{ id: nonEmptyString(fields.id) ?? "", name: nonEmptyString(fields.name) ?? "" }]
      : [];
  });
  const metadata: JsonInput = omitUndefined<JsonInput>({
    input_tokens: input,
    cached_tokens: cacheRead,
    cache_creation_tokens: cacheCreation,
    reasoning_tokens: thinking,
    tool_calls: toolUses.length > 0 ? toolUses : undefined,
    stop_sequence: nonEmptyString(message.stop_sequence),
    response_model: nonEmptyString(message.model),
  });
  return {
    result: omitUndefined<ModelInvocationResult>({
      // Every prompt token the call processed: Anthropic counts those written to and read from
      // the cache apart from `input_tokens` (kept in `metadata`).
      promptTokens:
        input === undefined ? undefined : input + (cacheCreation ?? 0) + (cacheRead ?? 0),
      completionTokens: tokenCount(usage.output_tokens),
      finishReason: nonEmptyString(message.stop_reason),
      responseId: nonEmptyString(message.id),
      response: capture.outputs
        ? toLenientJsonObject({
            id: message.id,
            role: message.role ?? "assistant",
            content,
            stop_reason: message.stop_reason ?? null,
          })
        : undefined,
    }),
    metadata,
  };
}
