import type { ModelInvocationResult, ModelInvocationStart } from "@chaukas/client";
import {
  fieldsOf,
  finiteNumber,
  nonEmptyString,
  omitUndefined,
  tokenCount,
  toLenientJsonObject,
} from "@chaukas/client/integration";
import type { GenerationSpanData, ResponseSpanData } from "@openai/agents-core";
import { jsonUnder, nameOrUnknown } from "./sdk-values.js";

/** What content may leave the process, and the provider named on generation spans. */
export interface ContentCapture {
  readonly inputs: boolean;
  readonly outputs: boolean;
  readonly provider: string;
}

/**
 * One model call read from a finished span, as the builders take it: the fields of
 * `modelInvocationStart` and of the END's result (the span's times and id are added by the
 * caller). Total tokens are given only when the SDK has them; otherwise the builder sums.
 */
export interface ModelCall {
  readonly start: ModelInvocationStart;
  readonly result: ModelInvocationResult;
}

/**
 * A `generation` span (Chat Completions and other providers): model and settings from the
 * span, tokens from its `usage` or else from the first response's `usage` (the SDK's Chat
 * Completions model records only the response), the finish reason of its first choice.
 */
export function generationCall(data: GenerationSpanData, capture: ContentCapture): ModelCall {
  const config = fieldsOf(data.model_config);
  const first = fieldsOf(data.output?.[0]);
  const usage = fieldsOf(data.usage);
  const responseUsage = fieldsOf(first.usage);
  const choices = Array.isArray(first.choices) ? first.choices : [];
  return {
    start: omitUndefined<ModelInvocationStart>({
      provider: capture.provider,
      model: nameOrUnknown(nonEmptyString(data.model) ?? first.model),
      request: capture.inputs ? jsonUnder("input", data.input) : undefined,
      temperature: finiteNumber(config.temperature),
      topP: finiteNumber(config.top_p),
      maxTokens: tokenCount(config.max_tokens),
      frequencyPenalty: finiteNumber(config.frequency_penalty),
      presencePenalty: finiteNumber(config.presence_penalty),
    }),
    result: omitUndefined<ModelInvocationResult>({
      response: capture.outputs ? jsonUnder("output", data.output) : undefined,
      promptTokens:
        tokenCount(usage.input_tokens) ??
        tokenCount(responseUsage.prompt_tokens) ??
        tokenCount(responseUsage.input_tokens),
      completionTokens:
        tokenCount(usage.output_tokens) ??
        tokenCount(responseUsage.completion_tokens) ??
        tokenCount(responseUsage.output_tokens),
      totalTokens: tokenCount(usage.total_tokens) ?? tokenCount(responseUsage.total_tokens),
      finishReason: nonEmptyString(fieldsOf(choices[0]).finish_reason),
      responseId: nonEmptyString(first.id),
    }),
  };
}

/**
 * A `response` span (OpenAI's Responses API): everything is in the response object the SDK
 * attaches. Of it only `id`, `status` and `output` are sent as the response, since the rest
 * echoes the request (instructions, tools), which `recordInputs` governs.
 */
export function responseCall(data: ResponseSpanData, capture: ContentCapture): ModelCall {
  const response = fieldsOf(data._response);
  const usage = fieldsOf(response.usage);
  return {
    start: omitUndefined<ModelInvocationStart>({
      provider: "openai",
      model: nameOrUnknown(response.model),
      request: capture.inputs ? jsonUnder("input", data._input) : undefined,
      temperature: finiteNumber(response.temperature),
      topP: finiteNumber(response.top_p),
      maxTokens: tokenCount(response.max_output_tokens),
    }),
    result: omitUndefined<ModelInvocationResult>({
      response:
        capture.outputs && data._response !== undefined
          ? toLenientJsonObject({
              id: response.id,
              status: response.status,
              output: response.output,
            })
          : undefined,
      promptTokens: tokenCount(usage.input_tokens),
      completionTokens: tokenCount(usage.output_tokens),
      totalTokens: tokenCount(usage.total_tokens),
      finishReason: nonEmptyString(fieldsOf(response.incomplete_details).reason),
      responseId: nonEmptyString(data.response_id) ?? nonEmptyString(response.id),
    }),
  };
}
