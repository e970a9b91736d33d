import type { JsonObject } from "@bufbuild/protobuf";
import type { GenerationSpanData, ResponseSpanData } from "@openai/agents-core";
import { finiteNumber, nonEmptyString, toJsonObject, tokenCount, wrapJson } from "./json-value.js";

/** What content may leave the process, and the provider named on generation spans. */
export interface ContentCapture {
  readonly inputs: boolean;
  readonly outputs: boolean;
  readonly provider: string;
}

/** One model call as Chaukas describes it (`llm_invocation`), read from a finished span. */
export interface ModelCall {
  readonly provider: string;
  readonly model: string;
  readonly request?: JsonObject | undefined;
  readonly response?: JsonObject | undefined;
  readonly promptTokens?: number | undefined;
  readonly completionTokens?: number | undefined;
  readonly totalTokens?: number | undefined;
  readonly finishReason?: string | undefined;
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  readonly maxTokens?: number | undefined;
  readonly frequencyPenalty?: number | undefined;
  readonly presencePenalty?: number | undefined;
  /** `Event.response_id`: the provider's id of the response. */
  readonly responseId?: string | undefined;
}

type Fields = Record<string, unknown>;

function fields(value: unknown): Fields {
  return typeof value === "object" && value !== null ? (value as Fields) : {};
}

function total(prompt?: number, completion?: number, given?: number): number | undefined {
  if (given !== undefined) return given;
  return prompt === undefined && completion === undefined
    ? undefined
    : (prompt ?? 0) + (completion ?? 0);
}

/**
 * A `generation` span (Chat Completions and other providers): model and settings from the
 * span, tokens from its `usage` or else from the first response's `usage` (the SDK's Chat
 * Completions model records only the response), the finish reason of its first choice.
 */
export function generationCall(data: GenerationSpanData, capture: ContentCapture): ModelCall {
  const config = fields(data.model_config);
  const first = fields(data.output?.[0]);
  const usage = fields(data.usage);
  const responseUsage = fields(first.usage);
  const prompt =
    tokenCount(usage.input_tokens) ??
    tokenCount(responseUsage.prompt_tokens) ??
    tokenCount(responseUsage.input_tokens);
  const completion =
    tokenCount(usage.output_tokens) ??
    tokenCount(responseUsage.completion_tokens) ??
    tokenCount(responseUsage.output_tokens);
  const choices = Array.isArray(first.choices) ? first.choices : [];
  return {
    provider: capture.provider,
    model: nonEmptyString(data.model) ?? nonEmptyString(first.model) ?? "",
    request: capture.inputs ? wrapJson("input", data.input) : undefined,
    response: capture.outputs ? wrapJson("output", data.output) : undefined,
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: total(
      prompt,
      completion,
      tokenCount(usage.total_tokens) ?? tokenCount(responseUsage.total_tokens),
    ),
    finishReason: nonEmptyString(fields(choices[0]).finish_reason),
    temperature: finiteNumber(config.temperature),
    topP: finiteNumber(config.top_p),
    maxTokens: tokenCount(config.max_tokens),
    frequencyPenalty: finiteNumber(config.frequency_penalty),
    presencePenalty: finiteNumber(config.presence_penalty),
    responseId: nonEmptyString(first.id),
  };
}

/**
 * A `response` span (OpenAI's Responses API): everything is in the response object the SDK
 * attaches. Of it only `id`, `status` and `output` are sent as the response, since the rest
 * echoes the request (instructions, tools), which `recordInputs` governs.
 */
export function responseCall(data: ResponseSpanData, capture: ContentCapture): ModelCall {
  const response = fields(data._response);
  const usage = fields(response.usage);
  const prompt = tokenCount(usage.input_tokens);
  const completion = tokenCount(usage.output_tokens);
  const incomplete = fields(response.incomplete_details);
  return {
    provider: "openai",
    model: nonEmptyString(response.model) ?? "",
    request: capture.inputs ? wrapJson("input", data._input) : undefined,
    response:
      capture.outputs && data._response !== undefined
        ? toJsonObject({ id: response.id, status: response.status, output: response.output })
        : undefined,
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: total(prompt, completion, tokenCount(usage.total_tokens)),
    finishReason: nonEmptyString(incomplete.reason),
    temperature: finiteNumber(response.temperature),
    topP: finiteNumber(response.top_p),
    maxTokens: tokenCount(response.max_output_tokens),
    responseId: nonEmptyString(data.response_id) ?? nonEmptyString(response.id),
  };
}
