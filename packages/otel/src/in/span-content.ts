/**
 * What a finished GenAI span says, as the builders' inputs: one reader per fact, each trying the
 * names of the GenAI conventions (current, then deprecated), the AI SDK and OpenInference in
 * turn. Content (prompts, responses, arguments, results) is read only when capture allows it.
 */

import type {
  AgentOptions,
  DataAccessInit,
  ErrorInit,
  JsonInput,
  ModelInvocationResult,
  ModelInvocationStart,
  ToolCallResult,
  ToolCallStart,
} from "@chaukas/client";
import { omitUndefined, toLenientJsonObject, unrecordedMessage } from "@chaukas/client/integration";
import type { Attributes } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import {
  countAttribute,
  indexedAttribute,
  jsonAttribute,
  numberAttribute,
  stringAttribute,
  stringsAttribute,
} from "./span-attributes.js";

/** Which content may leave the process (`recordInputs`, `recordOutputs`). */
export interface ContentCapture {
  readonly inputs: boolean;
  readonly outputs: boolean;
}

/** The attributes that name a span's session, in the order they are read. */
export const SESSION_ATTRIBUTES = [
  "gen_ai.conversation.id",
  "ai.telemetry.metadata.sessionId",
  "session.id",
] as const;

/** The session a span names (`gen_ai.conversation.id`, AI SDK metadata, OpenInference). */
export function sessionIdOf(attributes: Attributes): string | undefined {
  return stringAttribute(attributes, ...SESSION_ATTRIBUTES);
}

/** A JSON object of the values that are set, or undefined when none is. */
function jsonOf(fields: Record<string, unknown>): JsonInput | undefined {
  const set = Object.entries(fields).filter(([, value]) => value !== undefined);
  return set.length === 0 ? undefined : toLenientJsonObject(Object.fromEntries(set));
}

/** OpenInference's `llm.invocation_parameters`: the request's settings as a JSON string. */
function invocationParameters(attributes: Attributes): Attributes {
  const parsed = jsonAttribute(attributes, "llm.invocation_parameters");
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
  return parsed as Attributes;
}

/** MODEL_INVOCATION_START's fields: provider, model, settings and (with inputs) the request. */
export function modelStart(
  attributes: Attributes,
  capture: ContentCapture,
): Omit<ModelInvocationStart, "spanId" | "startTime"> {
  const settings = invocationParameters(attributes);
  const setting = (conventional: string, aiSdk: string, openInference: string) =>
    numberAttribute(attributes, conventional, aiSdk) ?? numberAttribute(settings, openInference);
  return omitUndefined<ModelInvocationStart>({
    provider:
      stringAttribute(
        attributes,
        "gen_ai.provider.name",
        "gen_ai.system",
        "ai.model.provider",
        "llm.provider",
        "llm.system",
      ) ?? "unknown",
    model:
      stringAttribute(
        attributes,
        "gen_ai.request.model",
        "ai.model.id",
        "llm.model_name",
        "gen_ai.response.model",
      ) ?? "unknown",
    temperature: setting("gen_ai.request.temperature", "ai.settings.temperature", "temperature"),
    maxTokens: countAttribute(
      { ...settings, ...attributes },
      "gen_ai.request.max_tokens",
      "ai.settings.maxOutputTokens",
      "ai.settings.maxTokens",
      "max_tokens",
      "max_completion_tokens",
    ),
    topP: setting("gen_ai.request.top_p", "ai.settings.topP", "top_p"),
    frequencyPenalty: setting(
      "gen_ai.request.frequency_penalty",
      "ai.settings.frequencyPenalty",
      "frequency_penalty",
    ),
    presencePenalty: setting(
      "gen_ai.request.presence_penalty",
      "ai.settings.presencePenalty",
      "presence_penalty",
    ),
    request: capture.inputs
      ? jsonOf({
          messages:
            jsonAttribute(attributes, "gen_ai.input.messages", "ai.prompt.messages") ??
            indexedAttribute(attributes, "gen_ai.prompt") ??
            indexedAttribute(attributes, "llm.input_messages") ??
            jsonAttribute(attributes, "gen_ai.prompt", "ai.prompt", "input.value"),
          system_instructions: jsonAttribute(attributes, "gen_ai.system_instructions"),
          tools:
            jsonAttribute(attributes, "gen_ai.tool.definitions", "ai.prompt.tools") ??
            indexedAttribute(attributes, "llm.tools"),
          tool_choice: jsonAttribute(attributes, "ai.prompt.toolChoice"),
        })
      : undefined,
  });
}

/**
 * MODEL_INVOCATION_END's fields: tokens, finish reason, response id and (with outputs) the
 * response. Cached, cache-creation and reasoning tokens, which `llm_invocation` has no field
 * for, go under the END's `metadata.usage`; a response model other than the requested one under
 * `metadata.response_model`.
 */
