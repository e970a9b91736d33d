/**
 * Reading a span's attributes the way instrumentations write them: the same fact under several
 * names (current and deprecated conventions, the AI SDK's, OpenInference's), JSON carried as
 * strings, and lists flattened into indexed keys (`llm.input_messages.0.message.role`).
 */

import type { Attributes, AttributeValue } from "@opentelemetry/api";

/** The first of `keys` holding a non-empty string. */
export function stringAttribute(attributes: Attributes, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

/** The first of `keys` holding a finite number (or a string of one, as some libraries write). */
export function numberAttribute(attributes: Attributes, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const value = attributes[key];
    const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof number === "number" && Number.isFinite(number)) return number;
  }
  return undefined;
}

/** The first of `keys` holding a non-negative integer that fits an int32 (token counts). */
export function countAttribute(attributes: Attributes, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const value = numberAttribute(attributes, key);
    if (value !== undefined && Number.isInteger(value) && value >= 0 && value < 2 ** 31) {
      return value;
    }
  }
  return undefined;
}

/**
 * The first of `keys` holding strings: a list as it is, a single string as a list of one. A
 * string that is a JSON list (Mastra writes `gen_ai.response.finish_reasons` as `'["stop"]'`) is
 * that list.
 */
export function stringsAttribute(attributes: Attributes, ...keys: string[]): string[] | undefined {
  for (const key of keys) {
    const value = attributes[key];
    const decoded = typeof value === "string" ? decodeJson(value) : value;
    if (Array.isArray(decoded)) {
      const strings = decoded.filter((item): item is string => typeof item === "string");
      if (strings.length > 0) return strings;
    } else if (typeof value === "string" && value !== "") {
      return [value];
    }
  }
  return undefined;
}

/**
 * The first of `keys` that is set, JSON-decoded where it is a JSON string (instrumentations
 * write messages and arguments as JSON text); other strings and values as they are. A list of
 * JSON strings (the AI SDK's `ai.prompt.tools`) is decoded item by item.
 */
export function jsonAttribute(attributes: Attributes, ...keys: string[]): unknown {
  for (const key of keys) {
    const value = attributes[key];
    if (value === undefined || value === null || value === "") continue;
    return Array.isArray(value) ? value.map(decodeJson) : decodeJson(value);
  }
  return undefined;
}

function decodeJson(value: AttributeValue | null | undefined): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (!(text.startsWith("{") || text.startsWith("[") || text.startsWith('"'))) return value;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return value;
  }
}

/**
 * Attributes under `prefix.` put back together: `llm.input_messages.0.message.role` and
 * `.content` become `[{ message: { role, content } }]`. Levels whose keys are all indexes become
 * lists, in index order. Undefined when no attribute has the prefix.
 */
export function indexedAttribute(attributes: Attributes, prefix: string): unknown {
  const start = `${prefix}.`;
  // Without a prototype, a key named `__proto__` is a key like any other.
  const root: Tree = Object.create(null);
  let found = false;
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith(start) || value === undefined) continue;
    found = true;
    const path = key.slice(start.length).split(".");
    let node = root;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      if (isTree(next)) {
        node = next;
      } else {
        const child: Tree = Object.create(null);
        node[segment] = child;
        node = child;
      }
    }
    node[path.at(-1)!] = decodeJson(value);
  }
  return found ? toLists(root) : undefined;
}

type Tree = { [key: string]: unknown };

const isTree = (value: unknown): value is Tree =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Levels whose keys are all indexes as lists, in index order. */
function toLists(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const entries = Object.entries(value).map(([key, child]) => [key, toLists(child)] as const);
  if (entries.length > 0 && entries.every(([key]) => /^\d+$/.test(key))) {
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, child]) => child);
  }
  return Object.fromEntries(entries);
}
