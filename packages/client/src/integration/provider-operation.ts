// The shape of one provider SDK operation (`chat.completions.create`, `messages.create`): how its
// request, response and streamed events map onto the builders.

import type {
  ErrorInit,
  JsonInput,
  ModelInvocationResult,
  ModelInvocationStart,
} from "@chaukas/client";

/**
 * What a provider SDK integration knows of each operation it records: how a request body becomes
 * MODEL_INVOCATION_START and how the response (or its streamed events) becomes the END.
 */

/** What content may leave the process. */
export interface ContentCapture {
  readonly inputs: boolean;
  readonly outputs: boolean;
}

/** How a call ended, as the builders take it, with what the END's `metadata` adds. */
export interface CallOutcome {
  /** `model.end(result)`'s fields (tokens, finish reason, response, response id). */
  readonly result: ModelInvocationResult;
  /** Added to the END's `metadata`: cached and reasoning tokens, tool calls asked for. */
  readonly metadata: JsonInput;
  /** Set when the API answered that the call failed (a `response.failed` event). */
  readonly failure?: ErrorInit;
}

/** Streamed events of one call, folded into its outcome as they pass. */
export interface StreamFold {
  /** Takes an event; true when it carried the model's output (text, tool call, refusal). */
  add(event: unknown): boolean;
  /** The outcome of the events so far. */
  outcome(): CallOutcome;
}

/**
 * One operation of a provider SDK (`chat.completions.create`, `messages.create`), read the way
 * the builders take it.
 */
export interface ProviderOperation {
  /** The operation, e.g. "chat.completions.create": `metadata.operation` of its events. */
  readonly name: string;
  /** The START's fields but the provider, from the request body. */
  start(body: unknown, capture: ContentCapture): Omit<ModelInvocationStart, "provider">;
  /** The outcome from the parsed response. */
  outcome(value: unknown, capture: ContentCapture): CallOutcome;
  /** A fold of the streamed events; `undefined` when the operation does not stream. */
  stream?(capture: ContentCapture): StreamFold;
}
