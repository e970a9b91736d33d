/**
 * Field paths, the one syntax for naming a place in an event or an option: validation errors,
 * redaction paths, `RedactionInfo.fields` and truncation records all print and read it here.
 */
import { ChaukasValidationError } from "./validation-error.js";

/**
 * Where a check is: the field it started at (a proto field name or an option, written as
 * given, e.g. `tool_call.arguments`), then the keys (JSON keys, proto field names) and list
 * indexes it went into. Pushed and popped on the way and formatted only on failure,
 * so a valid value costs no path strings.
 */
export type FieldPath = (string | number)[];

/**
 * A key written after a dot: a proto identifier (what every proto field name is, and what
 * JavaScript and Python accept as a name). Any other key is written `["quoted"]`.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `tool_call.arguments.q[2]`, `metadata["x-api-key"]`: the field it starts at, then proto field
 * names and JSON keys joined by dots, list indexes in brackets, keys that are not identifiers
 * quoted in brackets. A path a person can paste into `redact`. The empty path is "".
 */
export function formatFieldPath(path: readonly (string | number)[]): string {
  const [root, ...keys] = path;
  let text = typeof root === "string" ? root : root === undefined ? "" : `[${root}]`;
  for (const key of keys) text = childPath(text, key);
  return text;
}

/** `path` (already formatted) followed by one more key or list index. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === "" ? key : `${path}.${key}`;
}

/**
 * A formatted `path` moved under `parent`: an event's `timestamp` as the batch's
 * `events[2].timestamp`. The empty path is `parent` itself.
 */
export function pathUnder(parent: readonly (string | number)[], path: string): string {
  const prefix = formatFieldPath(parent);
  if (path === "") return prefix;
  return path.startsWith("[") || prefix === "" ? `${prefix}${path}` : `${prefix}.${path}`;
}

/** One step of a parsed path: a key, a list index, or a wildcard (`*` any key, `[*]` any index). */
export type PathSegment = { key: string } | { index: number } | { any: "key" | "index" };

// After a dot, `-` and `$` are read too (`metadata.x-api-key`): earlier versions accepted them
// there, and a path that worked must keep working. Such keys are printed `["x-api-key"]`.
const SEGMENT = /\.?([A-Za-z_$][\w$-]*|\*)|\[(\d+|\*|"(?:[^"\\]|\\.)*")\]/y;

/**
 * Reads a path in the syntax `formatFieldPath` prints, with `*` and `[*]` wildcards:
 * `a.b[0]["c d"].*[*]`. Throws a `ChaukasValidationError` naming `option` for anything else.
 */
export function parseFieldPath(path: string, option: string): PathSegment[] {
  const segments: PathSegment[] = [];
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < path.length) {
    const start = SEGMENT.lastIndex;
    const match = SEGMENT.exec(path);
    if (match === null || (start === 0 && path.startsWith("."))) {
      throw new ChaukasValidationError(option, `cannot parse path ${JSON.stringify(path)}`);
    }
    const [, name, bracket] = match;
    if (name !== undefined) {
      segments.push(name === "*" ? { any: "key" } : { key: name });
    } else if (bracket === "*") {
      segments.push({ any: "index" });
    } else if (bracket?.startsWith('"')) {
      segments.push({ key: JSON.parse(bracket) as string });
    } else {
      segments.push({ index: Number(bracket) });
    }
  }
  if (segments.length === 0) {
    throw new ChaukasValidationError(option, "empty path");
  }
  return segments;
}

/**
 * Throws the `ChaukasValidationError` for `path`, e.g. `tool_call.arguments.q[2]` (the
 * empty path of the event checks is the event itself).
 */
export function fail(path: FieldPath, reason: string): never {
  throw new ChaukasValidationError(formatFieldPath(path) || "event", reason);
}
