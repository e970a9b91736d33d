import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";

// Structural checks on JSON-RPC 2.0 messages. The SDK's own guards (`isJSONRPCRequest`, ...)
// are zod schemas: importing them would put zod into every bundle that uses this adapter,
// and the adapter only needs to tell the four shapes apart.

/** A message as the adapter reads it: any of the four JSON-RPC shapes, fields unchecked. */
interface JsonRpcFields {
  readonly id?: unknown;
  readonly method?: unknown;
  readonly params?: unknown;
  readonly result?: unknown;
  readonly error?: unknown;
}

/** A request: it has a method and an id, and expects a response with that id. */
export interface JsonRpcRequest {
  readonly id: RequestId;
  readonly method: string;
  readonly params?: Record<string, unknown>;
}

/** A response: `result` on success, `error` ({ code, message, data? }) on failure. */
export interface JsonRpcResponse {
  readonly id: RequestId;
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly code?: unknown; readonly message?: unknown; readonly data?: unknown };
}

/** A notification: a method without an id (e.g. `notifications/cancelled`). */
export interface JsonRpcNotification {
  readonly method: string;
  readonly params?: Record<string, unknown>;
}

function fields(message: unknown): JsonRpcFields | undefined {
  return typeof message === "object" && message !== null && !Array.isArray(message)
    ? (message as JsonRpcFields)
    : undefined;
}

function isRequestId(id: unknown): id is RequestId {
  return typeof id === "string" || typeof id === "number";
}

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function asRequest(message: JSONRPCMessage): JsonRpcRequest | undefined {
  const m = fields(message);
  return m && typeof m.method === "string" && isRequestId(m.id) ? (m as JsonRpcRequest) : undefined;
}

export function asResponse(message: JSONRPCMessage): JsonRpcResponse | undefined {
  const m = fields(message);
  return m && m.method === undefined && isRequestId(m.id) && ("result" in m || "error" in m)
    ? (m as JsonRpcResponse)
    : undefined;
}

export function asNotification(message: JSONRPCMessage): JsonRpcNotification | undefined {
  const m = fields(message);
  return m && typeof m.method === "string" && m.id === undefined
    ? (m as JsonRpcNotification)
    : undefined;
}
