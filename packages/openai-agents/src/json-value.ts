import type { JsonObject, JsonValue } from "@bufbuild/protobuf";

/**
 * A plain-JSON copy of a value from the framework, as `JSON.stringify` sees it (dates become
 * strings, `undefined` properties are left out, non-finite numbers become `null`); `undefined`
 * when it has no JSON form (a cycle, a bigint, a function). Span data is whatever the SDK and
 * model providers put there, so it is converted leniently rather than refused.
 */
export function toJsonValue(value: unknown): JsonValue | undefined {
  if (value === undefined) return undefined;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : (JSON.parse(text) as JsonValue);
  } catch {
    return undefined;
  }
}

/** `{ [key]: value }` as JSON for a Struct field, or `undefined` when the value has no JSON. */
export function wrapJson(key: string, value: unknown): JsonObject | undefined {
  const json = toJsonValue(value);
  return json === undefined ? undefined : { [key]: json };
}

/** A plain-JSON copy of an object, or `undefined` when it is no object or has no JSON form. */
export function toJsonObject(value: unknown): JsonObject | undefined {
  const json = toJsonValue(value);
  return typeof json === "object" && json !== null && !Array.isArray(json) ? json : undefined;
}

/**
 * Tool-call arguments from the JSON string a model produced: the object it encodes, or
 * `{ input }` with the text when it encodes something else or is not JSON. `undefined` for
 * an empty string (the SDK leaves the input empty when it redacts it).
 */
export function parseArguments(input: string | undefined): JsonObject | undefined {
  if (input === undefined || input === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(input);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      return parsed as JsonObject;
    }
  } catch {
    // Not JSON: sent as text below.
  }
  return { input };
}

/** The number when it is a non-negative int32 (token counts), else `undefined`. */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 2 ** 31 - 1
    ? value
    : undefined;
}

/** The finite number, else `undefined` (model settings the SDK may leave unset). */
export function finiteNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The string when it is a non-empty string, else `undefined`. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
