import { type JsonInput, MAX_JSON_DEPTH } from "@chaukas/client";

/**
 * The AI SDK's values (messages, tool inputs and outputs, content parts) as JSON the client
 * accepts in a Struct field. They may hold what the client rightly refuses from a caller:
 * file bytes, URLs, errors, `undefined` in arrays, class instances. Bytes are described,
 * never copied (an image would dwarf the event); a cycle or a nesting deeper than the
 * client's limit becomes a marker string, so the rest of the value is still recorded.
 * Inline file data given as a string (base64 or a `data:` URL in an image or file part) is
 * described like bytes; a link (`https:`) is kept.
 */
export function toJsonContent(value: unknown): JsonInput {
  const json = toJson(value, 0, new Set());
  return isPlainRecord(json) ? (json as JsonInput) : { value: json };
}

/** The AI SDK's content parts that may carry a file inline: their `type` and data field. */
const INLINE_DATA_KEYS: ReadonlyMap<unknown, string> = new Map([
  ["image", "image"],
  ["file", "data"],
  ["data", "data"],
]);
const LINK = /^https?:\/\//i;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function toJson(value: unknown, depth: number, ancestors: Set<object>): Json | undefined {
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
  if (depth >= MAX_JSON_DEPTH - 1) return "[too deep]";
  ancestors.add(object);
  try {
    if (Array.isArray(object) || object instanceof Set) {
      return Array.from(object, (item) => toJson(item, depth + 1, ancestors) ?? null);
    }
    if (object instanceof Map) {
      return toJson(Object.fromEntries(object), depth, ancestors);
    }
    if (!isPlainRecord(object) && typeof (object as { toJSON?: unknown }).toJSON === "function") {
      return toJson((object as { toJSON(): unknown }).toJSON(), depth, ancestors);
    }
    const result: { [key: string]: Json } = {};
    const inlineDataKey = INLINE_DATA_KEYS.get((object as { type?: unknown }).type);
    for (const [key, item] of Object.entries(object)) {
      const json =
        key === inlineDataKey && typeof item === "string" && !LINK.test(item)
          ? `[${item.length} characters of inline data]`
          : toJson(item, depth + 1, ancestors);
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

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
