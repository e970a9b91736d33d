import { ChaukasValidationError } from "@chaukas/client";

/** Which callback of the handler an integration failure happened in (`"handleToolEnd"`, ...). */
export type CallbackName = string;

/** Options of `new ChaukasCallbackHandler(chaukas, options)`. */
export interface ChaukasCallbackHandlerOptions {
  /**
   * Send what goes in: prompts and messages (`llm_invocation.request`), tool arguments,
   * retriever queries and a graph's input. `false` keeps them in the process;
   * names, models, token counts, timings and ids are still sent. Default: true.
   */
  readonly recordInputs?: boolean;
  /**
   * Send what comes out: model responses, tool results, a graph's final state, interrupt
   * payloads and error messages. `false` keeps them in the process. Default: true.
   */
  readonly recordOutputs?: boolean;
  /**
   * Send each LangGraph node's state update as a STATE_UPDATE (the update the node returned,
   * under the node's agent). Off by default because states are large (a whole message
   * history per step). Default: false.
   */
  readonly recordState?: boolean;
  /** Tags added to every event the handler emits (after the client's own). Default: none. */
  readonly tags?: readonly string[];
  /**
   * The agent name of a LangGraph graph that has none of its own (LangGraph names it
   * "LangGraph" unless `compile({ name })` or `createReactAgent({ name })` says otherwise).
   * Default: "LangGraph".
   */
  readonly agentName?: string;
  /**
   * Let LangChain run this handler in the background (queued after the run's own work), as it
   * does for handlers by default. Default: false: the handler only builds and queues events
   * (no I/O, never throws into LangChain), so LangChain awaits it inline, which keeps the
   * caller's Chaukas scope (AsyncLocalStorage) for root runs under concurrency and queues
   * every event before `invoke` resolves. See the README's "Serverless".
   */
  readonly background?: boolean;
  /**
   * Told of each failure of the handler itself (an event the client refused, a LangChain value
   * it could not read), with the callback it happened in; also counted in `stats().failed`.
   * The run is never affected; what `onError` throws is ignored. Default: none.
   */
  readonly onError?: (error: unknown, callback: CallbackName) => void;
}

/** Defaults of `ChaukasCallbackHandlerOptions`. */
export const CHAUKAS_CALLBACK_HANDLER_DEFAULTS = {
  recordInputs: true,
  recordOutputs: true,
  recordState: false,
  tags: [],
  agentName: "LangGraph",
  background: false,
} as const satisfies Required<Omit<ChaukasCallbackHandlerOptions, "onError">>;

/** The options with their defaults, checked. */
export type ResolvedOptions = Required<Omit<ChaukasCallbackHandlerOptions, "onError">>;

/** Checks `options` and fills in the defaults; throws `ChaukasValidationError` naming the option. */
export function resolveOptions(options: ChaukasCallbackHandlerOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new ChaukasValidationError("options", "expected an options object");
  }
  const defaults = CHAUKAS_CALLBACK_HANDLER_DEFAULTS;
  for (const key of ["recordInputs", "recordOutputs", "recordState", "background"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "boolean") {
      throw new ChaukasValidationError(key, "expected a boolean");
    }
  }
  const { tags, agentName, onError } = options;
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((t) => typeof t === "string"))) {
    throw new ChaukasValidationError("tags", "expected an array of strings");
  }
  if (agentName !== undefined && (typeof agentName !== "string" || agentName === "")) {
    throw new ChaukasValidationError("agentName", "expected a non-empty string");
  }
  if (onError !== undefined && typeof onError !== "function") {
    throw new ChaukasValidationError("onError", "expected a function");
  }
  return {
    recordInputs: options.recordInputs ?? defaults.recordInputs,
    recordOutputs: options.recordOutputs ?? defaults.recordOutputs,
    recordState: options.recordState ?? defaults.recordState,
    tags: tags === undefined ? defaults.tags : [...tags],
    agentName: agentName ?? defaults.agentName,
    background: options.background ?? defaults.background,
  };
}
