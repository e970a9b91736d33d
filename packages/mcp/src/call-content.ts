import type { JsonInput } from "@chaukas/client";
import { toLenientJson, toLenientJsonObject } from "@chaukas/client/integration";
import { isJsonObject, type JsonRpcResponse } from "./json-rpc.js";

// What of an MCP call becomes event content, under `recordInputs` / `recordOutputs`. Messages
// are copied leniently (the client's integration kit): JSON off the wire is kept as it is, and
// what an in-process transport may carry besides (bytes, class instances, nesting past the
// client's depth limit) is described rather than making the client refuse the whole content.

/** Parameters that name the call rather than carry its content: kept without `recordInputs`. */
const NAMING_PARAMS = ["name", "uri"] as const;

/**
 * `mcp_call.request`: the request's params without `_meta` (which is protocol plumbing:
 * progress tokens, trace context), or only the naming params (tool/prompt `name`, resource
 * `uri`) when inputs are not recorded.
 */
export function requestContent(params: unknown, recordInputs: boolean): JsonInput | undefined {
  if (!isJsonObject(params)) return undefined;
  const content: Record<string, unknown> = {};
  if (recordInputs) {
    for (const [key, value] of Object.entries(params)) {
      if (key !== "_meta") content[key] = value;
    }
  } else {
    for (const key of NAMING_PARAMS) {
      if (typeof params[key] === "string") content[key] = params[key];
    }
  }
  return Object.keys(content).length > 0 ? toLenientJsonObject(content) : undefined;
}

/** `mcp_call.response` of a completed call: the result, when outputs are recorded. */
export function responseContent(
  response: JsonRpcResponse,
  recordOutputs: boolean,
): JsonInput | undefined {
  return recordOutputs && isJsonObject(response.result)
    ? toLenientJsonObject(response.result)
    : undefined;
}

/** Why a call failed, as the builder's `fail(error, { output })` takes it. */
export interface CallFailure {
  readonly error: { readonly message: string; readonly code?: string | number };
  readonly output?: JsonInput;
}

const TOOL_ERROR_MESSAGE = "the tool returned a result with isError: true";

/**
 * The failure a response reports, if any: a JSON-RPC error (its message and code always;
 * its `data` as output only when outputs are recorded), or a tool result with `isError`
 * (its first text content as the message only when outputs are recorded).
 */
export function responseFailure(
  response: JsonRpcResponse,
  recordOutputs: boolean,
): CallFailure | undefined {
  const { error, result } = response;
  if (error !== undefined) {
    const code = typeof error.code === "number" || typeof error.code === "string" ? error.code : "";
    const message = typeof error.message === "string" ? error.message : "JSON-RPC error";
    return {
      error: code === "" ? { message } : { message, code },
      ...(recordOutputs && error.data !== undefined
        ? { output: { data: toLenientJson(error.data) ?? null } }
        : {}),
    };
  }
  if (isJsonObject(result) && result.isError === true) {
    const output = recordOutputs ? toLenientJsonObject(result) : undefined;
    return {
      error: { message: (recordOutputs && firstText(result.content)) || TOOL_ERROR_MESSAGE },
      ...(output === undefined ? {} : { output }),
    };
  }
  return undefined;
}

function firstText(content: unknown): string | undefined {
  if (!Array.isArray(content)) return undefined;
  for (const item of content) {
    if (isJsonObject(item) && item.type === "text" && typeof item.text === "string") {
      return item.text;
    }
  }
  return undefined;
}
