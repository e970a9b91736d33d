/** Options of `wrapQuery(query, chaukas, options)`. */
export interface ChaukasQueryOptions {
  /**
   * Send what goes in: prompts (INPUT_RECEIVED text), tool and MCP arguments. `false` keeps them
   * in the process; tool names, models, token counts and timings are still sent. Default: true.
   */
  readonly recordInputs?: boolean;
  /**
   * Send what comes out: the model's content blocks, tool results, the final result text and
   * error messages. `false` keeps them in the process. Default: true.
   */
  readonly recordOutputs?: boolean;
  /** The agent id of the session (SESSION_START's `agent_id`). Default: "claude-code". */
  readonly agentId?: string;
  /**
   * Told of each failure of the integration itself (an event the client refused, a value it
   * could not read), with where it happened (a hook or message type). The query is never
   * affected; what `onError` throws is ignored. Default: none.
   */
  readonly onError?: (error: unknown, where: string) => void;
}

/** Defaults of `ChaukasQueryOptions`. */
export const CHAUKAS_QUERY_DEFAULTS = {
  recordInputs: true,
  recordOutputs: true,
  agentId: "claude-code",
} as const satisfies Required<Omit<ChaukasQueryOptions, "onError">>;
