import type { ChaukasClient, ChaukasScope, McpCallHandle, SpanScope } from "@chaukas/client";
import { createIntegrationGuard } from "@chaukas/client/integration";
import { extract, inject } from "@chaukas/client/propagation";
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
import { createCallerContinuation } from "./caller-continuation.js";
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
  type McpAdapterStep,
  type McpInstrumentationOptions,
  type McpInstrumentationStats,
} from "./options.js";

/**
 * Turns the messages of one transport into MCP call spans. Every method is guarded (the
 * client's integration guard): the adapter's own failures are counted and reported, never
 * thrown at the transport.
 */
export interface McpCallTracker {
  /**
   * A message about to be sent; returns what to send (a client request gains its call's
   * context in `_meta`).
   */
  onSend(message: JSONRPCMessage): JSONRPCMessage;
  /** The transport refused to send `message` (its promise rejected or it threw). */
  onSendFailed(message: JSONRPCMessage, error: unknown): void;
  /** A message received; a server-side call returns its span, to run the handler in. */
  onReceive(message: JSONRPCMessage, extra: MessageExtraInfo | undefined): SpanScope | undefined;
  /**
   * The transport closed: every pending call ends as failed, and the server's own sessions for
   * untrusted callers end.
   */
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
  const { side, serverName } = options;
  const serverUrl = options.serverUrl ?? MCP_INSTRUMENTATION_DEFAULTS.serverUrl;
  const recordInputs = options.recordInputs ?? MCP_INSTRUMENTATION_DEFAULTS.recordInputs;
  const recordOutputs = options.recordOutputs ?? MCP_INSTRUMENTATION_DEFAULTS.recordOutputs;
  const methods = new Set(options.methods ?? MCP_INSTRUMENTATION_DEFAULTS.methods);
  const scope: ChaukasScope = options.scope ?? chaukas;
  const guard = createIntegrationGuard<McpAdapterStep>(options.onError);
  const callers = createCallerContinuation(
    chaukas,
    options.trust ?? MCP_INSTRUMENTATION_DEFAULTS.trust,
  );

  /** Recorded calls waiting for their response, by JSON-RPC id. */
  const pending = new Map<RequestId, McpCallHandle>();
  const counts = { started: 0, completed: 0, failed: 0 };
  let protocolVersion = "";
  /** The id of the `initialize` request, whose response names the protocol version. */
  let initializeId: RequestId | undefined;

  /**
   * Runs `withContent`; if that fails (content the adapter or the client cannot take),
   * reports it and runs `withoutContent`, so the span is still recorded.
   */
  function withContentFallback<T>(
    step: McpAdapterStep,
    withContent: () => T,
    withoutContent: () => T,
  ): T {
    try {
      return withContent();
    } catch (error) {
      guard.report(error, step);
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
    return withContentFallback(
      "request content",
      () => {
        const content = requestContent(request.params, recordInputs);
        return parent.mcpCallStart(content === undefined ? input : { ...input, request: content });
      },
      () => parent.mcpCallStart(input),
    );
  }

  function track(id: RequestId, call: McpCallHandle): void {
    const previous = pending.get(id);
    if (previous !== undefined) {
      // A peer reusing an id before answering it: the older call can no longer be matched.
      fail(id, previous, { error: { message: `JSON-RPC id ${id} reused before its response` } });
    }
    pending.set(id, call);
    counts.started++;
  }

  function fail(id: RequestId, call: McpCallHandle, failure: CallFailure): void {
    pending.delete(id);
    counts.failed++;
    const output = failure.output;
    withContentFallback(
      "response content",
      () => call.fail(failure.error, output === undefined ? undefined : { output }),
      () => call.fail(failure.error),
    );
  }

  function finish(id: RequestId, response: JsonRpcResponse): void {
    const call = pending.get(id);
    if (call === undefined) return;
    const failure = responseFailure(response, recordOutputs);
    if (failure !== undefined) {
      fail(id, call, failure);
      return;
    }
    pending.delete(id);
    counts.completed++;
    withContentFallback(
      "response content",
      () => {
        const content = responseContent(response, recordOutputs);
        call.end(content === undefined ? undefined : { response: content });
      },
      () => call.end(),
    );
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
    const call = pending.get(id);
    if (call === undefined) return;
    const reason = typeof params?.reason === "string" ? params.reason : "";
    fail(id, call, {
      error: { message: reason ? `cancelled: ${reason}` : "cancelled", code: "cancelled" },
    });
  }

  /** Client side: records a request and returns it with the call's context in `_meta`. */
  function clientRequest(message: JSONRPCMessage, request: JsonRpcRequest): JSONRPCMessage {
    const call = start(request, scope);
    track(request.id, call);
    const params = isJsonObject(request.params) ? request.params : {};
    const meta = isJsonObject(params._meta) ? params._meta : {};
    // Copies: the caller's message and its `_meta` are left as they were.
    return {
      ...(message as JSONRPCRequest),
      params: { ...params, _meta: inject({ ...meta }, call) },
    };
  }

  /**
   * Server side: records a request. One that carries its caller's context in `_meta`
   * continues the caller (see `createCallerContinuation`); one without starts under `scope`.
   */
  function serverRequest(request: JsonRpcRequest, extra: MessageExtraInfo | undefined) {
    const headerVersion = extra?.requestInfo?.headers?.[PROTOCOL_VERSION_HEADER];
    if (typeof headerVersion === "string" && headerVersion !== "") protocolVersion = headerVersion;
    const meta = request.params?._meta;
    const remote = isJsonObject(meta) ? extract(meta) : undefined;
    const call = start(request, remote === undefined ? scope : callers.callScope(remote, extra));
    track(request.id, call);
    return call;
  }

  return {
    onSend(message) {
      return guard.run("send", message, () => {
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
      guard.run("send failed", undefined, () => {
        const request = asRequest(message);
        const call = request && side === "client" ? pending.get(request.id) : undefined;
        if (request && call) fail(request.id, call, { error: sendError(error) });
      });
    },

    onReceive(message, extra) {
      return guard.run<SpanScope | undefined>("receive", undefined, () => {
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
      for (const [id, call] of [...pending]) {
        guard.run("close", undefined, () =>
          fail(id, call, {
            error: {
              message: "the MCP transport closed before the response arrived",
              code: CONNECTION_CLOSED,
            },
          }),
        );
      }
      callers.endAll((session) => guard.run("close", undefined, () => session.end()));
    },

    setProtocolVersion(version) {
      if (typeof version === "string") protocolVersion = version;
    },

    stats: () => ({ ...counts, pending: pending.size, errors: guard.failed }),
  };
}

function sendError(error: unknown): CallFailure["error"] {
  const message = error instanceof Error ? error.message : String(error);
  return { message: `the MCP transport failed to send the request: ${message}` };
}