export function modelResult(
  attributes: Attributes,
  capture: ContentCapture,
): Omit<ModelInvocationResult, "endTime"> {
  const usage = omitUndefined<Record<string, number>>({
    cache_read_input_tokens: countAttribute(
      attributes,
      "gen_ai.usage.cache_read.input_tokens",
      "ai.usage.cachedInputTokens",
      "ai.usage.inputTokenDetails.cacheReadTokens",
      "llm.token_count.prompt_details.cache_read",
    ),
    cache_creation_input_tokens: countAttribute(
      attributes,
      "gen_ai.usage.cache_creation.input_tokens",
      "ai.usage.inputTokenDetails.cacheWriteTokens",
      "llm.token_count.prompt_details.cache_write",
    ),
    reasoning_output_tokens: countAttribute(
      attributes,
      "gen_ai.usage.reasoning.output_tokens",
      "ai.usage.reasoningTokens",
      "ai.usage.outputTokenDetails.reasoningTokens",
      "llm.token_count.completion_details.reasoning",
    ),
  });
  const requested = stringAttribute(attributes, "gen_ai.request.model", "ai.model.id");
  const responseModel = stringAttribute(attributes, "gen_ai.response.model", "ai.response.model");
  const metadata = jsonOf({
    usage: Object.keys(usage).length > 0 ? usage : undefined,
    response_model: responseModel !== requested ? responseModel : undefined,
  });
  return omitUndefined<ModelInvocationResult>({
    promptTokens: countAttribute(
      attributes,
      "gen_ai.usage.input_tokens",
      "gen_ai.usage.prompt_tokens",
      "ai.usage.inputTokens",
      "ai.usage.promptTokens",
      "llm.token_count.prompt",
    ),
    completionTokens: countAttribute(
      attributes,
      "gen_ai.usage.output_tokens",
      "gen_ai.usage.completion_tokens",
      "ai.usage.outputTokens",
      "ai.usage.completionTokens",
      "llm.token_count.completion",
    ),
    totalTokens: countAttribute(attributes, "ai.usage.totalTokens", "llm.token_count.total"),
    finishReason: stringsAttribute(
      attributes,
      "gen_ai.response.finish_reasons",
      "ai.response.finishReason",
    )?.join(","),
    responseId: stringAttribute(attributes, "gen_ai.response.id", "ai.response.id"),
    metadata,
    response: capture.outputs
      ? jsonOf({
          messages:
            jsonAttribute(attributes, "gen_ai.output.messages") ??
            indexedAttribute(attributes, "gen_ai.completion") ??
            indexedAttribute(attributes, "llm.output_messages") ??
            jsonAttribute(attributes, "gen_ai.completion", "output.value"),
          text: jsonAttribute(attributes, "ai.response.text"),
          tool_calls: jsonAttribute(attributes, "ai.response.toolCalls"),
          object: jsonAttribute(attributes, "ai.response.object"),
          embedding_count: countAttribute(attributes, "gen_ai.embeddings.dimension.count"),
        })
      : undefined,
  });
}

/** TOOL_CALL_START's fields: name, the call's id and (with inputs) the arguments. */
export function toolStart(
  name: string,
  attributes: Attributes,
  capture: ContentCapture,
): Omit<ToolCallStart, "spanId" | "startTime"> {
  const args = capture.inputs
    ? jsonAttribute(attributes, "gen_ai.tool.call.arguments", "ai.toolCall.args", "input.value")
    : undefined;
  return omitUndefined<ToolCallStart>({
    name: stringAttribute(attributes, "gen_ai.tool.name", "ai.toolCall.name", "tool.name") ?? name,
    id: stringAttribute(attributes, "gen_ai.tool.call.id", "ai.toolCall.id", "tool_call.id"),
    arguments: args === undefined ? undefined : toLenientJsonObject(args, "arguments"),
  });
}

/** TOOL_CALL_END's fields: (with outputs) the result. */
export function toolResult(
  attributes: Attributes,
  capture: ContentCapture,
): Omit<ToolCallResult, "endTime"> {
  const output = capture.outputs
    ? jsonAttribute(attributes, "gen_ai.tool.call.result", "ai.toolCall.result", "output.value")
    : undefined;
  return output === undefined ? {} : { output: toLenientJsonObject(output, "output")! };
}

/** AGENT_START's fields: the agent's id (its name when it has none) and name. */
export function agentStart(
  name: string,
  attributes: Attributes,
): Omit<AgentOptions, "spanId" | "startTime"> {
  const agentName = stringAttribute(attributes, "gen_ai.agent.name", "agent.name");
  return omitUndefined<AgentOptions>({
    agentId: stringAttribute(attributes, "gen_ai.agent.id") ?? agentName ?? name,
    agentName: agentName ?? name,
  });
}

/** DATA_ACCESS's fields: the data source (the span's name without one) and documents read. */
export function dataAccess(
  name: string,
  attributes: Attributes,
): Omit<DataAccessInit, "spanId" | "time"> {
  const documents =
    jsonAttribute(attributes, "gen_ai.retrieval.documents") ??
    indexedAttribute(attributes, "retrieval.documents");
  const documentIds = Array.isArray(documents)
    ? documents
        .map((document) => {
          const fields = (document ?? {}) as { id?: unknown; document?: { id?: unknown } };
          return fields.id ?? fields.document?.id;
        })
        .filter((id) => typeof id === "string" || typeof id === "number")
        .map(String)
    : [];
  return omitUndefined<DataAccessInit>({
    datasource:
      stringAttribute(attributes, "gen_ai.data_source.id", "db.system.name", "db.system") ?? name,
    documentIds: documentIds.length > 0 ? documentIds : undefined,
  });
}

/**
 * How a span failed, when its status is ERROR: the recorded exception's message and type (the
 * type as the error code), else the status message and `error.type`. Without outputs only the
 * type is kept: a message or stack may quote the prompt, arguments or results.
 */
export function spanFailure(span: ReadableSpan, capture: ContentCapture): ErrorInit | undefined {
  // SpanStatusCode.ERROR; a number here so the API package is needed for types only.
  if (span.status.code !== 2) return undefined;
  const exception = span.events.find((event) => event.name === "exception")?.attributes ?? {};
  const type =
    stringAttribute(exception, "exception.type") ?? stringAttribute(span.attributes, "error.type");
  const message =
    stringAttribute(exception, "exception.message") || span.status.message || type || "error";
  const stack = stringAttribute(exception, "exception.stacktrace");
  return omitUndefined<ErrorInit>({
    message: capture.outputs ? message : unrecordedMessage(type ?? "error"),
    code: type,
    stack: capture.outputs ? stack : undefined,
  });
}
