import { OPEN_CALLS_DEFAULTS } from "@chaukas/client/integration";

/** Options of `wrapAnthropic(client, chaukas, options)`. */
export interface WrapAnthropicOptions {
  /**
   * Send what goes into the model: the request body (system prompt, messages, tools,
   * parameters) as `llm_invocation.request`. `false` keeps it in the process; the model, its
   * settings, token counts and timings are still sent. Default: true.
   */
  readonly recordInputs?: boolean;
  /**
   * Send what comes out: the content blocks (text, tool use input, thinking) as
   * `llm_invocation.response`, and API error messages. `false` keeps them in the process; the
   * tool uses' names and ids, stop reasons and error types are still sent. Default: true.
   */
  readonly recordOutputs?: boolean;
  /**
   * `llm_invocation.provider` of every call, e.g. "aws-bedrock" for an `AnthropicBedrock`
   * client. Default: "anthropic".
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
   * not read), with where it happened (e.g. "messages.create"). The call itself is never
   * affected; what `onError` throws is ignored. Default: none.
   */
  readonly onError?: (error: unknown, where: string) => void;
}

/** Defaults of `WrapAnthropicOptions`. */
export const WRAP_ANTHROPIC_DEFAULTS = {
  recordInputs: true,
  recordOutputs: true,
  provider: "anthropic",
  maxOpenCalls: OPEN_CALLS_DEFAULTS.maxOpenCalls,
} as const satisfies Required<Omit<WrapAnthropicOptions, "onError">>;
