import type { JsonObject } from "@bufbuild/protobuf";
import { nonEmptyString, toLenientJsonObject } from "@chaukas/client/integration";

/*
 * Values read from the SDK's span data. It holds whatever the SDK, model providers and the
 * application put there, so every value is checked where it is read, and anything else becomes
 * JSON through the client's lenient conversion rather than being refused.
 */

/** `{ [key]: value }` as a Struct, within the client's depth; `undefined` when it has no JSON. */
export function jsonUnder(key: string, value: unknown): JsonObject | undefined {
  const json = toLenientJsonObject({ [key]: value });
  return json !== undefined && Object.hasOwn(json, key) ? json : undefined;
}

/**
 * Tool-call arguments from the JSON string a model produced: the object it encodes, or
 * `{ input }` with the text when it encodes something else or is not JSON. `undefined` for
 * an empty string (the SDK leaves the input empty when it redacts it). Not yet converted:
 * the caller converts the whole value it is part of.
 */
export function parseArguments(input: string | undefined): object | undefined {
  if (input === undefined || input === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(input);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed;
  } catch {
    // Not JSON: sent as text below.
  }
  return { input };
}

/** The SDK's ISO time, when it is one; `undefined` (the builders then use now) otherwise. */
export function sdkTime(iso: string | null): string | undefined {
  return iso !== null && Number.isFinite(Date.parse(iso)) ? iso : undefined;
}

/**
 * A name the builders require (model, tool, MCP server, guardrail, agent handed off to), or
 * "unknown" when the SDK left it empty, so the event is still sent.
 */
export function nameOrUnknown(value: unknown): string {
  return nonEmptyString(value) ?? "unknown";
}
