/** `responses.create` (and the helpers built on it: `parse`, `stream`). */

import type { ModelInvocationResult, ModelInvocationStart } from "@chaukas/client";
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
import { usageMetadata } from "./usage.js";

/** Output items that are the model asking for a tool call, with their id field. */
const TOOL_CALL_ITEMS: ReadonlyMap<unknown, string> = new Map([
  ["function_call", "call_id"],
  ["custom_tool_call", "call_id"],
]);

/** Stream events that end the response, carrying it whole. */
const FINAL_EVENTS = new Set(["response.completed", "response.incomplete", "response.failed"]);

export const responses: ProviderOperation = {
  name: "responses.create",

  start(body, capture) {
    const params = fieldsOf(body);
    return omitUndefined<Omit<ModelInvocationStart, "provider">>({
      model: nonEmptyString(params.model) ?? "unknown",
      temperature: finiteNumber(params.temperature),
      maxTokens: tokenCount(params.max_output_tokens),
      topP: finiteNumber(params.top_p),
      request: capture.inputs ? toLenientJsonObject(body) : undefined,
    });
  },

  outcome: (value, capture) => outcomeOf(fieldsOf(value), capture),

  stream(capture): StreamFold {
    let latest: Readonly<Record<string, unknown>> = {};
    return {
      add(event) {
        const fields = fieldsOf(event);
        const type = typeof fields.type === "string" ? fields.type : "";
        // `response.created` and `response.in_progress` carry the response so far; the final
        // events carry it whole.
        if (fields.response && (FINAL_EVENTS.has(type) || type.startsWith("response."))) {
          latest = fieldsOf(fields.response);
        }
        return type.endsWith(".delta");
      },
      outcome: () => outcomeOf(latest, capture),
    };
  },
};

function outcomeOf(
  response: Readonly<Record<string, unknown>>,
  capture: ContentCapture,
): CallOutcome {
  const usage = fieldsOf(response.usage);
  const output = Array.isArray(response.output) ? response.output : [];
  const toolCalls = output.flatMap((item) => {
    const fields = fieldsOf(item);
    const idKey = TOOL_CALL_ITEMS.get(fields.type);
    return idKey === undefined
      ? []
      : [{ id: nonEmptyString(fields[idKey]) ?? "", name: nonEmptyString(fields.name) ?? "" }];
  });
  const status = nonEmptyString(response.status);
  const error = fieldsOf(response.error);
  return {
    result: omitUndefined<ModelInvocationResult>({
      promptTokens: tokenCount(usage.input_tokens),
      completionTokens: tokenCount(usage.output_tokens),
      totalTokens: tokenCount(usage.total_tokens),
      // An incomplete response says why ("max_output_tokens"); any other, its status.
      finishReason: nonEmptyString(fieldsOf(response.incomplete_details).reason) ?? status,
      responseId: nonEmptyString(response.id),
      // Only what the model produced: the rest of the object echoes the request.
      response: capture.outputs
        ? toLenientJsonObject({ id: response.id, status: response.status, output })
        : undefined,
    }),
    metadata: {
      ...usageMetadata(
        fieldsOf(usage.input_tokens_details).cached_tokens,
        fieldsOf(usage.output_tokens_details).reasoning_tokens,
      ),
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      ...(nonEmptyString(response.model) ? { response_model: response.model as string } : {}),
    },
    ...(status === "failed"
      ? {
          failure: {
            message: capture.outputs
              ? (nonEmptyString(error.message) ?? "the response failed")
              : "the response failed (message not recorded: recordOutputs is false)",
            ...(nonEmptyString(error.code) ? { code: error.code as string } : {}),
          },
        }
      : {}),
  };
}
