/** `chat.completions.create` (and the helpers built on it: `parse`, `stream`, `runTools`). */

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
  toLenientJson,
  toLenientJsonObject,
} from "@chaukas/client/integration";
import { usageMetadata } from "./usage.js";

/** A tool call the model asked for, as the END's `metadata.tool_calls` lists it. */
interface ToolCallAsked {
  id: string;
  name: string;
  arguments: string;
}

/** One choice of a completion, assembled from a response or from streamed deltas. */
interface Choice {
  index: number;
  role: string;
  content: string | null;
  refusal: string | null;
  tool_calls: ToolCallAsked[];
  finish_reason: string | null;
}

export const chatCompletions: ProviderOperation = {
  name: "chat.completions.create",

  start(body, capture) {
    const params = fieldsOf(body);
    return omitUndefined<Omit<ModelInvocationStart, "provider">>({
      model: nonEmptyString(params.model) ?? "unknown",
      temperature: finiteNumber(params.temperature),
      maxTokens: tokenCount(params.max_completion_tokens) ?? tokenCount(params.max_tokens),
      topP: finiteNumber(params.top_p),
      frequencyPenalty: finiteNumber(params.frequency_penalty),
      presencePenalty: finiteNumber(params.presence_penalty),
      request: capture.inputs ? toLenientJsonObject(body) : undefined,
    });
  },

  outcome(value, capture) {
    const completion = fieldsOf(value);
    const choices = Array.isArray(completion.choices) ? completion.choices.map(choiceOf) : [];
    return outcomeOf(completion.id, completion.model, choices, completion.usage, capture);
  },

  stream(capture): StreamFold {
    let id: unknown;
    let model: unknown;
    let usage: unknown;
    const choices = new Map<number, Choice>();
    return {
      add(event) {
        const chunk = fieldsOf(event);
        id ??= chunk.id;
        model ??= chunk.model;
        if (chunk.usage) usage = chunk.usage;
        let output = false;
        for (const item of Array.isArray(chunk.choices) ? chunk.choices : []) {
          output = addDelta(choices, fieldsOf(item)) || output;
        }
        return output;
      },
      outcome: () => outcomeOf(id, model, [...choices.values()], usage, capture),
    };
  },
};

function choiceOf(value: unknown): Choice {
  const choice = fieldsOf(value);
  const message = fieldsOf(choice.message);
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  return {
    index: tokenCount(choice.index) ?? 0,
    role: nonEmptyString(message.role) ?? "assistant",
    content: typeof message.content === "string" ? message.content : null,
    refusal: typeof message.refusal === "string" ? message.refusal : null,
    tool_calls: calls.map((call) => {
      const fields = fieldsOf(call);
      const fn = fieldsOf(fields.function ?? fields.custom);
      return {
        id: nonEmptyString(fields.id) ?? "",
        name: nonEmptyString(fn.name) ?? "",
        arguments: typeof fn.arguments === "string" ? fn.arguments : String(fn.input ?? ""),
      };
    }),
    finish_reason: nonEmptyString(choice.finish_reason) ?? null,
  };
}

/** Folds one streamed choice delta in; true when it carried output. */
function addDelta(choices: Map<number, Choice>, item: Readonly<Record<string, unknown>>): boolean {
  const index = tokenCount(item.index) ?? 0;
  let choice = choices.get(index);
  if (choice === undefined) {
    choice = {
      index,
      role: "assistant",
      content: null,
      refusal: null,
      tool_calls: [],
      finish_reason: null,
    };
    choices.set(index, choice);
  }
  const delta = fieldsOf(item.delta);
  let output = false;
  if (typeof delta.content === "string" && delta.content !== "") {
    choice.content = (choice.content ?? "") + delta.content;
    output = true;
  }
  if (typeof delta.refusal === "string" && delta.refusal !== "") {
    choice.refusal = (choice.refusal ?? "") + delta.refusal;
    output = true;
  }
  for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
    const fields = fieldsOf(call);
    const fn = fieldsOf(fields.function);
    const at = tokenCount(fields.index) ?? choice.tool_calls.length;
    const asked = choice.tool_calls[at] ?? { id: "", name: "", arguments: "" };
    choice.tool_calls[at] = asked;
    asked.id ||= nonEmptyString(fields.id) ?? "";
    asked.name ||= nonEmptyString(fn.name) ?? "";
    if (typeof fn.arguments === "string") asked.arguments += fn.arguments;
    output = true;
  }
  choice.finish_reason = nonEmptyString(item.finish_reason) ?? choice.finish_reason;
  return output;
}

function outcomeOf(
  id: unknown,
  model: unknown,
  choices: readonly Choice[],
  usage: unknown,
  capture: ContentCapture,
): CallOutcome {
  const tokens = fieldsOf(usage);
  const first = choices.find((choice) => choice.index === 0) ?? choices[0];
  const toolCalls = choices.flatMap((choice) =>
    choice.tool_calls.map(({ id, name }) => ({ id, name })),
  );
  const metadata: JsonInput = {
    ...usageMetadata(
      fieldsOf(tokens.prompt_tokens_details).cached_tokens,
      fieldsOf(tokens.completion_tokens_details).reasoning_tokens,
    ),
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    ...(nonEmptyString(model) ? { response_model: model as string } : {}),
  };
  return {
    result: omitUndefined<ModelInvocationResult>({
      promptTokens: tokenCount(tokens.prompt_tokens),
      completionTokens: tokenCount(tokens.completion_tokens),
      totalTokens: tokenCount(tokens.total_tokens),
      finishReason: first?.finish_reason ?? undefined,
      responseId: nonEmptyString(id),
      // Built from the fold's checked strings and numbers: JSON as it is, so not copied again
      // here (the client's builder copies it once).
      response: capture.outputs
        ? { id: toLenientJson(id), choices: choices.map(messageOf) }
        : undefined,
    }),
    metadata,
  };
}

/** A choice as the response records it: the message the model produced. */
function messageOf(choice: Choice) {
  return {
    index: choice.index,
    finish_reason: choice.finish_reason,
    message: {
      role: choice.role,
      content: choice.content,
      ...(choice.refusal === null ? {} : { refusal: choice.refusal }),
      ...(choice.tool_calls.length === 0
        ? {}
        : {
            tool_calls: choice.tool_calls.map(({ id, name, arguments: args }) => ({
              id,
              type: "function",
              function: { name, arguments: args },
            })),
          }),
    },
  };
}
