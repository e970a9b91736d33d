import {
  type ChaukasClient,
  type ChaukasScope,
  type McpCallHandle,
  parseTraceparent,
  type SessionHandle,
  type SpanScope,
} from "@chaukas/client";
import type {
  JSONRPCMessage,
  JSONRPCRequest,
  MessageExtraInfo,
  RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import {
  type CallFailure,
  requestContent,
  responseContent,
  responseFailure,
} from "./call-content.js";
import {
  asNotification,
  asRequest,
  asResponse,
  isJsonObject,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from "./json-rpc.js";
import {
  MCP_INSTRUMENTATION_DEFAULTS,
  type McpInstrumentationOptions,
  type McpInstrumentationStats,
} from "./options.js";

/** One recorded call waiting for its response. */
interface PendingCall {
  readonly call: McpCallHandle;
  /** Server side: the session continuing the caller's trace, ended with the call. */
  readonly session: SessionHandle | undefined;
}

/**
 * Turns the messages of one transport into MCP call spans. Every method is guarded: the
 * adapter's own failures are counted and reported, never thrown at the transport.
 */
export interface McpCallTracker {
  /** A message about to be sent; returns what to send (a client request gains `traceparent`). */
  onSend(message: JSONRPCMessage): JSONRPCMessage;
  /** The transport refused to send `message` (its promise rejected or it threw). */
  onSendFailed(message: JSONRPCMessage, error: unknown): void;
  /** A message received; a server-side call returns its span, to run the handler in. */
  onReceive(message: JSONRPCMessage, extra: MessageExtraInfo | undefined): SpanScope | undefined;
  /** The transport closed: every pending call ends as failed. */
  onClose(): void;
  /** The protocol version the connection agreed on (from `setProtocolVersion`). */
  setProtocolVersion(version: string): void;
  stats(): McpInstrumentationStats;
}

const PROTOCOL_VERSION_HEADER = "mcp-protocol-version";
/** The SDK's `ErrorCode.ConnectionClosed`: what it rejects a pending request with on close. */
const CONNECTION_CLOSED = -32000;

export function createMcpCallTracker(
  chaukas: ChaukasClient,
  options: McpInstrumentationOptions,
  sessionId: () => string | undefined,
): McpCallTracker {
  const { side, serverName, onError } = options;
  const serverUrl = options.serverUrl ?? MCP_INSTRUMENTATION_DEFAULTS.serverUrl;
  const recordInputs = options.recordInputs ?? MCP_INSTRUMENTATION_DEFAULTS.recordInputs;
  const recordOutputs = options.recordOutputs ?? MCP_INSTRUMENTATION_DEFAULTS.recordOutputs;
  const methods = new Set(options.methods ?? MCP_INSTRUMENTATION_DEFAULTS.methods);
  const scope: ChaukasScope = options.scope ?? chaukas;

  const pending = new Map<RequestId, PendingCall>();
  const counts = { started: 0, completed: 0, failed: 0, errors: 0 };
  let protocolVersion = "";
  /** The id of the `initialize` request, whose response names the protocol version. */
  let initializeId: RequestId | undefined;

  function report(error: unknown): void {
    counts.errors++;
    try {
      onError?.(error);
    } catch {
      // The hook is informational; its failure must not reach the transport.
    }
  }

  /** Runs `fn`, counting and reporting what it throws; returns `fallback` then. */
  function guard<T>(fallback: T, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      report(error);
      return fallback;
    }
  }

  /**
   * Runs `withContent`; if the client refuses that (content it cannot take as JSON), reports
   * it and runs `withoutContent`, so the span is still recorded.
   */
  function withContentFallback<T>(withContent: () => T, withoutContent: () => T): T {
    try {
      return withContent();
    } catch (error) {
      report(error);
      return withoutContent();
    }
  }

  function start(request: JsonRpcRequest, parent: ChaukasScope): McpCallHandle {
    const metadata: Record<string, unknown> = { side, jsonrpc_id: request.id };
    const mcpSessionId = sessionId();
    if (mcpSessionId !== undefined) metadata.mcp_session_id = mcpSessionId;
    const input = {
      serverName,
      operation: request.method,
      serverUrl,
      protocolVersion,
      metadata,
    };
    const content = requestContent(request.params, recordInputs);
    return withContentFallback(
      () => parent.mcpCallStart(content === undefined ? input : { ...input, request: content }),
      () => parent.mcpCallStart(input),
    );
  }

  function track(id: RequestId, entry: PendingCall): void {
    const previous = pending.get(id);
    if (previous !== undefined) {
      // A peer reusing an id before answering it: the older call can no longer be matched.
      fail(id, previous, { error: { message: `JSON-RPC id ${id} reused before its response` } });
    }
    pending.set(id, entry);
    counts.started++;
  }

  function fail(id: RequestId, entry: PendingCall, failure: CallFailure): void {
    pending.delete(id);
    counts.failed++;
    const output = failure.output;
    withContentFallback(
      () => entry.call.fail(failure.error, output === undefined ? undefined : { output }),
      () => entry.call.fail(failure.error),
    );
    entry.session?.fail(failure.error);
  }

  function finish(id: RequestId, response: JsonRpcResponse): void {
    const entry = pending.get(id);
    if (entry === undefined) return;
    const failure = responseFailure(response, recordOutputs);
    if (failure !== undefined) {
      fail(id, entry, failure);
      return;
    }
    pending.delete(id);
    counts.completed++;
    const content = responseContent(response, recordOutputs);
    withContentFallback(
      () => entry.call.end(content === undefined ? undefined : { response: content }),
      () => entry.call.end(),
    );
    entry.session?.end();
  }

  function noteProtocolVersion(response: JsonRpcResponse): void {
    if (response.id !== initializeId) return;
    initializeId = undefined;
    const version = response.result?.protocolVersion;
    if (typeof version === "string") protocolVersion = version;
  }

  /** `notifications/cancelled`: the request will get no response. */
  function cancelled(params: Record<string, unknown> | undefined): void {
    const id = params?.requestId;
    if (typeof id !== "string" && typeof id !== "number") return;
    const entry = pending.get(id);
    if (entry === undefined) return;
    const reason = typeof params?.reason === "string" ? params.reason : "";
    fail(id, entry, {
      error: { message: reason ? `cancelled: ${reason}` : "cancelled", code: "cancelled" },
    });
  }

  /** Client side: records a request and returns it with the span's `traceparent`. */
  function clientRequest(message: JSONRPCMessage, request: JsonRpcRequest): JSONRPCMessage {
    const call = start(request, scope);
    track(request.id, { call, session: undefined });
    const params = isJsonObject(request.params) ? request.params : {};
    const meta = isJsonObject(params._meta) ? params._meta : {};
    // A copy: the caller's message object is left as it was.
    return {
      ...(message as JSONRPCRequest),
      params: { ...params, _meta: { ...meta, traceparent: call.traceparent() } },
    };
  }

  /** Server side: records a request, in the caller's trace when it sent a `traceparent`. */
  function serverRequest(request: JsonRpcRequest, extra: MessageExtraInfo | undefined) {
    const headerVersion = extra?.requestInfo?.headers?.[PROTOCOL_VERSION_HEADER];
    if (typeof headerVersion === "string" && headerVersion !== "") protocolVersion = headerVersion;
    const meta = request.params?._meta;
    const header = isJsonObject(meta) ? meta.traceparent : undefined;
    const remote = typeof header === "string" ? parseTraceparent(header) : undefined;
    const session =
      remote === undefined ? undefined : chaukas.startSession({ traceparent: header as string });
    const call = start(request, session ?? scope);
    track(request.id, { call, session });
    return call;
  }

  return {
    onSend(message) {
      return guard(message, () => {
        const request = asRequest(message);
        if (request !== undefined) {
          if (request.method === "initialize") initializeId = request.id;
          return side === "client" && methods.has(request.method)
            ? clientRequest(message, request)
            : message;
        }
        const response = asResponse(message);
        if (response !== undefined) {
          noteProtocolVersion(response);
          if (side === "server") finish(response.id, response);
          return message;
        }
        const notification = asNotification(message);
        if (side === "client" && notification?.method === "notifications/cancelled") {
          cancelled(notification.params);
        }
        return message;
      });
    },

    onSendFailed(message, error) {
      guard(undefined, () => {
        const request = asRequest(message);
        const entry = request && side === "client" ? pending.get(request.id) : undefined;
        if (request && entry) fail(request.id, entry, { error: sendError(error) });
      });
    },

    onReceive(message, extra) {
      return guard(undefined, () => {
        const request = asRequest(message);
        if (request !== undefined) {
          if (request.method === "initialize") initializeId = request.id;
          return side === "server" && methods.has(request.method)
            ? serverRequest(request, extra)
            : undefined;
        }
        const response = asResponse(message);
        if (response !== undefined) {
          noteProtocolVersion(response);
          if (side === "client") finish(response.id, response);
          return undefined;
        }
        const notification = asNotification(message);
        if (side === "server" && notification?.method === "notifications/cancelled") {
          cancelled(notification.params);
        }
        return undefined;
      });
    },

    onClose() {
      for (const [id, entry] of [...pending]) {
        guard(undefined, () =>
          fail(id, entry, {
            error: {
              message: "the MCP transport closed before the response arrived",
              code: CONNECTION_CLOSED,
            },
          }),
        );
      }
    },

    setProtocolVersion(version) {
      if (typeof version === "string") protocolVersion = version;
    },

    stats: () => ({ ...counts, pending: pending.size }),
  };
}

function sendError(error: unknown): CallFailure["error"] {
  const message = error instanceof Error ? error.message : String(error);
  return { message: `the MCP transport failed to send the request: ${message}` };
}
