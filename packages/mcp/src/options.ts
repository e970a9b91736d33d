import type { ChaukasScope, RemoteContext } from "@chaukas/client";
import type { MessageExtraInfo } from "@modelcontextprotocol/sdk/types.js";

/** Which end of the MCP connection the wrapped transport belongs to. */
export type McpSide = "client" | "server";

/** Options of `instrumentMcpTransport`. Defaults are in `MCP_INSTRUMENTATION_DEFAULTS`. */
export interface McpInstrumentationOptions {
  /**
   * "client": requests this transport sends are recorded, and carry the call's context in
   * `params._meta` (`traceparent`, and `baggage` with the Chaukas session id). "server":
   * requests it receives are recorded, continuing the caller's trace (and, with `trust`, its
   * session) from that `_meta`. Required.
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
   * context). On the server side this applies only to requests that carry no valid
   * `traceparent` in `_meta`; the others continue the caller's trace (see `trust`).
   * Default: the client passed to `instrumentMcpTransport`.
   */
  readonly scope?: ChaukasScope;
  /**
   * Server side: whether a caller's Chaukas session id (`_meta.baggage`) is adopted, so that
   * this server's call spans join the caller's session, with no SESSION_START/END of their
   * own. `true`, or a predicate over the request (the SDK's information on the message:
   * `extra.authInfo`, `extra.requestInfo.headers`) and the context it carried, as
   * `continueFromRequest` takes; synchronous, since the call's span must exist before its
   * handler runs. A predicate that throws counts as `false`. Trust only callers you
   * authenticate: otherwise any client could write into any session. An untrusted caller's
   * calls go into a session of this server's own, on the caller's trace, one per transport and
   * caller session, whose SESSION_START records the caller's session id as
   * `metadata.caller_session_id` and which ends when the transport closes. Default: false.
   */
  readonly trust?: boolean | McpTrustPredicate;
  /** The JSON-RPC methods recorded. Default: `["tools/call", "resources/read", "prompts/get"]`. */
  readonly methods?: readonly string[];
  /**
   * Told about each of the adapter's own failures (e.g. a value it could not read as JSON),
   * with the step it happened in; they are also counted in `stats().errors`. The MCP traffic
   * never sees them, nor what this function throws. Default: none.
   */
  readonly onError?: (error: unknown, step: McpAdapterStep) => void;
}

/**
 * Decides whether the caller of one request may place events into its own session: `extra` is
 * what the MCP SDK tells the transport about the message (`authInfo`, the HTTP request's
 * headers in `requestInfo`; `undefined` on transports that tell nothing, such as stdio), and
 * `remote` what the caller sent in `_meta` (its session id in `remote.sessionId`).
 */
export type McpTrustPredicate = (
  extra: MessageExtraInfo | undefined,
  remote: RemoteContext,
) => boolean;

/**
 * Where an adapter failure happened: handling a message sent or received, a failed send, the
 * transport's close, or recording a call's content (its request or its result).
 */
export type McpAdapterStep =
  | "send"
  | "send failed"
  | "receive"
  | "close"
  | "request content"
  | "response content";

/** Defaults of `McpInstrumentationOptions`. */
export const MCP_INSTRUMENTATION_DEFAULTS = {
  serverUrl: "",
  recordInputs: true,
  recordOutputs: true,
  methods: ["tools/call", "resources/read", "prompts/get"] as readonly string[],
  trust: false,
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
