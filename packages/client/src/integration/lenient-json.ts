/**
 * Framework values as JSON the client accepts in a Struct field. Frameworks hand integrations
 * whatever their users and model providers produced: file bytes, URLs, errors, class instances,
 * cycles, `undefined` in arrays. The client rightly refuses those from a caller; an integration
 * must record the rest of the value instead, so it converts leniently, within the client's depth
 * limit (`MAX_JSON_DEPTH`).
 */

import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { MAX_JSON_DEPTH } from "../validation/struct.js";

/** Options of `toLenientJson`. */
export interface LenientJsonOptions {
  /**
   * Describes a property instead of converting it: return the string to record (e.g. "[3 KB of
   * inline image data]"), or `undefined` to convert the value as usual. Default: none.
   */
  readonly describe?: (key: string, value: unknown, owner: object) => string | undefined;
}

/**
 * A JSON copy of `value`, or `undefined` when it has no JSON form (`undefined`, a function, a
 * symbol). Bytes are described, never copied (`"[12 bytes]"`); a `Date` is its ISO string; a
 * `URL` its `href`; an `Error` its name and message; a `Map` an object, a `Set` an array;
 * non-finite numbers and bigints strings; an object with `toJSON` what that returns; a cycle
 * `"[circular]"`, and nesting past the client's limit `"[too deep]"`, so the rest is still
 * recorded. A `__proto__` key stays a plain key.
 */
export function toLenientJson(
  value: unknown,
  options: LenientJsonOptions = {},
): JsonValue | undefined {
  return convert(value, 0, new Set(), options);
}

/**
 * A JSON object for a Struct field: `value` itself when it converts to an object, else
 * `{ [key]: value }`; `undefined` when it has no JSON form.
 */
export function toLenientJsonObject(
  value: unknown,
  key = "value",
  options: LenientJsonOptions = {},
): JsonObject | undefined {
  const json = convert(value, 1, new Set(), options);
  if (json === undefined) return undefined;
  return isJsonObject(json) ? json : { [key]: json };
}

function isJsonObject(json: JsonValue): json is JsonObject {
  return typeof json === "object" && json !== null && !Array.isArray(json);
}

function convert(
  value: unknown,
  depth: number,
  ancestors: Set<object>,
  options: LenientJsonOptions,
): JsonValue | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Date) {
    return Number.isNaN(object.getTime()) ? "Invalid Date" : object.toISOString();
  }
  if (object instanceof URL) return object.href;
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
    return `[${object.byteLength} bytes]`;
  }
  if (object instanceof Error) return { name: object.name, message: object.message };
  if (ancestors.has(object)) return "[circular]";
  // The client counts the top-level object as one level; each child adds one.
  if (depth >= MAX_JSON_DEPTH) return "[too deep]";
  ancestors.add(object);
  try {
    if (Array.isArray(object) || object instanceof Set) {
      return Array.from(object, (item) => convert(item, depth + 1, ancestors, options) ?? null);
    }
    if (object instanceof Map) {
      return convert(Object.fromEntries(object), depth, ancestors, options);
    }
    if (!isPlainObject(object) && typeof (object as { toJSON?: unknown }).toJSON === "function") {
      return convert((object as { toJSON(): unknown }).toJSON(), depth, ancestors, options);
    }
    const result: JsonObject = {};
    for (const [key, item] of Object.entries(object)) {
      const json =
        options.describe?.(key, item, object) ?? convert(item, depth + 1, ancestors, options);
      if (json === undefined) continue;
      // Defined, not assigned: a "__proto__" key stays a plain key.
      Object.defineProperty(result, key, {
        value: json,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  } finally {
    ancestors.delete(object);
  }
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
