/**
 * A chat model or LLM run as MODEL_INVOCATION_START/END: what the callbacks hand over at the
 * start (the serialized model, its invocation params, the `ls_*` metadata, the messages) and at
 * the end (`LLMResult`: the generation's message with `usage_metadata`, `response_metadata`
 * and `tool_calls`).
 */

import type { JsonObject } from "@bufbuild/protobuf";
import type { ModelInvocationResult, ModelInvocationStart } from "@chaukas/client";
import { omitUndefined, toLenientJsonObject } from "@chaukas/client/integration";
import type { Serialized } from "@langchain/core/load/serializable";
import { BaseMessage } from "@langchain/core/messages";
import type { LLMResult } from "@langchain/core/outputs";
import { messageJson, toolCallsOf } from "./message-json.js";

type Fields = Record<string, unknown>;

/** What a model's start callback says (`handleChatModelStart` or `handleLLMStart`). */
export interface ModelStartInfo {
  readonly serialized: Serialized | undefined;
  /** Chat messages (`handleChatModelStart`) or prompts (`handleLLMStart`). */
  readonly input:
    | { readonly messages: readonly unknown[] }
    | { readonly prompts: readonly string[] };
  /** `{ invocation_params, options, batch_size }`. */
  readonly extraParams: Fields | undefined;
  readonly metadata: Fields | undefined;
  readonly runName: string | undefined;
}

/** MODEL_INVOCATION_START's fields; `request` only when inputs are recorded. */
export function modelStartOf(
  info: ModelStartInfo,
  recordInputs: boolean,
): Omit<ModelInvocationStart, "startTime" | "spanId"> {
  const params = fieldsOf(info.extraParams?.invocation_params);
  const options = fieldsOf(info.extraParams?.options);
  const metadata = info.metadata ?? {};
  const serializedId = Array.isArray(info.serialized?.id) ? info.serialized.id : [];
  const provider =
    text(metadata.ls_provider) ?? text(serializedId[2]) ?? text(params._type) ?? "langchain";
  const model =
    text(metadata.ls_model_name) ??
    text(params.model) ??
    text(params.model_name) ??
    text(params.modelName) ??
    text(info.runName) ??
    text(serializedId.at(-1)) ??
    "unknown";
  const tools = options.tools ?? params.tools;
  return omitUndefined({
    provider,
    model,
    temperature: finite(metadata.ls_temperature) ?? finite(params.temperature),
    maxTokens:
      count(metadata.ls_max_tokens) ??
      count(params.max_tokens) ??
      count(params.max_completion_tokens) ??
      count(params.maxTokens),
    topP: finite(params.top_p) ?? finite(params.topP),
    frequencyPenalty: finite(params.frequency_penalty) ?? finite(params.frequencyPenalty),
    presencePenalty: finite(params.presence_penalty) ?? finite(params.presencePenalty),
    request: recordInputs ? requestOf(info.input, tools) : undefined,
  });
}

function requestOf(input: ModelStartInfo["input"], tools: unknown): JsonObject | undefined {
  const conversation =
    "messages" in input
      ? { messages: input.messages.map((m) => (BaseMessage.isInstance(m) ? messageJson(m) : m)) }
      : { prompts: [...input.prompts] };
  return toLenientJsonObject({
    ...conversation,
    ...(tools === undefined ? {} : { tools }),
  });
}

/** What the handler measured of a model run: when it started, and its first streamed token. */
export interface ModelTiming {
  readonly startMs: number;
  readonly firstTokenMs: number | undefined;
}

/**
 * MODEL_INVOCATION_END's fields: tokens from `usage_metadata` (else the provider's
 * `llmOutput.tokenUsage`), finish reason and tool calls from the message, cache-read, cache
 * creation and reasoning tokens and time to first token in `metadata`; `response` only when
 * outputs are recorded.
 */
export function modelResultOf(
  output: LLMResult,
  timing: ModelTiming,
  recordOutputs: boolean,
): Omit<ModelInvocationResult, "endTime"> {
  const generation = output.generations?.[0]?.[0] as
    | { text?: unknown; message?: unknown; generationInfo?: Fields }
    | undefined;
  const message = BaseMessage.isInstance(generation?.message) ? generation.message : undefined;
  const usage = fieldsOf((message as { usage_metadata?: unknown } | undefined)?.usage_metadata);
  const providerUsage = fieldsOf(output.llmOutput?.tokenUsage ?? output.llmOutput?.usage);
  const inputDetails = fieldsOf(usage.input_token_details);
  const outputDetails = fieldsOf(usage.output_token_details);
  const responseMetadata = fieldsOf(message?.response_metadata);
  const toolCalls = toolCallsOf(message);
  const finishReason =
    text(responseMetadata.finish_reason) ??
    text(responseMetadata.stop_reason) ??
    text(responseMetadata.finishReason) ??
    text(generation?.generationInfo?.finish_reason) ??
    (toolCalls.length > 0 ? "tool_calls" : undefined);
  const details = omitUndefined({
    cache_read_tokens: count(inputDetails.cache_read),
    cache_creation_tokens: count(inputDetails.cache_creation),
    reasoning_tokens: count(outputDetails.reasoning),
    time_to_first_token_ms:
      timing.firstTokenMs === undefined
        ? undefined
        : Math.max(0, timing.firstTokenMs - timing.startMs),
    tool_calls:
      toolCalls.length > 0
        ? toolCalls.map((call) => omitUndefined({ id: call.id, name: call.name }))
        : undefined,
  });
  const responseId = text(responseMetadata.id) ?? providerMessageId(message?.id);
  return omitUndefined({
    promptTokens: count(usage.input_tokens) ?? count(providerUsage.promptTokens),
    completionTokens: count(usage.output_tokens) ?? count(providerUsage.completionTokens),
    totalTokens: count(usage.total_tokens) ?? count(providerUsage.totalTokens),
    finishReason,
    responseId,
    response: recordOutputs ? responseOf(message, generation?.text) : undefined,
    metadata: Object.keys(details).length > 0 ? (details as JsonObject) : undefined,
  });
}

function responseOf(message: BaseMessage | undefined, generationText: unknown): JsonObject {
  if (message === undefined)
    return { text: typeof generationText === "string" ? generationText : "" };
  const { role: _role, ...rest } = messageJson(message);
  return rest;
}

/** A message id the provider gave (LangChain's own are `run-<run id>`). */
function providerMessageId(id: unknown): string | undefined {
  return typeof id === "string" && id !== "" && !id.startsWith("run-") ? id : undefined;
}

function fieldsOf(value: unknown): Fields {
  return typeof value === "object" && value !== null ? (value as Fields) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function finite(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A token count the client accepts (a non-negative int32); anything else is left out. */
function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 2 ** 31 - 1
    ? value
    : undefined;
}
