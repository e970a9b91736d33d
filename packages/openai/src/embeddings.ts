/** `embeddings.create`: a model invocation whose output is vectors, not text. */

import type { ModelInvocationResult, ModelInvocationStart } from "@chaukas/client";
import {
  fieldsOf,
  nonEmptyString,
  omitUndefined,
  type ProviderOperation,
  tokenCount,
  toLenientJsonObject,
} from "@chaukas/client/integration";

export const embeddings: ProviderOperation = {
  name: "embeddings.create",

  start(body, capture) {
    const params = fieldsOf(body);
    return omitUndefined<Omit<ModelInvocationStart, "provider">>({
      model: nonEmptyString(params.model) ?? "unknown",
      request: capture.inputs ? toLenientJsonObject(body) : undefined,
    });
  },

  outcome(value, capture) {
    const list = fieldsOf(value);
    const usage = fieldsOf(list.usage);
    const data = Array.isArray(list.data) ? list.data : [];
    const first = fieldsOf(data[0]).embedding;
    // The vectors themselves would dwarf the event: their count and size say what came back.
    const dimensions =
      Array.isArray(first) || ArrayBuffer.isView(first)
        ? (first as ArrayLike<number>).length
        : undefined;
    return {
      result: omitUndefined<ModelInvocationResult>({
        promptTokens: tokenCount(usage.prompt_tokens),
        completionTokens: 0,
        totalTokens: tokenCount(usage.total_tokens),
        response: capture.outputs
          ? toLenientJsonObject(omitUndefined({ embeddings: data.length, dimensions }))
          : undefined,
      }),
      metadata: {
        embeddings: data.length,
        ...(dimensions === undefined ? {} : { dimensions }),
        ...(nonEmptyString(list.model) ? { response_model: list.model as string } : {}),
      },
    };
  },
};
