import type { ChaukasScope } from "@chaukas/client";

/** Which end of the MCP connection the wrapped transport belongs to. */
export type McpSide = "client" | "server";

/** Options of `instrumentMcpTransport`. Defaults are in `MCP_INSTRUMENTATION_DEFAULTS`. */
export interface McpInstrumentationOptions {
  /**
   * "client": requests this transport sends are recorded, and carry a W3C `traceparent` in
   * `params._meta.traceparent`. "server": requests it receives are recorded, continuing the
   * caller's trace from that `traceparent`. Required.
   */
  readonly side: McpSide;
  /** `mcp_call.server_name` of every event (the MCP server's name). Required, non-empty. */
  readonly serverName: string;
  /** `mcp_call.server_url` (e.g. the streamable HTTP endpoint). Default: "". */
  readonly serverUrl?: string;
  /**
   * Records the request's parameters (tool and prompt arguments) in `mcp_call.request`. The
   * tool or prompt name and the resource URI are recorded either way: they name the call.
   * Default: true.
   */
  readonly recordInputs?: boolean;
  /**
   * Records results (tool content, resource contents, prompt messages) in `mcp_call.response`,
   * and error data and tool error text. JSON-RPC error messages are recorded either way.
   * Default: true.
   */
  readonly recordOutputs?: boolean;
  /**
   * Where call spans start: a session or agent handle, or the client itself (its active
   * context). A server-side request that carries a valid `traceparent` starts a session in
   * that trace instead. Default: the client passed to `instrumentMcpTransport`.
   */
  readonly scope?: ChaukasScope;
  /** The JSON-RPC methods recorded. Default: `["tools/call", "resources/read", "prompts/get"]`. */
  readonly methods?: readonly string[];
  /**
   * Told about each of the adapter's own failures (e.g. a result the client refused as an
   * event); they are also counted in `stats().errors`. The MCP traffic never sees them.
   * Default: none.
   */
  readonly onError?: (error: unknown) => void;
}

/** Defaults of `McpInstrumentationOptions`. */
export const MCP_INSTRUMENTATION_DEFAULTS = {
  serverUrl: "",
  recordInputs: true,
  recordOutputs: true,
  methods: ["tools/call", "resources/read", "prompts/get"] as readonly string[],
} as const satisfies Partial<McpInstrumentationOptions>;

/** Counters of an instrumented transport (`transport.stats()`). */
export interface McpInstrumentationStats {
  /** Calls recorded (MCP_CALL_START emitted). */
  readonly started: number;
  /** Calls ended with status COMPLETED. */
  readonly completed: number;
  /**
   * Calls ended with status FAILED: a JSON-RPC error, a tool result with `isError`, a
   * cancellation, a failed send, or no response before the transport closed.
   */
  readonly failed: number;
  /** Calls waiting for their response: `started = completed + failed + pending`. */
  readonly pending: number;
  /** The adapter's own failures, also passed to `onError`. */
  readonly errors: number;
}
