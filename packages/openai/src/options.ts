import { OPEN_CALLS_DEFAULTS } from "@chaukas/client/integration";

/** Options of `wrapOpenAI(client, chaukas, options)`. */
export interface WrapOpenAIOptions {
  /**
   * Send what goes into the model: the request body (messages, input, tools, parameters) as
   * `llm_invocation.request`. `false` keeps it in the process; the model, its settings, token
   * counts and timings are still sent. Default: true.
   */
  readonly recordInputs?: boolean;
  /**
   * Send what comes out: the model's messages, tool call arguments and output items as
   * `llm_invocation.response`, and API error messages. `false` keeps them in the process; the
   * tool calls' names and ids, finish reasons and error types are still sent. Default: true.
   */
  readonly recordOutputs?: boolean;
  /**
   * `llm_invocation.provider` of every call, e.g. "azure-openai" for an `AzureOpenAI` client or
   * the name of an OpenAI-compatible server. Default: "openai".
   */
  readonly provider?: string;
  /**
   * Calls of this client followed at once (made, not yet ended as the app saw them; a client
   * derived with `withOptions()` has its own). A call whose promise is never awaited, or whose
   * stream is never read to its end or closed, stays open; beyond this many, the oldest open
   * call is evicted: its END is sent failed (code "evicted"), and the eviction is counted and
   * told to `onError` ("maxOpenCalls"). Default: 1000.
   */
  readonly maxOpenCalls?: number;
  /**
   * Told of each failure of the wrapper itself (an event the client refused, a value it could
   * not read), with where it happened (e.g. "chat.completions.create"). The call itself is never
   * affected; what `onError` throws is ignored. Default: none.
   */
  readonly onError?: (error: unknown, where: string) => void;
}

/** Defaults of `WrapOpenAIOptions`. */
export const WRAP_OPENAI_DEFAULTS = {
  recordInputs: true,
  recordOutputs: true,
  provider: "openai",
  maxOpenCalls: OPEN_CALLS_DEFAULTS.maxOpenCalls,
} as const satisfies Required<Omit<WrapOpenAIOptions, "onError">>;
